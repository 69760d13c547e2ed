from datetime import timedelta

from django.test import Client
from django.utils import timezone

from amends.aftercare.advocates import recovery_paradox
from amends.aftercare.models import RootCauseCategory, SurveyText
from amends.aftercare.services import root_cause_record
from amends.conftest import open_case
from amends.customers.models import Customer, Order
from amends.customers.selectors import customer_value_around
from amends.triage.models import CaseTriage

from .conftest import resolve


def _order(customer: Customer, ref: str, at, value: int = 20) -> None:  # type: ignore[no-untyped-def]
    Order.objects.create(customer=customer, external_id=ref, placed_at=at, value=value, currency="EUR", created_at=at)


def test_value_before_and_after_the_complaint(opened):
    case = opened.case
    _order(case.customer, "A", case.created_at - timedelta(days=30), 50)
    _order(case.customer, "B", case.created_at + timedelta(days=3), 20)
    _order(case.customer, "C", case.created_at + timedelta(days=9), 25)
    value = customer_value_around(customer_id=case.customer_id, at=case.created_at)
    assert (value.orders_before, value.orders_after) == (1, 2)
    assert str(value.before["EUR"]) == "50.00" and str(value.after["EUR"]) == "45.00"


def test_the_recovery_paradox_compares_complainants_with_the_quiet_baseline(db):
    now = timezone.now()
    long_ago = now - timedelta(days=200)
    loyal = resolve(open_case(email="loyal@example.com").case, at=long_ago)
    lapsed = resolve(open_case(email="lapsed@example.com").case, at=long_ago)
    for i in range(3):
        _order(loyal.customer, f"L{i}", long_ago + timedelta(days=10 + i))
    _order(lapsed.customer, "X1", long_ago + timedelta(days=150))  # outside the 90 days after
    quiet = [Customer.objects.create(public_id=__import__("uuid").uuid4(), email=f"q{i}@example.com") for i in range(2)]
    _order(quiet[0], "Q1", now - timedelta(days=5))
    _order(quiet[1], "Q2", now - timedelta(days=400))  # outside the baseline window
    paradox = recovery_paradox(now=now)
    assert (paradox.complainants, paradox.baseline_customers) == (2, 2)
    assert paradox.baseline_rate == 0.5 and paradox.complainant_rate == 1.5
    assert paradox.more_loyal == 1 and paradox.share == 0.5


def test_the_playbook_page_shows_the_categorys_root_causes(manager, resolved):
    client = Client()
    client.force_login(manager)
    category = CaseTriage.objects.get(case=resolved).category
    root_cause_record(category="supplier", text="The factory changed the last.", actor=manager, case=resolved)
    page = client.get(f"/console/playbooks/{category.slug}/")
    assert page.status_code == 200
    assert b'data-testid="playbook-root-causes"' in page.content and b"changed the last" in page.content


def test_the_case_page_shows_the_customers_value(agent_client, opened):
    _order(opened.case.customer, "V1", opened.case.created_at + timedelta(days=1), 30)
    page = agent_client.get(f"/console/cases/{opened.case.public_id}/").content.decode()
    assert 'data-testid="customer-value"' in page and "1 order since" in page


def test_managers_edit_the_taxonomy_the_delay_and_the_texts(manager):
    client = Client()
    client.force_login(manager)
    assert client.get("/console/aftercare/").status_code == 200
    client.post("/console/aftercare/", {"form": "category", "name": "Weather"})
    assert RootCauseCategory.objects.filter(slug="weather", is_active=True).exists()
    client.post("/console/aftercare/", {"form": "category", "slug": "weather", "name": "Weather", "is_active": "off"})
    assert not RootCauseCategory.objects.get(slug="weather").is_active
    bad = client.post(
        "/console/aftercare/",
        {
            "form": "settings",
            "survey_enabled": "on",
            "survey_delay_hours": "24",
            "reminder_after_hours": "9999",
            "link_valid_days": "7",
        },
    )
    assert bad.status_code == 400
    client.post(
        "/console/aftercare/",
        {
            "form": "settings",
            "survey_enabled": "on",
            "survey_delay_hours": "24",
            "reminder_after_hours": "48",
            "link_valid_days": "7",
        },
    )
    from amends.aftercare.surveys import aftercare_settings

    assert aftercare_settings().survey_delay_hours == 24
    refused = client.post(
        "/console/aftercare/",
        {
            "form": "text",
            "purpose": "survey",
            "language": "sk",
            "subject": "Ako sme si poradili?",
            "body": "Bez odkazov",
        },
    )
    assert refused.status_code == 400 and not SurveyText.objects.exists()
    client.post(
        "/console/aftercare/",
        {
            "form": "text",
            "purpose": "survey",
            "language": "sk",
            "subject": "Ako sme si poradili?",
            "body": "Kliknite:\n{score_links}",
        },
    )
    assert SurveyText.objects.get().language == "sk"


def test_the_recovery_paradox_is_counted_by_the_database_not_in_python(db):
    """A fixed number of queries, each one a count: no case or order row crosses into Python, however many."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    now = timezone.now()
    long_ago = now - timedelta(days=200)
    for n in range(4):
        case = resolve(open_case(email=f"c{n}@example.com").case, at=long_ago)
        late = long_ago + timedelta(days=100)  # after the 90 days: not counted
        for i in range(n):
            _order(case.customer, f"C{n}-{i}", long_ago + timedelta(days=5 + i))
        _order(case.customer, f"C{n}-late", late)
    quiet = Customer.objects.create(public_id=__import__("uuid").uuid4(), email="quiet@example.com")
    _order(quiet, "Q1", now - timedelta(days=5))
    with CaptureQueriesContext(connection) as queries:
        paradox = recovery_paradox(now=now)
    assert (paradox.complainants, paradox.baseline_rate, paradox.complainant_rate) == (4, 1.0, 1.5)
    assert paradox.more_loyal == 2  # two orders and three orders beat one
    statements = [q["sql"].upper() for q in queries.captured_queries]
    assert len(statements) <= 5
    assert all("COUNT(" in sql for sql in statements), statements
