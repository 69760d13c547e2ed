"""Affected customers by selection: everyone who ordered in the incident's window (the shop's orders), beside
everyone who complained; the service, the API and the console page."""

import json
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from amends.accounts.models import User
from amends.campaigns.models import AffectedCustomer
from amends.campaigns.selection import SelectionRefused, affected_select_complainants, affected_select_orders
from amends.campaigns.services import campaign_start
from amends.conftest import open_case
from amends.customers.models import Customer, CustomerHandle, Order
from amends.incidents.models import Incident, IncidentCase

from .factories import csv_bytes, import_csv, make_campaign, make_incident

pytestmark = pytest.mark.django_db


def customer(email: str | None, *, name: str = "", language: str = "") -> Customer:
    return Customer.objects.create(public_id=uuid.uuid4(), email=email, name=name, preferred_language=language)


def order(who: Customer, at: datetime, ref: str = "") -> Order:
    return Order.objects.create(
        customer=who,
        external_id=ref or f"ORD-{uuid.uuid4().hex[:8]}",
        placed_at=at,
        value=Decimal("49.90"),
        currency="EUR",
        created_at=timezone.now(),
    )


def affected_emails(incident: Incident) -> set[str]:
    return set(AffectedCustomer.objects.filter(incident=incident).values_list("customer__email", flat=True))


def test_customers_who_ordered_in_the_window_are_affected_and_the_others_not():
    incident = make_incident()
    inside = customer("in@example.com", name="Ina", language="sk")
    order(inside, incident.started_at + timedelta(minutes=30), "ORD-1")
    before = customer("before@example.com")
    order(before, incident.started_at - timedelta(days=1))
    after = customer("after@example.com")
    order(after, incident.ended_at + timedelta(hours=1))
    selected = affected_select_orders(incident=incident)
    assert (selected.found, selected.added, selected.already_named, selected.without_email) == (1, 1, 0, 0)
    assert affected_emails(incident) == {"in@example.com"}
    row = AffectedCustomer.objects.get(incident=incident)
    assert (row.name, row.language, row.order_reference, row.source) == ("Ina", "sk", "ORD-1", "orders")
    assert "1 customers who ordered" in selected.message


def test_the_window_includes_both_its_ends_and_nothing_a_second_beyond():
    incident = make_incident()
    start, end = incident.started_at, incident.ended_at
    for email, at in [
        ("at-start@example.com", start),
        ("at-end@example.com", end),
        ("second-early@example.com", start - timedelta(seconds=1)),
        ("second-late@example.com", end + timedelta(seconds=1)),
    ]:
        order(customer(email), at)
    affected_select_orders(incident=incident)
    assert affected_emails(incident) == {"at-start@example.com", "at-end@example.com"}


def test_an_incident_with_no_end_yet_runs_until_now():
    incident = make_incident()
    Incident.objects.filter(pk=incident.pk).update(ended_at=None)
    incident.refresh_from_db()
    now = timezone.now()
    order(customer("late@example.com"), now - timedelta(minutes=1))
    order(customer("future@example.com"), now + timedelta(hours=1))  # a clock gone wrong at the shop
    selected = affected_select_orders(incident=incident, now=now)
    assert selected.end == now and affected_emails(incident) == {"late@example.com"}


def test_a_window_the_manager_gives_replaces_the_incidents():
    incident = make_incident()
    order(customer("day-before@example.com"), incident.started_at - timedelta(days=1))
    order(customer("during@example.com"), incident.started_at + timedelta(minutes=5))
    selected = affected_select_orders(
        incident=incident, start=incident.started_at - timedelta(days=2), end=incident.started_at
    )
    assert selected.found == 1 and affected_emails(incident) == {"day-before@example.com"}


def test_nobody_in_the_window_stores_nothing_and_says_so():
    incident = make_incident()
    order(customer("old@example.com"), incident.started_at - timedelta(days=30))
    selected = affected_select_orders(incident=incident)
    assert (selected.found, selected.added) == (0, 0)
    assert selected.message.startswith("Nobody ordered between") and "nobody was added" in selected.message
    assert not AffectedCustomer.objects.exists()


def test_a_customer_known_only_by_a_handle_is_counted_and_not_written_to():
    incident = make_incident()
    handle_only = customer(None, name="Anna")
    CustomerHandle.objects.create(
        customer=handle_only, platform="instagram", handle="Anna_K", handle_key="anna_k", created_at=timezone.now()
    )
    order(handle_only, incident.started_at + timedelta(minutes=1))
    selected = affected_select_orders(incident=incident)
    assert (selected.found, selected.added, selected.without_email) == (1, 0, 1)
    assert "no e-mail address" in selected.message and not AffectedCustomer.objects.exists()


def test_several_orders_csv_and_complaints_name_one_customer_once():
    incident = make_incident()
    import_csv(incident, csv_bytes(["olga@example.com,Olga,ru,ORD-CSV"]))
    olga = Customer.objects.get(email="olga@example.com")
    order(olga, incident.started_at + timedelta(minutes=1))
    twice = customer("twice@example.com")
    order(twice, incident.started_at + timedelta(minutes=1), "ORD-A")
    order(twice, incident.started_at + timedelta(minutes=2), "ORD-B")
    selected = affected_select_orders(incident=incident)
    assert (selected.found, selected.added, selected.already_named) == (2, 1, 1)
    # Named by the upload first: that row stays as it was.
    assert AffectedCustomer.objects.get(customer=olga).source == "csv"
    assert AffectedCustomer.objects.get(customer=twice).order_reference == "ORD-B"
    again = affected_select_orders(incident=incident)
    assert (again.added, again.already_named) == (0, 2)
    case = open_case(email="twice@example.com").case
    IncidentCase.objects.create(incident=incident, case=case, how="linked", created_at=timezone.now())
    complained = affected_select_complainants(incident=incident)
    assert (complained.found, complained.added, complained.already_named) == (1, 0, 1)
    assert AffectedCustomer.objects.filter(incident=incident).count() == 2


def test_complainants_without_anyone_say_so():
    selected = affected_select_complainants(incident=make_incident())
    assert selected.found == 0 and "Nobody has complained" in selected.message


def test_a_window_that_ends_before_it_starts_or_has_no_time_zone_is_refused():
    incident = make_incident()
    with pytest.raises(SelectionRefused) as refused:
        affected_select_orders(incident=incident, start=incident.ended_at, end=incident.started_at)
    assert refused.value.field == "end" and "before it starts" in refused.value.message
    with pytest.raises(SelectionRefused) as naive:
        affected_select_orders(incident=incident, start=datetime(2026, 5, 1, 10, 0))  # noqa: DTZ001
    assert naive.value.field == "start" and "time zone" in naive.value.message


def test_once_the_campaign_has_started_nobody_is_added():
    incident = make_incident()
    import_csv(incident, csv_bytes(["olga@example.com,Olga,ru,ORD-CSV"]))
    campaign_start(campaign=make_campaign(incident))
    order(customer("late@example.com"), incident.started_at + timedelta(minutes=1))
    with pytest.raises(SelectionRefused) as refused:
        affected_select_orders(incident=incident)
    assert refused.value.conflict and "has started" in refused.value.message
    assert AffectedCustomer.objects.filter(incident=incident).count() == 1


# ---------------------------------------------------------------- the API


def _select(api: Client, incident: Incident, body: object):  # type: ignore[no-untyped-def]
    return api.post(
        f"/api/v1/incidents/{incident.public_id}/affected/selection", json.dumps(body), content_type="application/json"
    )


def test_api_selects_by_orders_and_running_it_again_adds_nobody(api: Client):
    incident = make_incident()
    order(customer("in@example.com"), incident.started_at + timedelta(minutes=1))
    first = _select(api, incident, {"source": "orders"})
    assert first.status_code == 200, first.content
    data = first.json()
    assert (data["source"], data["found"], data["added"], data["without_email"]) == ("orders", 1, 1, 0)
    assert data["start"] and data["end"] and data["message"]
    again = _select(api, incident, {"source": "orders"}).json()
    assert (again["added"], again["already_named"]) == (0, 1)


def test_api_takes_a_window_and_says_when_nobody_ordered_in_it(api: Client):
    incident = make_incident()
    order(customer("in@example.com"), incident.started_at + timedelta(minutes=1))
    answer = _select(
        api, incident, {"source": "orders", "start": "2020-01-01T00:00:00Z", "end": "2020-01-02T00:00:00Z"}
    )
    assert answer.status_code == 200 and answer.json()["added"] == 0
    assert answer.json()["message"].startswith("Nobody ordered") and not AffectedCustomer.objects.exists()


def test_api_selects_the_complainants(api: Client):
    incident = make_incident()
    case = open_case(email="olga@example.com").case
    IncidentCase.objects.create(incident=incident, case=case, how="linked", created_at=timezone.now())
    answer = _select(api, incident, {"source": "complainants"})
    assert answer.status_code == 200 and answer.json()["added"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source": "everyone"}, "source"),
        ({}, "source"),
        ({"source": "orders", "start": "2026-05-01T10:00:00"}, "start"),  # no offset
        ({"source": "orders", "start": "yesterday"}, "start"),
        ({"source": "orders", "start": "2026-05-02T10:00:00Z", "end": "2026-05-01T10:00:00Z"}, "end"),
        ({"source": "complainants", "start": "2026-05-01T10:00:00Z"}, "start"),
        ({"source": "orders", "products": ["checkout"]}, "products"),
    ],
)
def test_api_refuses_a_bad_selection_naming_the_field(api: Client, body: dict, field: str):
    incident = make_incident()
    order(customer("in@example.com"), incident.started_at + timedelta(minutes=1))
    answer = _select(api, incident, body)
    assert answer.status_code == 422, answer.content
    assert field in json.dumps(answer.json()) and not AffectedCustomer.objects.exists()


def test_api_refuses_a_selection_after_the_campaign_started_and_an_unknown_incident(api: Client):
    incident = make_incident()
    import_csv(incident, csv_bytes(["olga@example.com,Olga,ru,ORD-CSV"]))
    campaign_start(campaign=make_campaign(incident))
    assert _select(api, incident, {"source": "orders"}).status_code == 409
    missing = api.post(
        f"/api/v1/incidents/{uuid.uuid4()}/affected/selection",
        json.dumps({"source": "orders"}),
        content_type="application/json",
    )
    assert missing.status_code == 404
    assert (
        Client()
        .post(
            f"/api/v1/incidents/{incident.public_id}/affected/selection",
            json.dumps({"source": "orders"}),
            content_type="application/json",
        )
        .status_code
        == 401
    )


# ---------------------------------------------------------------- the console


@pytest.fixture
def manager_client(manager: User) -> Client:
    client = Client()
    client.force_login(manager)
    return client


def _base(incident: Incident) -> str:
    return f"/console/incidents/{incident.public_id}/campaign/"


def test_the_page_offers_the_selection_and_htmx_counts_the_window(manager_client: Client):
    incident = make_incident()
    order(customer("in@example.com"), incident.started_at + timedelta(minutes=1))
    page = manager_client.get(_base(incident)).content.decode()
    assert 'data-testid="orders-selection"' in page and "affected/orders/count/" in page
    count = manager_client.get(_base(incident) + "affected/orders/count/", {"start": "", "end": ""})
    assert count.status_code == 200 and "1 customer ordered between" in count.content.decode()
    wrong = manager_client.get(
        _base(incident) + "affected/orders/count/", {"start": "2026-05-02T10:00", "end": "2026-05-01T10:00"}
    )
    assert "before it starts" in wrong.content.decode()
    bad = manager_client.get(_base(incident) + "affected/orders/count/", {"start": "soon"})
    assert "valid date" in bad.content.decode()


def test_the_console_adds_who_ordered_and_says_how_many(manager_client: Client):
    incident = make_incident()
    order(customer("in@example.com"), incident.started_at + timedelta(minutes=1))
    answer = manager_client.post(_base(incident) + "affected/orders/", {"start": "", "end": ""}, follow=True)
    assert answer.status_code == 200
    assert "1 customers who ordered between" in answer.content.decode()
    assert affected_emails(incident) == {"in@example.com"}


def test_the_console_shows_a_bad_window_next_to_its_field_and_adds_nobody(manager_client: Client):
    incident = make_incident()
    order(customer("in@example.com"), incident.started_at + timedelta(minutes=1))
    answer = manager_client.post(
        _base(incident) + "affected/orders/", {"start": "2026-05-02T10:00", "end": "2026-05-01T10:00"}
    )
    assert answer.status_code == 400 and "before it starts" in answer.content.decode()
    garbage = manager_client.post(_base(incident) + "affected/orders/", {"start": "soon"})
    assert garbage.status_code == 400 and "valid date" in garbage.content.decode()
    assert not AffectedCustomer.objects.exists()


def test_the_console_says_when_nobody_ordered(manager_client: Client):
    incident = make_incident()
    answer = manager_client.post(_base(incident) + "affected/orders/", {}, follow=True)
    assert "Nobody ordered between" in answer.content.decode() and not AffectedCustomer.objects.exists()
