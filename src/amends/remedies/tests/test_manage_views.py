"""The managers' pages: policy editor (check, preview, activate, import, export, history), rates and budgets.
Agents are refused and do not see the links."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from amends.accounts.models import Team
from amends.conftest import open_case
from amends.core.tests.test_csp import INLINE
from amends.remedies.models import ExchangeRate, PersonalAuthority, RemedyPolicy, TeamBudget

from .conftest import SIMPLE

pytestmark = pytest.mark.django_db

GOOD = SIMPLE.replace("{auto}", "false")
PAGES = ["/console/remedies/policy/", "/console/remedies/rates/", "/console/remedies/budgets/"]


def staff(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


def post(client: Client, page: str, action: str, data: dict) -> object:
    html = client.get(page).content.decode()
    assert f'action="{action}' in html, f"no form posts to {action}"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    return client.post(action, {"csrfmiddlewaretoken": token, **data})


@pytest.mark.parametrize("page", [*PAGES, "/console/remedies/policy/v1/", "/console/remedies/policy/v1/export/"])
def test_agents_are_refused_the_manager_pages(default_policy, agent, page):
    assert staff(agent).get(page).status_code == 403


def test_agents_do_not_see_the_links_and_managers_do(default_policy, agent, manager):
    assert "/console/remedies/policy/" not in staff(agent).get("/console/").content.decode()
    html = staff(manager).get("/console/").content.decode()
    assert all(page in html for page in PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_render_for_a_manager_without_inline_script_or_style(default_policy, manager, page):
    response = staff(manager).get(page)
    assert response.status_code == 200
    assert not INLINE.search(response.content.decode())


def test_the_policy_page_shows_the_active_version_in_words_and_toml(default_policy, manager):
    html = staff(manager).get("/console/remedies/policy/").content.decode()
    assert "Active: version 1" in html
    assert html.count('data-testid="rule-words"') >= 3
    assert "[[rules]]" in html  # the TOML, in the editor and under "As TOML"


def test_a_bad_draft_shows_each_problem_with_its_line_and_activates_nothing(default_policy, manager):
    client = staff(manager)
    bad = GOOD.replace("fixed = 30", "fixed = 30\ncolour = 3")
    response = post(client, PAGES[0], PAGES[0], {"source": bad, "action": "activate"})
    html = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 400  # type: ignore[attr-defined]
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if "colour" in text)
    assert f"Line {line}" in html and "colour" in html and "Nothing was changed" in html
    assert "colour = 3" in html  # the draft is kept in the editor
    assert RemedyPolicy.objects.get(is_active=True).version == 1


def test_a_manager_previews_then_activates(default_policy, manager):
    open_case(order_value="60", order_currency="EUR")
    open_case(email="petra@example.com", order_value="20", order_currency="EUR")
    client = staff(manager)
    html = post(client, PAGES[0], PAGES[0], {"source": GOOD, "action": "preview"}).content.decode()  # type: ignore[attr-defined]
    assert 'data-testid="preview"' in html and "last 2 cases" in html
    assert "1. Every case" in html
    assert html.count('data-testid="preview-change"') == 2  # the default policy offered something else
    assert RemedyPolicy.objects.get(is_active=True).version == 1  # a preview changes nothing
    response = post(client, PAGES[0], PAGES[0], {"source": GOOD, "action": "activate", "note": "one rule"})
    assert response.status_code == 302  # type: ignore[attr-defined]
    active = RemedyPolicy.objects.get(is_active=True)
    assert (active.version, active.note, active.created_by) == (2, "one rule", manager)
    after = client.get(PAGES[0]).content.decode()
    assert "Version 2 is active" in after and "Active: version 2" in after


def test_export_import_and_an_old_version(default_policy, manager):
    client = staff(manager)
    exported = client.get("/console/remedies/policy/v1/export/")
    assert exported["Content-Disposition"] == 'attachment; filename="remedy-policy-v1.toml"'
    assert exported.content.decode() == default_policy.source
    html = client.get("/console/remedies/policy/v1/").content.decode()
    assert "version 1" in html and 'data-testid="version-source"' in html
    upload = SimpleUploadedFile("p.toml", GOOD.replace('currency = "EUR"', 'currency = "EUX"').encode())
    refused = post(client, PAGES[0], "/console/remedies/policy/import/", {"file": upload})
    assert refused.status_code == 400 and "Line 2" in refused.content.decode()  # type: ignore[attr-defined]
    binary = SimpleUploadedFile("p.toml", b"\xff\xfe\x00bad")
    assert "not UTF-8" in post(client, PAGES[0], "/console/remedies/policy/import/", {"file": binary}).content.decode()  # type: ignore[attr-defined]
    upload = SimpleUploadedFile("p.toml", GOOD.encode())
    accepted = post(client, PAGES[0], "/console/remedies/policy/import/", {"file": upload})
    assert accepted.status_code == 200 and "Every case" in accepted.content.decode()  # type: ignore[attr-defined]
    assert RemedyPolicy.objects.count() == 1  # imported into the editor, not activated
    assert client.get("/console/remedies/policy/v99/").status_code == 404


def test_rates_page_adds_a_rate_and_explains_a_bad_one(manager):
    client = staff(manager)
    page = "/console/remedies/rates/"
    bad = post(client, page, page, {"currency": "EUR", "valid_from": "2026-01-05", "rate": "-2"})
    html = bad.content.decode()  # type: ignore[attr-defined]
    assert bad.status_code == 400 and "home currency" in html and "positive number" in html  # type: ignore[attr-defined]
    assert not ExchangeRate.objects.exists()
    good = post(client, page, page, {"currency": "USD", "valid_from": "2026-01-05", "rate": "0.91"})
    assert good.status_code == 302  # type: ignore[attr-defined]
    assert "USD" in client.get(page).content.decode() and ExchangeRate.objects.get().created_by == manager


def test_budgets_page_sets_budgets_warns_at_80_and_manages_personal_authority(manager, agent):
    team = Team.objects.create(name="Shoes")
    client = staff(manager)
    page = "/console/remedies/budgets/?month=2026-03"
    bad = post(
        client,
        page,
        "/console/remedies/budgets/?month=2026-03",
        {"form": "budget", "team": team.pk, "month": "2026-03", "amount": "-1"},
    )
    assert bad.status_code == 400 and not TeamBudget.objects.exists()  # type: ignore[attr-defined]
    post(
        client,
        page,
        "/console/remedies/budgets/?month=2026-03",
        {"form": "budget", "team": team.pk, "month": "2026-03", "amount": "1000"},
    )
    TeamBudget.objects.update(spent=850)
    assert 'data-testid="warn"' in client.get(page).content.decode()
    TeamBudget.objects.update(spent=1000)
    assert 'data-testid="over"' in client.get(page).content.decode()
    post(
        client,
        page,
        "/console/remedies/budgets/",
        {"form": "authority", "user": agent.pk, "per_case": "80", "per_day": ""},
    )
    assert PersonalAuthority.objects.get(user=agent).per_case == 80
    post(client, page, "/console/remedies/budgets/", {"form": "remove", "user": agent.pk})
    assert not PersonalAuthority.objects.exists()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ru", "Политика компенсаций"),
        ("bg", "Политика за обезщетения"),
        ("sr", "Политика накнада"),
        ("sr-latn", "Politika naknada"),
        ("sk", "Pravidlá odškodnenia"),
    ],
)
def test_the_policy_page_speaks_the_managers_language(default_policy, manager, language, words):
    client = Client(headers={"Accept-Language": language})
    client.force_login(manager)
    html = client.get(PAGES[0]).content.decode()
    assert words in html and "Active: version" not in html
