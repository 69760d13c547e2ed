import pytest

from amends.cases import lifecycle
from amends.cases.lifecycle import IllegalTransition, Status


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "acknowledged"),
        ("acknowledged", "in_progress"),
        ("in_progress", "waiting"),
        ("waiting", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
        ("resolved", "in_progress"),
        ("closed", "in_progress"),
    ],
)
def test_allowed_transitions(current, target):
    lifecycle.check(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "closed"),
        ("closed", "resolved"),
        ("waiting", "closed"),
        ("resolved", "waiting"),
        ("closed", "new"),
        ("in_progress", "new"),
        ("acknowledged", "closed"),
    ],
)
def test_illegal_transitions_are_refused(current, target):
    with pytest.raises(IllegalTransition):
        lifecycle.check(current, target)


def test_reopen_is_only_from_resolved_or_closed():
    assert lifecycle.is_reopen(Status.CLOSED, Status.IN_PROGRESS)
    assert lifecycle.is_reopen(Status.RESOLVED, Status.IN_PROGRESS)
    assert not lifecycle.is_reopen(Status.WAITING, Status.IN_PROGRESS)


def test_every_priority_has_targets_and_resolution_comes_after_first_response():
    for priority in lifecycle.Priority:
        first, resolution = lifecycle.TARGETS[priority]
        assert first < resolution
