import itertools

import pytest

from amends.remedies import lifecycle
from amends.remedies.lifecycle import FINAL, TRANSITIONS, IllegalTransition, State, UnknownState

# The lifecycle as the issue states it, written out independently of TRANSITIONS.
ALLOWED = {
    ("proposed", "offered"),
    ("proposed", "withdrawn"),
    ("offered", "chosen"),
    ("offered", "declined"),
    ("offered", "expired"),
    ("offered", "withdrawn"),
    ("chosen", "approval_requested"),
    ("chosen", "granted"),
    ("chosen", "withdrawn"),
    ("approval_requested", "approved"),
    ("approval_requested", "rejected"),
    ("approval_requested", "withdrawn"),
    ("approved", "granted"),
    ("approved", "withdrawn"),
    ("granted", "fulfilled"),
    ("granted", "failed"),
}
ALL_PAIRS = list(itertools.product([str(s) for s in State], repeat=2))


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_transitions_advance(current, target):
    assert lifecycle.advance(current, target) == State(target)


@pytest.mark.parametrize(("current", "target"), [pair for pair in ALL_PAIRS if pair not in ALLOWED])
def test_every_other_transition_is_refused(current, target):
    with pytest.raises(IllegalTransition) as refused:
        lifecycle.advance(current, target)
    assert (refused.value.current, refused.value.target) == (current, target)
    assert not lifecycle.allowed(current, target)


def test_the_table_holds_exactly_the_issues_lifecycle():
    table = {(str(a), str(b)) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == ALLOWED


def test_final_states_lead_nowhere():
    assert {
        State.FULFILLED,
        State.FAILED,
        State.REJECTED,
        State.DECLINED,
        State.EXPIRED,
        State.WITHDRAWN,
    } == FINAL


def test_a_granted_remedy_cannot_be_withdrawn():
    with pytest.raises(IllegalTransition):
        lifecycle.check("granted", "withdrawn")


@pytest.mark.parametrize(("current", "target"), [("paid", "granted"), ("offered", "paid"), ("", "offered")])
def test_a_name_that_is_no_state_is_refused(current, target):
    with pytest.raises(UnknownState):
        lifecycle.advance(current, target)
