"""Sending to a real SMTP server: one connection per batch, each message marked when the server accepts it."""

import pytest

from amends.campaigns.models import Campaign, CampaignMessage
from amends.campaigns.services import campaign_senders_stop, campaign_start, campaigns_deliver_due
from amends.conftest import SmtpSink
from amends.outbox.models import Suppression
from amends.outbox.suppression import suppression_add

from .factories import csv_bytes, import_csv, make_campaign, make_incident, people

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_every_message_reaches_the_server_once_and_the_campaign_finishes(smtp_sink: SmtpSink):
    incident = make_incident()
    import_csv(incident, csv_bytes(people(25)))
    campaign = make_campaign(incident, rate=1000)
    campaign_start(campaign=campaign)
    assert campaigns_deliver_due() == 25
    assert campaigns_deliver_due() == 0
    ids = smtp_sink.message_ids()
    assert len(ids) == 25 == len(set(ids))
    assert set(CampaignMessage.objects.values_list("state", flat=True)) == {"sent"}
    assert Campaign.objects.get().state == "done"
    mail = smtp_sink.received[0]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = CampaignMessage.objects.get(public_id=str(mail["Message-ID"]).strip("<>").split("@")[0])
    assert row.sent_at is not None and (row.code or "")[:4] in mail.get_content().replace("-", "")


def test_an_address_suppressed_after_the_start_is_skipped_when_its_turn_comes(smtp_sink: SmtpSink):
    incident = make_incident()
    import_csv(incident, csv_bytes(people(3)))
    campaign_start(campaign=make_campaign(incident))
    suppression_add(address="person2@example.com", reason=Suppression.Reason.COMPLAINED)
    assert campaigns_deliver_due() == 2
    assert CampaignMessage.objects.get(recipient="person2@example.com").state == "suppressed"


def test_a_temporary_refusal_is_retried_later_and_a_permanent_one_fails(smtp_sink: SmtpSink):
    incident = make_incident()
    import_csv(incident, csv_bytes(people(2)))
    campaign_start(campaign=make_campaign(incident))
    smtp_sink.fail_next = 1
    assert campaigns_deliver_due() == 1
    retried = CampaignMessage.objects.get(state="queued")
    assert "451" in retried.last_error and retried.attempts == 1
    assert Campaign.objects.get().state == "sending"


@pytest.mark.django_db(transaction=True)
def test_a_batch_sent_over_several_connections_reaches_the_server_once_each(smtp_sink: SmtpSink):
    incident = make_incident()
    import_csv(incident, csv_bytes(people(40)))
    campaign_start(campaign=make_campaign(incident, rate=1000))
    try:
        assert campaigns_deliver_due(connections=3) == 40
    finally:
        campaign_senders_stop()  # the threads' database connections, so the test database can be dropped
    ids = smtp_sink.message_ids()
    assert len(ids) == 40 == len(set(ids))
    assert set(CampaignMessage.objects.values_list("state", flat=True)) == {"sent"}
    assert CampaignMessage.objects.filter(sent_at=None).count() == 0


def test_a_server_that_offers_pipelining_gets_each_message_once_and_refusals_still_land(smtp_sink: SmtpSink):
    smtp_sink.pipelining = True
    smtp_sink.refused_recipients = {"person1@example.com"}
    incident = make_incident()
    import_csv(incident, csv_bytes(people(6)))
    campaign_start(campaign=make_campaign(incident, rate=1000))
    smtp_sink.fail_next = 1  # the first message's data is refused for now: retried later
    assert campaigns_deliver_due() == 4
    ids = smtp_sink.message_ids()
    assert len(ids) == 4 == len(set(ids))
    refused = CampaignMessage.objects.get(recipient="person1@example.com")
    assert refused.state == "failed" and "550" in refused.last_error
    retried = CampaignMessage.objects.get(state="queued")
    assert retried.recipient == "person0@example.com" and "451" in retried.last_error
    assert CampaignMessage.objects.filter(state="sent").count() == 4
    mail = smtp_sink.received[0]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" and "\n." not in mail.get_content()[:2]
