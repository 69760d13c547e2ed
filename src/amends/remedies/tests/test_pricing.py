"""Every complaint, on every channel, is priced by the remedy policy before the request that brought it returns."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amends.cases.models import Case, CaseEvent
from amends.conftest import open_case
from amends.intake.tests.helpers import mail, receive
from amends.outbox.models import OutboxMessage
from amends.remedies.facts import case_facts, complaint_days_from_counts
from amends.remedies.links import choice_token_read
from amends.remedies.models import Remedy, RemedyPolicy
from amends.remedies.policy_file import load
from amends.remedies.selectors import policy_active, policy_forget, rate_table
from amends.triage.defaults import DEFAULT_CATEGORIES

from .conftest import DEFAULT_POLICY, SIMPLE, policy_activate, rate

pytestmark = pytest.mark.django_db


def ack_of(case: Case) -> OutboxMessage:
    return OutboxMessage.objects.get(case=case, dedupe_key=f"ack:{case.pk}")


def links_in(body: str) -> list[str]:
    return re.findall(r"https?://\S+/r/([^/\s]+)/", body)


# -- the shipped policy -------------------------------------------------------------------------------------


def test_the_shipped_policy_reads_cleanly_against_the_default_taxonomy():
    slugs = [slug for slug, _name, _description in DEFAULT_CATEGORIES]
    policy = load(DEFAULT_POLICY.read_text(encoding="utf-8"), categories=slugs, home="EUR")
    assert policy.version == 1 and policy.currency == "EUR"
    named = {value for rule in policy.rules for c in rule.conditions if c.fact == "category" for value in c.values}
    assert named <= set(slugs)
    # Each category of the taxonomy but the catch-all has a rule of its own.
    assert set(slugs) - named == set()
    assert any(rule.apology_only for rule in policy.rules) and any(rule.auto_offer for rule in policy.rules)


def test_the_shipped_policy_is_version_1_and_active_in_a_new_installation():
    record = RemedyPolicy.objects.get(is_active=True)
    assert record.version == 1
    assert record.source == DEFAULT_POLICY.read_text(encoding="utf-8")
    active = policy_active()
    assert active is not None and active.version == 1 and active.windows == (90,)


# -- intake, every channel --------------------------------------------------------------------------------


def test_a_complaint_through_the_form_has_options_offered_in_its_acknowledgement(offering_policy):
    client = Client(enforce_csrf_checks=True, headers={"Accept-Language": "sk"})
    page = client.get("/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(
        "/",
        {
            "csrfmiddlewaretoken": token,
            "description": "Prišli mi topánky o dve čísla menšie.",
            "email": "jana@example.sk",
            "order_value": "60",
            "order_currency": "EUR",
        },
    )
    assert response.status_code == 200
    case = Case.objects.get()
    remedies = list(case.remedies.order_by("position"))
    assert [(r.kind, r.state, r.amount) for r in remedies] == [
        ("store_credit", "offered", Decimal("30.000")),
        ("refund", "offered", Decimal("30.000")),
    ]
    assert case.first_offer_at is not None and case.first_offer_at == remedies[0].offered_at
    assert all(r.expires_at and r.expires_at > case.first_offer_at + timedelta(days=13) for r in remedies)
    body = ack_of(case).body
    tokens = links_in(body)
    assert [choice_token_read(t) for t in tokens] == [r.public_id for r in remedies]
    assert "Poukážka na 30,00" in body  # the words the customer reads, in their language


def test_a_complaint_through_the_api_is_priced_in_the_request(offering_policy, api):
    response = api.post(
        "/api/v1/cases",
        json.dumps(
            {
                "customer": {"email": "marko@example.com"},
                "description": "Stigle su patike broj 41 umesto 43.",
                "order": {"value": "20.00", "currency": "EUR"},
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    case = Case.objects.get(public_id=response.json()["id"])
    assert case.remedies.filter(state="offered").count() == 2
    # Half the order is 10.00, but the option's floor is 5: 10.00 it is.
    assert case.remedies.get(kind="refund").amount == Decimal("10.000")
    assert len(links_in(ack_of(case).body)) == 2


def test_a_complaint_by_email_is_priced_on_arrival(offering_policy):
    case = receive(mail("Dobrý deň, objednávka prišla poškodená.", message_id="<p1@example.sk>"))
    assert case.channel == "email"
    assert case.remedies.filter(state="offered").count() == 2
    assert case.first_offer_at is not None
    assert len(links_in(ack_of(case).body)) == 2


def test_a_case_the_policy_does_not_call_low_risk_waits_for_an_agent(proposing_policy):
    case = open_case().case
    assert list(case.remedies.values_list("state", flat=True)) == ["proposed", "proposed"]
    assert case.first_offer_at is None
    assert links_in(ack_of(case).body) == []
    priced = case.events.get(kind="remedies_priced")
    assert priced.data["rule"] == "Every case" and priced.data["auto_offer"] is False
    assert not case.events.filter(kind="remedies_offered").exists()


def test_the_default_policy_offers_a_wrong_size_a_replacement_at_once(default_policy):
    case = open_case(order_value="89.90", order_currency="EUR").case
    remedies = list(case.remedies.order_by("position"))
    assert [r.kind for r in remedies] == ["replacement", "refund", "store_credit"]
    assert {r.state for r in remedies} == {"offered"}
    replacement = remedies[0]
    assert replacement.why["rule"] == "Wrong item or size" and replacement.home_amount == Decimal("89.900")
    assert replacement.policy_id == default_policy.pk
    assert "Мы отправим" in ack_of(case).body or "замен" in ack_of(case).body.lower()


def test_every_remedy_records_its_policy_version_why_and_value_at_home(offering_policy):
    rate("USD", "0.90")
    case = open_case(order_value="100", order_currency="USD").case
    refund = case.remedies.get(kind="refund")
    assert (refund.amount, refund.currency) == (Decimal("50.000"), "USD")
    assert refund.home_amount == Decimal("45.000")
    assert refund.rate_used["rate"] == {"currency": "USD", "date": "2020-01-01", "rate": "0.90000000"}
    assert refund.policy_id == offering_policy.pk and refund.why["policy_version"] == offering_policy.version
    assert [step["code"] for step in refund.why["steps"]][:2] == ["percent_of_order", "at_least"]
    credit = case.remedies.get(kind="store_credit")
    # 30 EUR at 0.90 is 33.33 USD, rounded half up; back home (29.997) it rounds to the cent the policy said.
    assert (credit.amount, credit.currency, credit.home_amount) == (Decimal("33.330"), "USD", Decimal("30.000"))


def test_an_order_in_a_currency_without_a_rate_is_stored_without_options_and_says_why(offering_policy):
    case = open_case(order_value="1500", order_currency="RSD").case
    assert not case.remedies.exists()
    event = case.events.get(kind="remedies_priced")
    assert event.data["missing_rate"] == "RSD" and event.data["options"] == []


def test_without_an_active_policy_complaints_are_taken_without_options(db):
    RemedyPolicy.objects.update(is_active=False)
    policy_forget()
    case = open_case().case
    assert not case.remedies.exists() and case.first_offer_at is None
    assert ack_of(case)


def test_a_failure_of_pricing_never_loses_the_complaint(offering_policy, monkeypatch):
    import amends.remedies.services as services

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the evaluator broke")

    monkeypatch.setattr(services, "evaluate", broken)
    case = open_case().case
    assert Case.objects.filter(pk=case.pk).exists() and not case.remedies.exists()
    assert ack_of(case)


def test_a_new_policy_version_never_changes_an_offer_already_made(offering_policy):
    case = open_case(order_value="60", order_currency="EUR").case
    before = list(case.remedies.values_list("kind", "amount", "policy_id", "state"))
    policy_activate(SIMPLE.replace("{auto}", "true").replace("fixed = 30", "fixed = 80"))
    later = open_case(email="other@example.com", order_value="60", order_currency="EUR").case
    assert list(case.remedies.values_list("kind", "amount", "policy_id", "state")) == before
    assert later.remedies.get(kind="store_credit").amount == Decimal("80.000")


REPEAT = """\
version = 5
currency = "EUR"

[defaults]
[[defaults.options]]
kind = "store_credit"
fixed = 10
[[defaults.options]]
kind = "apology"

[[rules]]
name = "Again"
[rules.when]
complaints = { within_days = 30, at_least = 2 }
[[rules.options]]
kind = "store_credit"
fixed = 40
[[rules.options]]
kind = "apology"
"""


def test_a_customers_earlier_complaints_count_from_the_intakes_own_query(db):
    policy_activate(REPEAT)
    first = open_case().case
    assert first.events.get(kind="remedies_priced").data["rule"] is None  # a first complaint: the defaults
    second = open_case(description="Опять не тот размер прислали!").case
    assert second.events.get(kind="remedies_priced").data["rule"] == "Again"
    assert second.remedies.get(kind="store_credit").amount == Decimal("40.000")


def test_complaint_counts_become_days_that_give_every_window_its_count():
    days = complaint_days_from_counts({30: 1, 90: 3, 365: 3})
    assert days == (30, 90, 90)
    for window, count in {30: 1, 90: 3, 365: 3}.items():
        assert sum(1 for d in days if d <= window) == count


def test_facts_read_outside_intake_match_the_case(offering_policy):
    rate("USD", "0.90")
    case = open_case(order_value="100", order_currency="USD").case
    open_case(description="И снова не тот размер.")
    facts = case_facts(case=Case.objects.select_related("customer").get(pk=case.pk), windows=(30,))
    assert facts.order_value is not None and str(facts.order_value) == "100.00 USD"
    assert facts.channel == "form" and facts.language == "ru" and facts.category == case.triage.category.slug
    assert facts.complaint_days == ()  # the later case is not an earlier complaint


def test_pricing_costs_the_intake_two_inserts(db):
    RemedyPolicy.objects.update(is_active=False)
    policy_forget()
    open_case(email="warm@example.com")  # caches warm: brand, categories, templates, policy
    with CaptureQueriesContext(connection) as without:
        open_case(email="a@example.com")
    policy_activate(SIMPLE.replace("{auto}", "true"))
    policy_active(), rate_table()  # read once per process every few seconds, not per complaint
    with CaptureQueriesContext(connection) as priced:
        case = open_case(email="b@example.com").case
    assert case.remedies.count() == 2
    assert len(priced) - len(without) <= 2, "\n".join(q["sql"][:100] for q in priced.captured_queries)


def test_the_timeline_shows_options_offered_to_the_customer(offering_policy):
    case = open_case().case
    offered = case.events.get(kind="remedies_offered")
    assert offered.public and offered.data["by"] == "policy"
    assert CaseEvent.objects.get(case=case, kind="remedies_priced").public is False
    assert Remedy.objects.filter(case=case, offered_by_kind="system").count() == 2
