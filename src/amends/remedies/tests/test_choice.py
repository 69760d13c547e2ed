"""The customer chooses: a signed link per option, valid once and expiring, and the status page's buttons."""

import re
import threading
import time
import uuid
from html import escape

import pytest
from django.core import signing
from django.db import connection
from django.test import Client

from amends.accounts.services import user_create
from amends.cases.models import Case, CaseEvent
from amends.conftest import open_case
from amends.outbox.models import OutboxMessage
from amends.remedies.links import CHOICE_SALT, choice_token
from amends.remedies.models import ApprovalRequest, Remedy
from amends.remedies.presenting import remedy_text
from amends.remedies.services import ChoiceRefused, remedy_choose, remedy_offer

from .conftest import limits

pytestmark = pytest.mark.django_db


def offered_case() -> Case:
    return open_case(order_value="60", order_currency="EUR").case


def remedies_of(case: Case) -> list[Remedy]:
    return list(Remedy.objects.filter(case=case).order_by("position"))


def csrf_post(client: Client, page_url: str, action: str | None = None):  # type: ignore[no-untyped-def]
    """Load the page, then post its form with the CSRF token it carries, as a browser does."""
    page = client.get(page_url)
    html = page.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return client.post(action or page_url, {"csrfmiddlewaretoken": token})


def test_opening_the_link_asks_and_changes_nothing(offering_policy):
    case = offered_case()
    credit, _refund = remedies_of(case)
    response = Client().get(f"/r/{choice_token(credit)}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(remedy_text(credit, "ru")) in html  # what they get, in their own language
    assert 'method="post"' in html
    assert Remedy.objects.get(pk=credit.pk).state == "offered"
    assert not CaseEvent.objects.filter(case=case, kind="remedy_chosen").exists()


def test_the_customer_chooses_by_the_link_and_an_automatic_offer_is_granted_at_once(offering_policy):
    case = offered_case()
    credit, refund = remedies_of(case)
    client = Client(enforce_csrf_checks=True)
    response = csrf_post(client, f"/r/{choice_token(credit)}/")
    assert response.status_code == 200
    assert 'data-testid="remedy-chosen"' in response.content.decode()
    credit.refresh_from_db()
    refund.refresh_from_db()
    assert credit.state == "granted" and credit.granted_by is None and credit.granted_by_kind == "system"
    assert refund.state == "declined"
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-2:] == ["remedy_chosen", "remedy_granted"]
    assert OutboxMessage.objects.filter(dedupe_key=f"remedy-granted:{credit.pk}").exists()


def test_the_link_works_once(offering_policy):
    case = offered_case()
    credit, _refund = remedies_of(case)
    token = choice_token(credit)
    assert remedy_choose(token=token).granted
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(ChoiceRefused) as again:
        remedy_choose(token=token)
    assert again.value.code == "chosen" and again.value.status == 409
    response = csrf_post(Client(enforce_csrf_checks=True), f"/r/{token}/", action=f"/r/{token}/")
    assert response.status_code == 409
    assert "already chosen" in response.content.decode() or "уже выбрали" in response.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == events


def test_another_option_after_the_choice_is_told_plainly(offering_policy):
    case = offered_case()
    credit, refund = remedies_of(case)
    remedy_choose(token=choice_token(credit))
    with pytest.raises(ChoiceRefused) as refused:
        remedy_choose(token=choice_token(refund))
    assert refused.value.code == "taken"
    assert Client().get(f"/r/{choice_token(refund)}/").status_code == 409


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1],  # truncated
        lambda t: t[: len(t) // 2],
        lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"),  # forged signature
        lambda t: "x" + t,
        lambda t: "not-a-token",
        lambda t: "a" * 400,
    ],
)
def test_a_forged_or_truncated_link_is_refused_with_a_page_not_a_500(offering_policy, mangle):
    credit = remedies_of(offered_case())[0]
    token = mangle(choice_token(credit))
    get = Client().get(f"/r/{token}/")
    post = Client().post(f"/r/{token}/")
    assert get.status_code == 404 and post.status_code == 404
    assert 'data-testid="choice-refused"' in get.content.decode()
    assert Remedy.objects.get(pk=credit.pk).state == "offered"


def test_a_link_signed_for_something_else_is_refused(offering_policy):
    credit = remedies_of(offered_case())[0]
    for token in (signing.dumps(str(credit.public_id)), signing.dumps(str(uuid.uuid4()), salt=CHOICE_SALT)):
        with pytest.raises(ChoiceRefused) as refused:
            remedy_choose(token=token)
        assert refused.value.code == "invalid"


def test_an_expired_link_is_refused(offering_policy, monkeypatch):
    credit = remedies_of(offered_case())[0]
    long_ago = time.time() - 40 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: long_ago)
    token = choice_token(credit)
    monkeypatch.undo()
    response = Client().post(f"/r/{token}/")
    assert response.status_code == 410
    assert Remedy.objects.get(pk=credit.pk).state == "offered"


def test_an_offer_past_its_expiry_cannot_be_chosen(offering_policy):
    case = offered_case()
    credit = remedies_of(case)[0]
    Remedy.objects.filter(case=case).update(expires_at=credit.offered_at)
    with pytest.raises(ChoiceRefused) as refused:
        remedy_choose(token=choice_token(credit))
    assert refused.value.code == "offer_expired" and refused.value.status == 410
    assert Client().get(f"/r/{choice_token(credit)}/").status_code == 410


def test_an_option_that_was_never_offered_cannot_be_chosen(proposing_policy):
    credit = remedies_of(offered_case())[0]
    assert credit.state == "proposed"
    with pytest.raises(ChoiceRefused) as refused:
        remedy_choose(token=choice_token(credit))
    assert refused.value.code == "not_offered"
    assert Remedy.objects.get(pk=credit.pk).state == "proposed"


def test_a_choice_above_the_offering_agents_authority_goes_to_a_manager(proposing_policy, agent):
    limits(per_case="20")
    case = offered_case()
    remedy_offer(actor=agent, case=case)
    credit = remedies_of(case)[0]
    result = remedy_choose(token=choice_token(credit))
    assert not result.granted and result.refused_by == "per_case"
    assert ApprovalRequest.objects.get(remedy=credit).requested_by == agent
    response = Client().get(f"/r/{choice_token(credit)}/")
    assert response.status_code == 409  # chosen already: the page says so, and nothing moves


def test_the_choice_needs_the_csrf_token(offering_policy):
    credit = remedies_of(offered_case())[0]
    response = Client(enforce_csrf_checks=True).post(f"/r/{choice_token(credit)}/")
    assert response.status_code == 403
    assert Remedy.objects.get(pk=credit.pk).state == "offered"


# -- the status page ----------------------------------------------------------------------------------------


def status_client(status_url: str) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    response = client.get(status_url.replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 302
    return client, response["Location"]


def test_the_status_page_lists_the_options_with_a_button_each_and_a_wish_box(offering_policy):
    opened = open_case(order_value="60", order_currency="EUR")
    client, page = status_client(opened.status_url)
    html = client.get(page).content.decode()
    assert html.count('data-testid="choose"') == 2
    assert html.count('action="/r/') == 2 and "csrfmiddlewaretoken" in html
    assert 'name="text"' in html  # something else, in their own words
    assert "<script>" not in html.split("</head>")[1] and " style=" not in html and " onclick=" not in html


def test_a_choice_on_the_status_page_is_confirmed_and_the_buttons_go(offering_policy):
    opened = open_case(order_value="60", order_currency="EUR")
    client, page = status_client(opened.status_url)
    html = client.get(page).content.decode()
    action = re.search(r'action="(/r/[^"]+)"', html).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(action, {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    after = client.get(page).content.decode()
    assert 'data-testid="choose"' not in after and 'data-testid="remedy-state"' in after
    assert Remedy.objects.filter(case=opened.case, state="granted").count() == 1


def test_the_customer_asks_for_something_else_from_the_status_page(offering_policy):
    opened = open_case(order_value="60", order_currency="EUR")
    client, page = status_client(opened.status_url)
    html = client.get(page).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(f"{page}remedies/other/", {"csrfmiddlewaretoken": token, "text": "Хочу обмен на 42."})
    assert response.status_code == 302
    assert CaseEvent.objects.filter(case=opened.case, kind="remedy_other_asked").exists()
    empty = client.post(f"{page}remedies/other/", {"csrfmiddlewaretoken": token, "text": "   "})
    assert empty.status_code == 400


def test_a_stranger_cannot_use_the_status_pages_wish_box(offering_policy):
    opened = open_case()
    response = Client().post(f"/status/{opened.case.public_id}/remedies/other/", {"text": "Give me everything"})
    assert response.status_code == 404
    assert not CaseEvent.objects.filter(case=opened.case, kind="remedy_other_asked").exists()


# -- two tabs -----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_tabs_choosing_different_options_at_once_make_exactly_one_choice(offering_policy):
    user_create(username="ana", password="agent-password-1", role="agent")
    case = offered_case()
    tokens = [choice_token(r) for r in remedies_of(case)]
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def choose(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = remedy_choose(token=tokens[index])
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=choose, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [o for o in outcomes if isinstance(o, ChoiceRefused)]
    assert len(refused) == 1 and refused[0].code == "taken", outcomes
    states = sorted(Remedy.objects.filter(case=case).values_list("state", flat=True))
    assert states == ["declined", "granted"]
    assert CaseEvent.objects.filter(case=case, kind="remedy_chosen").count() == 1
