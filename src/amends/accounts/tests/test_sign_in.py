"""Console sign-in is throttled per account and per address, with growing pauses, and every failure is recorded."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client, RequestFactory

from amends.accounts import signin
from amends.accounts.models import SignInFailure, SignInThrottle, User
from amends.accounts.services import sign_in

pytestmark = pytest.mark.django_db

PAUSED = "signing in is paused"


def login_page(language: str = "en") -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True, headers={"Accept-Language": language})
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    return client, token


def attempt(client: Client, token: str, username: str, password: str, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": username, "password": password},
        REMOTE_ADDR=address,
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def rewind(minutes: float) -> None:
    """Let time pass for the throttle: every failure happened `minutes` earlier."""
    SignInThrottle.objects.update(last_failure_at=F("last_failure_at") - timedelta(minutes=minutes))


def test_the_pause_doubles_from_a_minute_to_an_hour():
    assert [signin.ACCOUNT.pause_after(n) for n in (4, 5, 6, 7)] == [
        timedelta(0),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert signin.ACCOUNT.pause_after(10) == timedelta(minutes=32)
    assert signin.ACCOUNT.pause_after(11) == timedelta(hours=1) == signin.ACCOUNT.pause_after(11_000)
    assert signin.ADDRESS.pause_after(19) == timedelta(0) < signin.ADDRESS.pause_after(20)


def test_thirty_wrong_passwords_then_the_right_one_is_refused(agent):
    client, token = login_page()
    responses = [attempt(client, token, "ana", f"guess-{n}") for n in range(30)]
    assert [r.status_code for r in responses] == [200] * 4 + [429] * 26
    assert "did not match" in responses[0].content.decode() and PAUSED not in responses[0].content.decode()
    # The fifth failure says both: wrong, and now paused.
    assert "did not match" in responses[4].content.decode() and PAUSED in responses[4].content.decode()
    assert "try again in 1 min." in responses[4].content.decode()
    assert re.search(r"try again in (\d\d? s|1 min)\.", responses[29].content.decode())
    right = attempt(client, token, "ana", "agent-password-1")
    assert right.status_code == 429 and PAUSED in right.content.decode()
    assert not signed_in(client)
    assert client.get("/console/").status_code == 302


def test_the_pause_is_told_plainly_in_the_users_language(agent):
    client, token = login_page("ru")
    for n in range(5):
        response = attempt(client, token, "ana", f"guess-{n}")
    assert response.status_code == 429
    assert "повторите попытку через 1 мин." in response.content.decode()


def test_a_different_account_from_the_same_address_still_signs_in(agent, manager):
    client, token = login_page()
    for n in range(30):
        attempt(client, token, "ana", f"guess-{n}")
    assert attempt(client, token, "milan", "manager-password-1").status_code == 302
    assert signed_in(client)


def test_twenty_failures_from_one_address_pause_every_account_from_it(agent):
    client, token = login_page()
    codes = [attempt(client, token, f"someone-{n}", "guess").status_code for n in range(20)]
    assert codes == [200] * 19 + [429]
    assert attempt(client, token, "ana", "agent-password-1").status_code == 429
    assert not signed_in(client)
    elsewhere, elsewhere_token = login_page()
    assert attempt(elsewhere, elsewhere_token, "ana", "agent-password-1", address="192.0.2.40").status_code == 302


def test_the_pause_ends_and_the_next_one_is_longer(agent):
    client, token = login_page()
    for n in range(5):
        attempt(client, token, "ana", f"guess-{n}")
    assert attempt(client, token, "ana", "agent-password-1").status_code == 429
    rewind(minutes=1.1)
    wrong = attempt(client, token, "ana", "guess-again")  # tried, wrong, and now paused for two minutes
    assert wrong.status_code == 429 and "did not match" in wrong.content.decode()
    assert "try again in 2 min." in wrong.content.decode()
    rewind(minutes=1.1)
    assert attempt(client, token, "ana", "agent-password-1").status_code == 429
    rewind(minutes=1)
    assert attempt(client, token, "ana", "agent-password-1").status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_clears_the_accounts_count(agent):
    client, token = login_page()
    for n in range(4):
        attempt(client, token, "ana", f"guess-{n}")
    assert attempt(client, token, "ana", "agent-password-1").status_code == 302
    client, token = login_page()
    codes = [attempt(client, token, "ana", f"guess-{n}").status_code for n in range(5)]
    assert codes == [200] * 4 + [429]


def test_a_quiet_day_forgets_the_failures(agent):
    client, token = login_page()
    for n in range(4):
        attempt(client, token, "ana", f"guess-{n}")
    rewind(minutes=24 * 60)
    codes = [attempt(client, token, "ana", f"guess-{n}").status_code for n in range(5)]
    assert codes == [200] * 4 + [429]


def test_every_failure_is_recorded_with_the_pause_it_started(agent):
    client, token = login_page()
    for n in range(8):
        attempt(client, token, "ana", f"guess-{n}", address="192.0.2.7")
    attempt(client, token, "nobody", "guess", address="192.0.2.8")
    failures = list(SignInFailure.objects.order_by("at", "pk"))
    # Five were checked and failed; the three made during the pause were refused unchecked and add no row.
    assert [(f.username, f.address, f.user) for f in failures] == [("ana", "192.0.2.7", agent)] * 5 + [
        ("nobody", "192.0.2.8", None)
    ]
    assert [f.paused_until is not None for f in failures] == [False] * 4 + [True, False]
    assert failures[4].paused_until - failures[4].at == timedelta(minutes=1)


def test_managers_see_failures_and_pauses_and_may_lift_a_pause(agent, manager):
    client, token = login_page()
    for n in range(5):
        attempt(client, token, "ana", f"guess-{n}")
    console = Client(enforce_csrf_checks=True)
    console.force_login(manager)
    page = console.get("/console/sign-ins/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="failure-row"') == 5 and html.count('data-testid="pause-row"') == 1
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    throttle = SignInThrottle.objects.get(scope="account", key="ana")
    lifted = console.post(f"/console/sign-ins/{throttle.pk}/lift/", {"csrfmiddlewaretoken": csrf})
    assert lifted.status_code == 302
    assert attempt(client, token, "ana", "agent-password-1").status_code == 302


def test_agents_may_not_see_the_sign_in_failures_nor_lift_a_pause(agent_client):
    assert agent_client.get("/console/sign-ins/").status_code == 403
    throttle = SignInThrottle.objects.create(scope="account", key="milan", failures=9)
    assert agent_client.post(f"/console/sign-ins/{throttle.pk}/lift/").status_code == 403
    throttle.refresh_from_db()
    assert throttle.failures == 9


@pytest.mark.django_db(transaction=True)
def test_tries_made_all_at_once_are_counted_one_after_another(agent: User):
    outcomes = []

    def guess(n: int) -> None:
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="192.0.2.50")
        try:
            outcomes.append(sign_in(request=request, username="ana", password=f"guess-{n}"))
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 12
    assert sum(outcome.checked for outcome in outcomes) == 5


@pytest.fixture(autouse=True)
def _quick_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    # Every checked try hashes a password; the production hasher's cost is not what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
