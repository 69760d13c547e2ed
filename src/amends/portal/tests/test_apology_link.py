"""The status link in an incident apology leads each customer to their own status page: their case if they
complained about the incident, else a page of their own with the incident's updates and their code."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from amends.campaigns import letters
from amends.campaigns.models import CampaignMessage
from amends.campaigns.services import campaign_start
from amends.campaigns.tests.factories import csv_bytes, import_csv, make_campaign, make_incident, people
from amends.conftest import open_case
from amends.incidents.models import Incident, IncidentCase, IncidentEvent
from amends.portal.apology_links import apology_signature
from amends.portal.models import StatusLink
from amends.portal.services import status_links_revoke
from amends.remedies import codes

pytestmark = pytest.mark.django_db
BASE = "http://127.0.0.1:8000"


def _sent(incident: Incident, n: int = 2) -> list[CampaignMessage]:
    import_csv(incident, csv_bytes(people(n)))
    campaign_start(campaign=make_campaign(incident))
    CampaignMessage.objects.update(state="sent", sent_at=timezone.now())
    return list(CampaignMessage.objects.order_by("id"))


def _path(message: CampaignMessage) -> str:
    return letters.status_url(message.public_id).removeprefix(BASE)


def test_the_letter_links_to_the_customers_own_status_page():
    incident = make_incident()
    first, _second = _sent(incident)
    assert _path(first).startswith(f"/status/a/{first.public_id}/")
    letter = letters.letter(
        public_id=first.public_id,
        recipient=first.recipient,
        name=first.name,
        language="en",
        order_reference="",
        code=first.code or "",
        incident=incident,
        brand=incident.brand,
        remedy=letters.Remedy(
            kind="discount_code", percent=None, amount=None, currency="", valid_until=timezone.localdate()
        ),
        templates=letters.templates_now(),
    )
    assert letters.status_url(first.public_id) in letter.body


def test_a_customer_without_a_case_sees_the_incidents_public_updates_and_only_their_own_code():
    incident = make_incident()
    IncidentEvent.objects.create(
        incident=incident, kind="update", body="Payments work again.", public=True, created_at=timezone.now()
    )
    IncidentEvent.objects.create(
        incident=incident, kind="note", body="Supplier X is to blame.", public=False, created_at=timezone.now()
    )
    first, second = _sent(incident)
    client = Client()
    landed = client.get(_path(first))
    assert landed.status_code == 302 and landed["Location"] == f"/status/apology/{first.public_id}/"
    assert landed["Referrer-Policy"] == "no-referrer"
    page = client.get(landed["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and incident.title in text and "Payments work again." in text
    assert codes.group(first.code or "") in text and "20" in text
    assert "Supplier X" not in text  # an internal note stays internal
    assert codes.group(second.code or "") not in text and second.recipient not in text
    # The other customer's page is not this browser's to see, by its address alone.
    assert client.get(f"/status/apology/{second.public_id}/").status_code == 404
    assert Client().get(landed["Location"]).status_code == 404


def test_a_customer_who_complained_lands_on_their_case_with_the_code_beside_it():
    incident = make_incident()
    opened = open_case(email="person0@example.com", name="Person 0")
    IncidentCase.objects.create(incident=incident, case=opened.case, how="linked", created_at=timezone.now())
    other = open_case(email="person1@example.com", name="Person 1").case
    IncidentCase.objects.create(incident=incident, case=other, how="linked", created_at=timezone.now())
    first = next(m for m in _sent(incident) if m.recipient == "person0@example.com")
    client = Client()
    landed = client.get(_path(first))
    assert landed.status_code == 302 and landed["Location"] == f"/status/{opened.case.public_id}/"
    text = client.get(landed["Location"]).content.decode()
    assert opened.case.reference in text and codes.group(first.code or "") in text
    assert other.reference not in text
    assert client.get(f"/status/{other.public_id}/").status_code == 404  # no way into another customer's case
    again = client.get(_path(first))  # opened twice: one status link, not one per click
    assert again.status_code == 302 and StatusLink.objects.filter(case=opened.case).count() == 2


def test_withdrawn_case_links_stay_withdrawn_and_the_apology_page_still_opens(manager):
    incident = make_incident()
    opened = open_case(email="person0@example.com")
    IncidentCase.objects.create(incident=incident, case=opened.case, how="linked", created_at=timezone.now())
    first = _sent(incident, 1)[0]
    Client().get(_path(first))
    status_links_revoke(case=opened.case, actor=manager)
    client = Client()
    landed = client.get(_path(first))
    assert landed["Location"] == f"/status/apology/{first.public_id}/"
    assert client.get(f"/status/{opened.case.public_id}/").status_code == 404


def test_a_forged_link_is_refused_in_words():
    first = _sent(make_incident(), 1)[0]
    page = Client().get(f"/status/a/{first.public_id}/{apology_signature(first.public_id)[:-2]}xx/")
    text = page.content.decode()
    assert page.status_code == 404 and "This link is not valid" in text and "copy the whole link" in text
    # An unsubscribe link's signature does not open a status page.
    assert Client().get(f"/status/a/{first.public_id}/{letters.signature(first.public_id)}/").status_code == 404


def test_an_expired_link_is_refused_in_words(settings):
    first = _sent(make_incident(), 1)[0]
    CampaignMessage.objects.filter(pk=first.pk).update(
        sent_at=timezone.now() - timedelta(days=settings.STATUS_LINK_DAYS + 1)
    )
    page = Client().get(_path(first))
    text = page.content.decode()
    assert page.status_code == 410 and "This link has expired" in text
    assert f"{settings.STATUS_LINK_DAYS} days" in text and "Contact us" in text


def test_a_link_to_a_message_never_sent_no_longer_works():
    incident = make_incident()
    import_csv(incident, csv_bytes(people(1)))
    campaign_start(campaign=make_campaign(incident))
    queued = CampaignMessage.objects.get()
    assert Client().get(_path(queued)).status_code == 404


def test_the_link_speaks_the_customers_language():
    incident = make_incident()
    import_csv(incident, csv_bytes(["olga@example.com,Ольга,ru,ORD-1"]))
    campaign_start(campaign=make_campaign(incident))
    CampaignMessage.objects.update(state="sent", sent_at=timezone.now())
    message = CampaignMessage.objects.get()
    client = Client()
    page = client.get(_path(message), follow=True)
    assert page.status_code == 200 and "Ваш личный код" in page.content.decode()
