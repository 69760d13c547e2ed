from datetime import timedelta

import pytest
from django.utils import timezone

from amends.accounts.models import Team
from amends.cases.lifecycle import Status
from amends.cases.models import ActorKind, Case
from amends.cases.services import case_transition
from amends.conftest import open_case


def resolve(case: Case, *, at=None) -> Case:  # type: ignore[no-untyped-def]
    case_transition(case=case, to=Status.RESOLVED, actor_kind=ActorKind.AGENT, at=at)
    case.refresh_from_db()
    return case


@pytest.fixture(autouse=True)
def _taxonomy(request) -> None:  # type: ignore[no-untyped-def]
    """The root-cause taxonomy a data migration seeds: a transactional test elsewhere in the run flushes it."""
    names = request.fixturenames
    if "transactional_db" in names or "db" in names or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("migration_seeds")


@pytest.fixture
def team(db) -> Team:  # type: ignore[no-untyped-def]
    return Team.objects.create(name="Fulfilment")


@pytest.fixture
def resolved(db) -> Case:  # type: ignore[no-untyped-def]
    return resolve(open_case().case)


@pytest.fixture
def tomorrow():  # type: ignore[no-untyped-def]
    return timezone.localdate() + timedelta(days=1)


@pytest.fixture
def followups(settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Tasks run at once (the immediate backend), and the callbacks a transaction leaves for its commit run when
    the block ends (the test's own transaction never commits): the follow-up of an answer runs through its task."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)
