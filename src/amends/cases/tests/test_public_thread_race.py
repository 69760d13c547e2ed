"""Two comments by the same author in the same thread, arriving at the same instant, are one case.

Both requests are let past intake's first look for an open case before either stores anything (a barrier in the
look), which is the race: without a lock each would open a case of its own."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from amends.api.services import apikey_create
from amends.cases import intake
from amends.cases.models import Case, Message, PublicThread
from amends.customers.models import Customer, CustomerHandle

pytestmark = pytest.mark.django_db(transaction=True)

STORY = "Продавщица попросила меня подождать на улице, а там было минус тридцать. Это ужасно."


def comment(n: int, *, handle: str = "@Anna_K") -> dict:
    return {
        "customer": {"name": "Анна"},
        "description": f"{STORY} ({n})",
        "channel": "public_thread",
        "public": {
            "platform": "instagram",
            "handle": handle,
            "post_url": f"https://www.instagram.com/p/Cx1/c/{n}",
            "parent_url": "https://www.instagram.com/p/Cx1/",
            "followers": 2400,
        },
    }


def race(monkeypatch, bodies: list[dict]) -> list[int]:  # type: ignore[no-untyped-def]
    """Send the bodies at once, each past the first look for an open case before any of them stores; the status
    codes in order."""
    _record, key = apikey_create(name="connector")
    barrier = threading.Barrier(len(bodies), timeout=30)
    looked = threading.local()
    first_look = intake.public_thread_open_case

    def look(facts):  # type: ignore[no-untyped-def]
        found = first_look(facts)
        if not getattr(looked, "done", False):
            looked.done = True
            barrier.wait()
        return found

    monkeypatch.setattr(intake, "public_thread_open_case", look)
    codes: list[int | BaseException] = [0] * len(bodies)

    def send(index: int) -> None:
        try:
            client = Client(headers={"Authorization": f"Bearer {key}"})
            response = client.post("/api/v1/cases", json.dumps(bodies[index]), content_type="application/json")
            codes[index] = response.status_code
        except BaseException as error:  # reported by the assertion below
            codes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(isinstance(code, int) for code in codes), codes
    return codes  # type: ignore[return-value]


def test_two_comments_of_one_author_at_the_same_instant_open_one_case(monkeypatch):
    codes = race(monkeypatch, [comment(1), comment(2)])
    assert sorted(codes) == [200, 201], codes
    assert Case.objects.count() == 1 and PublicThread.objects.count() == 1
    case = Case.objects.get()
    assert Message.objects.filter(case=case, direction="in").count() == 2
    assert Customer.objects.count() == 1 and CustomerHandle.objects.count() == 1


def test_a_known_author_commenting_twice_at_once_after_their_case_closed_gets_one_new_case(monkeypatch):
    codes = race(monkeypatch, [comment(1)])
    assert codes == [201]
    Case.objects.update(status="closed")
    codes = race(monkeypatch, [comment(2), comment(3)])
    assert sorted(codes) == [200, 201], codes
    assert Case.objects.count() == 2 and Case.objects.exclude(status="closed").count() == 1


def test_two_authors_at_the_same_instant_in_one_thread_are_two_cases(monkeypatch):
    codes = race(monkeypatch, [comment(1), comment(2, handle="@onlooker")])
    assert codes == [201, 201]
    assert Case.objects.count() == 2
