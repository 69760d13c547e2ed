"""Appointment slots: the team's calendar, the next free times offered with an appointment, the customer's pick
(atomic: one slot, two customers, one booking), the confirmation in their language, and the console page."""

import re
import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from amends.accounts.models import Team, User
from amends.cases.models import Case, CaseEvent
from amends.conftest import open_case
from amends.core.tests.test_csp import INLINE
from amends.outbox.models import OutboxMessage
from amends.remedies.links import choice_token
from amends.remedies.models import AppointmentSlot, Remedy, RemedyPolicy, SlotBooking
from amends.remedies.presenting import remedy_text
from amends.remedies.services import ChoiceRefused, remedy_choose, remedy_withdraw
from amends.remedies.slots_service import SlotError, slot_add, slot_book, slot_remove

from .conftest import policy_activate

pytestmark = pytest.mark.django_db

APPOINTMENT = """\
version = 2
currency = "EUR"

[defaults]
auto_offer = false

[[defaults.options]]
kind = "apology"

[[defaults.options]]
kind = "store_credit"
fixed = 5

[[rules]]
name = "Meet them"
auto_offer = true

[[rules.options]]
kind = "appointment"
slots = 3

[[rules.options]]
kind = "store_credit"
fixed = 10
"""


@pytest.fixture
def appointment_policy(db) -> RemedyPolicy:  # type: ignore[no-untyped-def]
    return policy_activate(APPOINTMENT)


@pytest.fixture
def team(db) -> Team:  # type: ignore[no-untyped-def]
    return Team.objects.create(name="Care")


def day_at(days: int, hour: int, minute: int = 0) -> datetime:
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days, hours=hour, minutes=minute)


def make_slots(team: Team, *starts: datetime, capacity: int = 1) -> list[AppointmentSlot]:
    boss = User.objects.filter(role=User.Role.MANAGER).first() or User.objects.create(
        username="boss", role=User.Role.MANAGER
    )
    return [
        slot_add(actor=boss, team=team, starts_at=s, ends_at=s + timedelta(minutes=30), capacity=capacity)
        for s in starts
    ]


def appointment_of(case: Case) -> Remedy:
    return Remedy.objects.select_related("case").get(case=case, kind="appointment")


def test_an_appointment_is_offered_with_the_teams_next_free_times(appointment_policy, team):
    full = make_slots(team, day_at(1, 9))[0]
    AppointmentSlot.objects.filter(pk=full.pk).update(booked=1)
    free = make_slots(team, day_at(1, 11), day_at(1, 10), day_at(2, 10), day_at(3, 10))
    remedy = appointment_of(open_case().case)
    assert remedy.state == "offered"
    offered = [entry["id"] for entry in remedy.details["slots_offered"]]
    assert offered == [str(free[1].public_id), str(free[0].public_id), str(free[2].public_id)]  # next 3, in time order
    words = remedy_text(remedy, "ru")
    assert words.startswith("Личная встреча") and "10:00" in words and "11:00" in words


def test_without_free_times_the_appointment_says_times_will_follow(appointment_policy, team):
    remedy = appointment_of(open_case().case)
    assert remedy.details["slots_offered"] == []
    assert remedy_text(remedy, "en") == (
        "A personal appointment at a time that suits you: we will send you times to choose from."
    )


def test_the_customer_picks_a_time_and_the_confirmation_names_it_in_their_language(appointment_policy, team):
    slots = make_slots(team, day_at(2, 10), day_at(2, 10, 30))
    case = open_case().case
    remedy = appointment_of(case)
    result = remedy_choose(token=choice_token(remedy), slot=str(slots[1].public_id))
    assert result.granted
    remedy.refresh_from_db()
    assert remedy.state in ("granted", "fulfilled") and remedy.details["booked_slot"]["id"] == str(slots[1].public_id)
    assert AppointmentSlot.objects.get(pk=slots[1].pk).booked == 1
    assert SlotBooking.objects.get(remedy=remedy).slot_id == slots[1].pk
    mail = OutboxMessage.objects.get(dedupe_key=f"remedy-granted:{remedy.pk}")
    body = mail.body
    assert "Личная встреча" in body and "10:30" in body and "(UTC)" in body
    event = CaseEvent.objects.get(case=case, kind="remedy_chosen")
    assert event.data["slot"]["id"] == str(slots[1].public_id)


def test_choosing_an_appointment_without_a_time_asks_for_one_and_changes_nothing(appointment_policy, team):
    make_slots(team, day_at(2, 10))
    remedy = appointment_of(open_case().case)
    with pytest.raises(ChoiceRefused) as refused:
        remedy_choose(token=choice_token(remedy))
    assert refused.value.code == "pick_time"
    with pytest.raises(ChoiceRefused) as refused:
        remedy_choose(token=choice_token(remedy), slot="not-a-slot")
    assert refused.value.code == "pick_time"
    assert Remedy.objects.get(pk=remedy.pk).state == "offered"
    assert not SlotBooking.objects.exists()


def test_a_slot_of_another_team_cannot_be_booked(appointment_policy, team):
    other = Team.objects.create(name="Elsewhere")
    theirs = make_slots(other, day_at(2, 10))[0]
    make_slots(team, day_at(2, 11))
    case = open_case().case
    Case.objects.filter(pk=case.pk).update(team=team)
    remedy = appointment_of(case)
    with pytest.raises(ChoiceRefused):
        remedy_choose(token=choice_token(remedy), slot=str(theirs.public_id))
    assert AppointmentSlot.objects.get(pk=theirs.pk).booked == 0


def test_a_withdrawn_choice_gives_the_time_back(appointment_policy, team, manager):
    slot = make_slots(team, day_at(2, 10))[0]
    remedy = appointment_of(open_case().case)
    # An appointment has no value, so a choice is granted at once; a chosen one waiting (say, for a manager) is
    # what can still be withdrawn: put it there with its place booked, as the choice leaves it.
    Remedy.objects.filter(pk=remedy.pk).update(state="chosen")
    slot_book(remedy=remedy, slot_id=str(slot.public_id), at=timezone.now())
    assert AppointmentSlot.objects.get(pk=slot.pk).booked == 1
    remedy_withdraw(actor=manager, remedy=remedy, reason="the shop is closed that day")
    assert AppointmentSlot.objects.get(pk=slot.pk).booked == 0 and not SlotBooking.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_customers_one_slot_exactly_one_gets_it_and_the_other_is_shown_the_times_left(team):
    policy_activate(APPOINTMENT)
    last, other = make_slots(team, day_at(3, 10), day_at(3, 11))
    cases = [open_case(email=f"c{i}@example.com").case for i in range(2)]
    tokens = [choice_token(appointment_of(c)) for c in cases]
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def choose(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = remedy_choose(token=tokens[index], slot=str(last.public_id))
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
    assert len(refused) == 1 and refused[0].code == "slot_taken", outcomes
    assert AppointmentSlot.objects.get(pk=last.pk).booked == 1
    assert SlotBooking.objects.count() == 1
    loser = cases[outcomes.index(refused[0])]
    assert appointment_of(loser).state == "offered"  # the choice rolled back with the booking
    assert CaseEvent.objects.filter(case=loser, kind="remedy_chosen").count() == 0
    # The loser's page tells them and shows the time still free.
    client = Client(enforce_csrf_checks=True)
    page = f"/r/{tokens[outcomes.index(refused[0])]}/"
    html = client.get(page).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    again = client.post(page, {"csrfmiddlewaretoken": csrf, "slot": str(last.public_id)})
    text = again.content.decode()
    assert again.status_code == 409 and 'data-testid="choice-error"' in text
    assert str(other.public_id) in text and str(last.public_id) not in text


def test_the_choice_page_lists_the_times_as_choices(appointment_policy, team):
    slots = make_slots(team, day_at(2, 10), day_at(2, 14))
    remedy = appointment_of(open_case().case)
    html = Client().get(f"/r/{choice_token(remedy)}/").content.decode()
    assert html.count('data-testid="slot"') == 2
    assert all(str(s.public_id) in html for s in slots)
    assert not INLINE.search(html)


# -- the console's calendar --------------------------------------------------------------------------------


def staff(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def post(client: Client, action: str, **data: object):  # type: ignore[no-untyped-def]
    html = client.get("/console/calendar/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    return client.post(action, {"csrfmiddlewaretoken": token, **data})


def test_an_agent_adds_a_weekday_series_and_a_single_slot_to_their_teams_calendar(agent, team):
    agent.team = team
    agent.save(update_fields=["team"])
    client = staff(agent)
    html = client.get("/console/calendar/").content.decode()
    assert "Appointment calendar: Care" in html and not INLINE.search(html)
    first = (timezone.localdate() + timedelta(days=1)).isoformat()
    last = (timezone.localdate() + timedelta(days=14)).isoformat()
    response = post(
        client,
        "/console/calendar/series/",
        team=team.pk,
        first=first,
        last=last,
        weekdays=["0", "1", "2", "3", "4"],
        day_start="10:00",
        day_end="16:00",
        minutes="30",
        capacity="1",
    )
    assert response.status_code == 302
    weekdays = sum(1 for d in range(1, 15) if (timezone.localdate() + timedelta(days=d)).weekday() < 5)
    assert AppointmentSlot.objects.filter(team=team).count() == weekdays * 12
    # The same series again adds nothing twice.
    post(
        client,
        "/console/calendar/series/",
        team=team.pk,
        first=first,
        last=last,
        weekdays=["0", "1", "2", "3", "4"],
        day_start="10:00",
        day_end="16:00",
        minutes="30",
        capacity="1",
    )
    assert AppointmentSlot.objects.filter(team=team).count() == weekdays * 12
    response = post(client, "/console/calendar/add/", team=team.pk, day=first, start="17:00", end="18:00", capacity=3)
    assert response.status_code == 302
    assert AppointmentSlot.objects.get(team=team, capacity=3).ends_at - AppointmentSlot.objects.get(
        team=team, capacity=3
    ).starts_at == timedelta(hours=1)


@pytest.mark.parametrize(
    ("action", "data", "words"),
    [
        ("add/", {"day": "2020-01-01", "start": "10:00", "end": "11:00", "capacity": 1}, "must start in the future"),
        ("add/", {"day": "2099-01-01", "start": "11:00", "end": "10:00", "capacity": 1}, "must end after it starts"),
        ("add/", {"day": "2099-01-01", "start": "10:00", "end": "11:00", "capacity": 0}, "greater than or equal to 1"),
        ("add/", {"day": "tomorrow", "start": "10:00", "end": "11:00", "capacity": 1}, "Enter a valid date"),
        (
            "series/",
            {
                "first": "2099-01-10",
                "last": "2099-01-01",
                "weekdays": ["0"],
                "day_start": "10:00",
                "day_end": "16:00",
                "minutes": 30,
                "capacity": 1,
            },
            "The last day is before the first",
        ),
        (
            "series/",
            {
                "first": "2099-01-01",
                "last": "2099-01-10",
                "weekdays": ["0"],
                "day_start": "16:00",
                "day_end": "10:00",
                "minutes": 30,
                "capacity": 1,
            },
            "The day must end after it starts",
        ),
        (
            "series/",
            {
                "first": "2099-01-01",
                "last": "2099-12-31",
                "weekdays": ["0"],
                "day_start": "10:00",
                "day_end": "16:00",
                "minutes": 30,
                "capacity": 1,
            },
            "at most three months",
        ),
    ],
)
def test_it_rejects_a_slot_or_series_that_cannot_be_and_stores_nothing(manager, team, action, data, words):
    response = post(staff(manager), f"/console/calendar/{action}", team=team.pk, **data)
    assert response.status_code == 422 and words in response.content.decode()
    assert not AppointmentSlot.objects.exists()


def test_free_slots_are_removed_booked_ones_stay(manager, team):
    free, taken = make_slots(team, day_at(2, 10), day_at(2, 11))
    AppointmentSlot.objects.filter(pk=taken.pk).update(booked=1)
    client = staff(manager)
    assert post(client, f"/console/calendar/{free.public_id}/remove/").status_code == 302
    assert not AppointmentSlot.objects.filter(pk=free.pk).exists()
    post(client, f"/console/calendar/{taken.public_id}/remove/")
    assert AppointmentSlot.objects.filter(pk=taken.pk).exists()
    with pytest.raises(SlotError):
        slot_remove(actor=manager, slot=taken)


def test_an_agent_cannot_touch_another_teams_calendar(agent, team):
    other = Team.objects.create(name="Elsewhere")
    agent.team = team
    agent.save(update_fields=["team"])
    theirs = make_slots(other, day_at(2, 10))[0]
    client = staff(agent)
    assert client.get(f"/console/calendar/?team={other.pk}").status_code == 404
    assert post(client, f"/console/calendar/{theirs.public_id}/remove/").status_code == 404
    with pytest.raises(SlotError):
        slot_add(actor=agent, team=other, starts_at=day_at(3, 10), ends_at=day_at(3, 11))
    assert AppointmentSlot.objects.filter(team=other).count() == 1


# -- the API -----------------------------------------------------------------------------------------------


def test_the_api_shows_the_times_and_chooses_one(appointment_policy, team, api):
    from .test_api import post

    slots = make_slots(team, day_at(2, 10), day_at(2, 11))
    case = open_case().case
    remedy = appointment_of(case)
    listed = api.get(f"/api/v1/cases/{case.public_id}/remedies").json()
    appointment = next(r for r in listed if r["kind"] == "appointment")
    assert [s["id"] for s in appointment["slots"]] == [str(s.public_id) for s in slots]
    assert appointment["booked_slot"] is None
    token = choice_token(remedy)
    missing = post(api, "/api/v1/remedies/choose", {"token": token})
    assert missing.status_code == 422 and missing.json()["detail"]
    chosen = post(api, "/api/v1/remedies/choose", {"token": token, "slot": str(slots[1].public_id)})
    assert chosen.status_code == 200, chosen.content
    assert chosen.json()["remedy"]["booked_slot"]["id"] == str(slots[1].public_id)
    other = open_case(email="other@example.com").case
    taken = post(
        api, "/api/v1/remedies/choose", {"token": choice_token(appointment_of(other)), "slot": str(slots[1].public_id)}
    )
    assert taken.status_code == 409 and AppointmentSlot.objects.get(pk=slots[1].pk).booked == 1
