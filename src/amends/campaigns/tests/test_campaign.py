"""The campaign: started once, every message with its own code, the suppressed skipped, sent within the rate."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from amends.campaigns import letters
from amends.campaigns.models import Campaign, CampaignMessage
from amends.campaigns.preview import campaign_previews
from amends.campaigns.selectors import campaign_progress
from amends.campaigns.services import (
    CampaignRefused,
    campaign_cancel,
    campaign_claim,
    campaign_pause,
    campaign_resume,
    campaign_start,
)
from amends.outbox.models import Suppression
from amends.outbox.suppression import suppression_add
from amends.remedies import codes
from amends.remedies.models import RemedyCode

from .factories import csv_bytes, import_csv, make_campaign, make_incident, people

pytestmark = pytest.mark.django_db


def _ready(n: int = 5, **kwargs: object) -> Campaign:
    incident = make_incident()
    assert import_csv(incident, csv_bytes(people(n))).imported
    return make_campaign(incident, **kwargs)  # type: ignore[arg-type]


def test_starting_writes_a_message_with_a_unique_valid_code_for_everyone():
    campaign = _ready(5)
    started = campaign_start(campaign=campaign)
    assert (started.queued, started.suppressed) == (5, 0)
    rows = list(CampaignMessage.objects.filter(campaign=campaign))
    assert len({r.code for r in rows}) == 5 and all(codes.is_valid(r.code) for r in rows)
    assert len({r.public_id for r in rows}) == 5
    issued = RemedyCode.objects.filter(batch=Campaign.objects.get().code_batch)
    assert issued.count() == 5 and {c.percent for c in issued} == {20}
    assert Campaign.objects.get().state == "sending" and Campaign.objects.get().templates["ru"]


def test_a_campaign_is_started_once_nobody_gets_two_apologies():
    campaign = _ready(3)
    campaign_start(campaign=campaign)
    with pytest.raises(CampaignRefused, match="started already"):
        campaign_start(campaign=campaign)
    assert CampaignMessage.objects.count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(
            public_id="0b4c7f9e-2f55-4c43-9d1c-6a2e0c1f4b11",
            incident=campaign.incident,
            remedy_kind="discount_code",
            valid_until=timezone.now(),
            rate=1,
            created_at=timezone.now(),
        )


def test_an_incident_with_nobody_affected_is_refused():
    campaign = make_campaign(make_incident())
    with pytest.raises(CampaignRefused, match="Nobody is named"):
        campaign_start(campaign=campaign)
    assert Campaign.objects.get().state == "draft" and not RemedyCode.objects.exists()


def test_a_suppressed_address_gets_no_message_and_no_code():
    campaign = _ready(3)
    suppression_add(address="Person1@example.com", reason=Suppression.Reason.UNSUBSCRIBED)
    started = campaign_start(campaign=campaign)
    assert (started.queued, started.suppressed) == (2, 1)
    skipped = CampaignMessage.objects.get(recipient="person1@example.com")
    assert skipped.state == "suppressed" and skipped.code is None
    assert RemedyCode.objects.count() == 2


def test_a_claim_takes_no_more_than_the_rate_allows_across_claims():
    campaign = _ready(30, rate=10)
    campaign_start(campaign=campaign)
    before = timezone.now()
    first = campaign_claim(limit=200)
    assert first is not None and len(first[1]) == 10  # one second's worth
    # The claim moved the campaign's next slot on by 10 / rate = 1 s: the second's worth is spoken for.
    assert Campaign.objects.get().next_send_at >= before + timezone.timedelta(seconds=1)
    Campaign.objects.update(next_send_at=timezone.now() + timezone.timedelta(seconds=5))
    assert campaign_claim(limit=200) is None
    assert CampaignMessage.objects.filter(state="sending").count() == 10


def test_an_expired_lease_is_claimed_again_with_the_same_message_id():
    campaign = _ready(2)
    campaign_start(campaign=campaign)
    _c, claimed = campaign_claim()  # type: ignore[misc]
    ids = {m.public_id for m in claimed}
    CampaignMessage.objects.update(claimed_until=timezone.now() - timezone.timedelta(seconds=1))
    Campaign.objects.update(next_send_at=timezone.now())
    _c, again = campaign_claim()  # type: ignore[misc]
    assert {m.public_id for m in again} == ids and {m.attempts for m in again} == {2}


def test_pause_resume_and_cancel():
    campaign = _ready(4)
    campaign_start(campaign=campaign)
    campaign_pause(campaign=campaign)
    assert campaign_claim() is None
    with pytest.raises(CampaignRefused):
        campaign_pause(campaign=campaign)
    campaign_resume(campaign=campaign)
    assert campaign_claim(limit=1) is not None
    cancelled = campaign_cancel(campaign=campaign)
    assert cancelled == 3
    assert RemedyCode.objects.filter(state="void").count() == 3
    assert campaign_progress(Campaign.objects.get()).cancelled == 3
    with pytest.raises(CampaignRefused):
        campaign_cancel(campaign=campaign)


def test_the_letter_is_personal_with_code_links_and_rfc8058_headers():
    incident = make_incident()
    import_csv(incident, csv_bytes(["olga@example.com,Ольга,ru,A-1"]))
    campaign = make_campaign(incident)
    campaign_start(campaign=campaign)
    message = CampaignMessage.objects.get()
    campaign.refresh_from_db()
    mail = letters.letter(
        public_id=message.public_id,
        recipient=message.recipient,
        name=message.name,
        language=message.language,
        order_reference=message.order_reference,
        code=message.code or "",
        incident=incident,
        brand=incident.brand,
        remedy=__import__("amends.campaigns.services", fromlist=["x"]).campaign_remedy(campaign),
        templates=campaign.templates,
    )
    assert "Ольга" in mail.body and codes.group(message.code or "") in mail.body
    assert "20" in mail.body and letters.status_url(message.public_id) in mail.body
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "mailto:unsubscribe+" in mail.headers["List-Unsubscribe"] and "https://" not in mail.headers["Message-ID"]
    assert letters.unsubscribe_url(message.public_id) in mail.headers["List-Unsubscribe"]
    assert mail.headers["Message-ID"] == f"<{message.public_id}@sportovia.example>"
    assert mail.sender == "Sportovia <care@sportovia.example>"


def test_the_preview_shows_each_language_coached():
    incident = make_incident()
    import_csv(incident, csv_bytes(["olga@example.com,Ольга,ru,A-1", "jan@example.com,Ján,sk,A-2"]))
    previews = campaign_previews(make_campaign(incident))
    assert [p.language for p in previews] == ["ru", "sk"]
    assert all(p.coaching.coached for p in previews)
    assert "Ольга" in previews[0].letter.body


def test_a_slow_batch_renews_its_lease_and_drops_rows_another_worker_took():
    from amends.campaigns.services import _renew

    campaign = _ready(3)
    campaign_start(campaign=campaign)
    _c, claimed = campaign_claim()  # type: ignore[misc]
    lease = claimed[0].claimed_until
    taken = claimed[2]
    CampaignMessage.objects.filter(pk=taken.pk).update(claimed_until=lease + timezone.timedelta(seconds=99))
    kept, renewed = _renew(claimed, lease)  # type: ignore[arg-type]
    assert [m.pk for m in kept] == [claimed[0].pk, claimed[1].pk] and renewed > lease  # type: ignore[operator]
    assert CampaignMessage.objects.filter(claimed_until=renewed).count() == 2
