"""The console pages of a campaign (managers only) and what they show."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from amends.accounts.models import User
from amends.campaigns.models import AffectedCustomer, Campaign

from .factories import csv_bytes, import_csv, make_campaign, make_incident, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(manager: User) -> Client:
    client = Client()
    client.force_login(manager)
    return client


def _base(incident) -> str:  # type: ignore[no-untyped-def]
    return f"/console/incidents/{incident.public_id}/campaign/"


def test_agents_may_not_run_campaigns(agent_client: Client):
    assert agent_client.get(_base(make_incident())).status_code == 403


def test_an_upload_with_wrong_rows_shows_each_line_and_imports_nothing(manager_client: Client):
    incident = make_incident()
    upload = SimpleUploadedFile("a.csv", csv_bytes([*people(2), "nope,X,en,1"]), content_type="text/csv")
    page = manager_client.post(_base(incident) + "affected/upload/", {"file": upload})
    assert page.status_code == 400
    text = page.content.decode()
    assert "Nothing was imported" in text and "nope is not an e-mail address" in text and "<td>4</td>" in text
    assert not AffectedCustomer.objects.exists()


def test_a_zero_byte_upload_is_refused_on_the_page(manager_client: Client):
    upload = SimpleUploadedFile("a.csv", b"", content_type="text/csv")
    page = manager_client.post(_base(make_incident()) + "affected/upload/", {"file": upload})
    assert page.status_code == 400 and "empty" in page.content.decode()


def test_upload_settings_preview_start_and_progress(manager_client: Client):
    incident = make_incident()
    upload = SimpleUploadedFile("a.csv", csv_bytes([*people(2), "olga@example.com,Ольга,ru,X"]))
    assert manager_client.post(_base(incident) + "affected/upload/", {"file": upload}).status_code == 302
    until = (timezone.localdate() + timedelta(days=1)).isoformat()
    saved = manager_client.post(
        _base(incident) + "settings/",
        {
            "remedy_kind": "discount_code",
            "percent": "20",
            "amount": "",
            "currency": "",
            "valid_until": until,
            "rate": "50",
        },
    )
    assert saved.status_code == 302
    preview = manager_client.get(_base(incident) + "preview/").content.decode()
    assert "Ольга" in preview and "The coach" in preview and preview.count('data-testid="preview"') == 2
    assert manager_client.post(_base(incident) + "start/").status_code == 302
    assert Campaign.objects.get().state == "sending"
    page = manager_client.get(_base(incident)).content.decode()
    assert 'hx-trigger="every 2s"' in page and "Sending" in page
    again = manager_client.post(_base(incident) + "start/", follow=True).content.decode()
    assert "started already" in again
    progress = manager_client.get(_base(incident) + "progress/").content.decode()
    assert 'data-testid="queued">3<' in progress


def test_bad_settings_are_shown_by_field(manager_client: Client):
    incident = make_incident()
    page = manager_client.post(
        _base(incident) + "settings/",
        {"remedy_kind": "refund", "percent": "abc", "valid_until": "", "rate": "x"},
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert "Write a number" in text and "whole number" in text and "as a date" in text


def test_the_export_defuses_formulas(manager_client: Client):
    incident = make_incident()
    import_csv(incident, csv_bytes(['ana@example.com,"=HYPERLINK(""http://x"")",en,@SUM(1)']))
    body = b"".join(manager_client.get(_base(incident)[:-1] + "/affected.csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert "'=HYPERLINK" in body and "'@SUM(1)" in body


def test_the_campaign_page_names_states_in_words(manager_client: Client):
    incident = make_incident()
    import_csv(incident, csv_bytes(people(1)))
    campaign = make_campaign(incident)
    from amends.campaigns.services import campaign_pause, campaign_start

    campaign_start(campaign=campaign)
    campaign_pause(campaign=campaign)
    text = manager_client.get(_base(incident), headers={"Accept-Language": "sk"}).content.decode()
    assert "Pozastavené" in text and ">paused<" not in text
