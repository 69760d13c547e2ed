import pytest

from amends.cases.models import CaseEvent, Message
from amends.conftest import open_case

pytestmark = pytest.mark.django_db

BLAMING = "Вы сами виноваты, надо было смотреть таблицу размеров."


def test_the_reply_box_is_coached_as_the_agent_types(agent_client):
    case = open_case().case
    html = agent_client.post(f"/console/cases/{case.public_id}/coach/", {"body": BLAMING}).content.decode()
    assert 'data-rule="blame"' in html and "сами виноваты" in html
    assert agent_client.post(f"/console/cases/{case.public_id}/coach/", {"body": " "}).content == b""


def test_a_blocking_finding_stops_the_reply_until_overridden(agent_client):
    case = open_case().case
    refused = agent_client.post(f"/console/cases/{case.public_id}/reply/", {"body": BLAMING})
    assert refused.status_code == 400 and "Send anyway" in refused.content.decode()
    assert not Message.objects.filter(case=case, direction="out").exists()
    sent = agent_client.post(f"/console/cases/{case.public_id}/reply/", {"body": BLAMING, "override": "1"})
    assert sent.status_code == 302
    event = case.events.get(kind=CaseEvent.Kind.COACH_OVERRIDE)
    assert event.data["rules"] == ["blame"]


def test_script_in_a_draft_is_shown_escaped(agent_client):
    case = open_case().case
    # The demand for proof spans the script, so the coach quotes it back: the quote must be text, not markup.
    html = agent_client.post(
        f"/console/cases/{case.public_id}/coach/", {"body": "Пришлите <script>alert(1)</script> фото чека."}
    ).content.decode()
    assert 'data-rule="proof"' in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
