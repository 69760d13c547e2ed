"""The console: the case page's remedies, one-click actions, the inbox's time to first offer, the approvals queue."""

import re

import pytest
from django.test import Client

from amends.accounts.models import User
from amends.cases.models import CaseEvent
from amends.conftest import open_case
from amends.core.tests.test_csp import INLINE
from amends.remedies.links import choice_token
from amends.remedies.models import ApprovalRequest, Remedy
from amends.remedies.services import remedy_grant

from .conftest import limits

pytestmark = pytest.mark.django_db


def staff(user: User, language: str = "en") -> Client:
    client = Client(enforce_csrf_checks=True, headers={"Accept-Language": language})
    client.force_login(user)
    return client


def post_form(client: Client, page: str, action: str, **data: str):  # type: ignore[no-untyped-def]
    html = client.get(page).content.decode()
    assert f'action="{action}"' in html, f"no form posts to {action}"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return client.post(action, {"csrfmiddlewaretoken": token, **data})


def test_the_case_page_shows_the_options_with_their_words_value_state_and_why(offering_policy, agent):
    limits(per_case="20")
    case = open_case(order_value="60", order_currency="EUR").case
    html = staff(agent).get(f"/console/cases/{case.public_id}/").content.decode()
    panel = html[html.index('data-testid="remedies"') :]
    assert panel.count('data-testid="remedy"') == 2
    assert "Store credit" in panel and "€30.00" in panel and "Offered" in panel
    assert "Store credit of €30.00 to spend on anything in our shop" in panel  # plain words, the agent's language
    assert "<details" in panel and "Policy v2, rule 1 “Every case”" in panel
    assert "needs approval" in panel  # 30 EUR is above a 20 EUR limit
    assert re.search(r"offered \d+(\.\d)? s after the complaint", panel)
    assert "€20.00 per case" in panel
    assert not INLINE.search(html)


def test_an_agent_grants_in_one_click_from_the_case_page(proposing_policy, agent):
    limits(per_case="50")
    case = open_case(order_value="60", order_currency="EUR").case
    credit = case.remedies.get(kind="store_credit")
    client = staff(agent)
    page = f"/console/cases/{case.public_id}/"
    response = post_form(client, page, f"/console/cases/{case.public_id}/remedies/{credit.public_id}/grant/")
    assert response.status_code == 302
    assert Remedy.objects.get(pk=credit.pk).state == "granted"
    after = client.get(page).content.decode()
    assert "Granted." in after and "Code" in after


def test_above_authority_the_agent_is_told_a_manager_was_asked(proposing_policy, agent):
    limits(per_case="20")
    case = open_case(order_value="60", order_currency="EUR").case
    credit = case.remedies.get(kind="store_credit")
    client = staff(agent)
    page = f"/console/cases/{case.public_id}/"
    post_form(client, page, f"/console/cases/{case.public_id}/remedies/{credit.public_id}/grant/")
    after = client.get(page).content.decode()
    assert "a manager has been asked to approve it" in after
    assert "Waiting for a manager" in after


def test_an_agent_offers_and_withdraws_from_the_case_page(proposing_policy, agent):
    case = open_case(order_value="60", order_currency="EUR").case
    client = staff(agent)
    page = f"/console/cases/{case.public_id}/"
    post_form(client, page, f"/console/cases/{case.public_id}/remedies/offer/")
    assert set(case.remedies.values_list("state", flat=True)) == {"offered"}
    refund = case.remedies.get(kind="refund")
    post_form(client, page, f"/console/cases/{case.public_id}/remedies/{refund.public_id}/withdraw/")
    assert Remedy.objects.get(pk=refund.pk).state == "withdrawn"
    # A second grant of a withdrawn option is refused with a plain message, and nothing moves.
    response = client.post(
        f"/console/cases/{case.public_id}/remedies/{refund.public_id}/grant/",
        {"csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 302
    assert "Not granted" in client.get(page).content.decode()
    assert Remedy.objects.get(pk=refund.pk).state == "withdrawn"


def test_the_inbox_shows_the_time_to_first_offer(offering_policy, agent):
    open_case()
    html = staff(agent).get("/console/").content.decode()
    # A drawn clock (no emoji a font may lack), then the delay.
    assert re.search(r'class="badge offer-delay"[^>]*><svg class="icon".*?</svg> \d+(\.\d)? s<', html)


def test_managers_see_the_approvals_queue_and_decide_in_one_click(proposing_policy, agent, manager):
    limits(per_case="20")
    first = open_case(order_value="60", order_currency="EUR").case
    second = open_case(email="b@example.com", order_value="60", order_currency="EUR").case
    for case in (first, second):
        remedy_grant(actor=agent, remedy=case.remedies.get(kind="store_credit"))
    assert staff(agent).get("/console/approvals/").status_code == 403
    client = staff(manager)
    html = client.get("/console/approvals/").content.decode()
    assert html.count('data-testid="approval"') == 2 and first.reference in html
    assert not INLINE.search(html)
    one = first.remedies.get(kind="store_credit")
    two = second.remedies.get(kind="store_credit")
    post_form(client, "/console/approvals/", f"/console/approvals/{one.public_id}/approve/", reason="Loyal")
    assert Remedy.objects.get(pk=one.pk).state == "granted"
    # Rejecting needs a reason: without one nothing changes and the manager is told.
    token = client.cookies["csrftoken"].value
    client.post(f"/console/approvals/{two.public_id}/reject/", {"csrfmiddlewaretoken": token, "reason": ""})
    assert Remedy.objects.get(pk=two.pk).state == "approval_requested"
    client.post(f"/console/approvals/{two.public_id}/reject/", {"csrfmiddlewaretoken": token, "reason": "No"})
    assert Remedy.objects.get(pk=two.pk).state == "rejected"
    assert ApprovalRequest.objects.get(remedy=two).decided_by == manager
    # The agent sees the outcome on the case.
    page = staff(agent).get(f"/console/cases/{second.public_id}/").content.decode()
    assert "Rejected" in page and "Milan" in page
    assert CaseEvent.objects.filter(case=second, kind="remedy_rejected").exists()
    assert client.get("/console/approvals/").content.decode().count('data-testid="approval"') == 0


def test_an_agent_cannot_decide_approvals(proposing_policy, agent):
    limits(per_case="20")
    case = open_case(order_value="60", order_currency="EUR").case
    credit = remedy_grant(actor=agent, remedy=case.remedies.get(kind="store_credit")).remedy
    client = staff(agent)
    client.get("/console/")
    token = client.cookies["csrftoken"].value
    response = client.post(f"/console/approvals/{credit.public_id}/approve/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 403
    assert Remedy.objects.get(pk=credit.pk).state == "approval_requested"


def test_the_choice_pages_have_no_inline_script_or_style(offering_policy):
    credit = open_case().case.remedies.get(kind="store_credit")
    token = choice_token(credit)
    asking = Client().get(f"/r/{token}/")
    chosen = Client().post(f"/r/{token}/")
    refused = Client().get("/r/forged/")
    for response in (asking, chosen, refused):
        assert not INLINE.search(response.content.decode())
    assert refused.status_code == 404


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", "Да, выбрать это"), ("bg", "Да, избирам това"), ("sr", "Да, бирам ово"), ("sk", "Áno, vyberám si toto")],
)
def test_the_choice_page_speaks_the_customers_language(offering_policy, language, words):
    credit = open_case(language=language).case.remedies.get(kind="store_credit")
    html = Client().get(f"/r/{choice_token(credit)}/").content.decode()
    assert words in html


def _granted_credit(agent: User) -> tuple[Client, str, Remedy]:
    limits(per_case="50")
    case = open_case(order_value="60", order_currency="EUR").case
    credit = case.remedies.get(kind="store_credit")
    remedy_grant(actor=agent, remedy=credit)
    return staff(agent), f"/console/cases/{case.public_id}/", credit


def test_an_agent_marks_a_granted_remedy_fulfilled_by_hand(proposing_policy, agent):
    client, page, credit = _granted_credit(agent)
    action = f"{page}remedies/{credit.public_id}/settle/"
    response = post_form(client, page, action, status="fulfilled")
    assert response.status_code == 302
    credit.refresh_from_db()
    assert credit.state == "fulfilled" and credit.settled_at is not None
    event = CaseEvent.objects.get(case=credit.case, kind=CaseEvent.Kind.REMEDY_FULFILLED)
    assert event.actor == agent and event.actor_kind == "agent"
    after = client.get(page).content.decode()
    assert "Marked as fulfilled." in after and 'data-testid="settle"' not in after


def test_an_agent_marks_a_remedy_failed_only_with_a_reason(proposing_policy, agent):
    client, page, credit = _granted_credit(agent)
    action = f"{page}remedies/{credit.public_id}/settle/"
    post_form(client, page, action, status="failed", reason="   ")
    credit.refresh_from_db()
    assert credit.state == "granted"
    assert "Say why the fulfilment failed." in client.get(page).content.decode()
    assert not CaseEvent.objects.filter(case=credit.case, kind=CaseEvent.Kind.REMEDY_FAILED).exists()

    post_form(client, page, action, status="failed", reason="The shop has no stock left")
    credit.refresh_from_db()
    assert credit.state == "failed" and credit.failure_reason == "The shop has no stock left"
    event = CaseEvent.objects.get(case=credit.case, kind=CaseEvent.Kind.REMEDY_FAILED)
    assert event.data["reason"] == "The shop has no stock left" and event.actor == agent
    assert "The shop has no stock left" in client.get(page).content.decode()


def test_settling_refuses_a_bad_status_and_a_remedy_not_granted(proposing_policy, agent):
    limits(per_case="50")
    case = open_case(order_value="60", order_currency="EUR").case
    credit = case.remedies.get(kind="store_credit")
    client = staff(agent)
    page = f"/console/cases/{case.public_id}/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(page).content.decode()).group(1)
    action = f"{page}remedies/{credit.public_id}/settle/"
    assert client.post(action, {"csrfmiddlewaretoken": token, "status": "fulfilled"}).status_code == 302
    assert Remedy.objects.get(pk=credit.pk).state == "proposed"  # not granted: refused, nothing changed
    assert "Not recorded" in client.get(page).content.decode()
    remedy_grant(actor=agent, remedy=credit)
    client.post(action, {"csrfmiddlewaretoken": token, "status": "lost"})
    assert Remedy.objects.get(pk=credit.pk).state == "granted"
    assert "The status is fulfilled or failed." in client.get(page).content.decode()
