"""The remedy lifecycle as an explicit state machine. Pure Python: no Django import.

proposed → offered → chosen → (approval requested → approved | rejected) → granted → fulfilled | failed;
or declined / expired / withdrawn. In full:

- proposed: the policy (or an agent) put it forward; the customer has not seen it. → offered, withdrawn
- offered: the customer sees it among the options. → chosen, declined (the customer said no or chose another),
  expired (the offer ran out), withdrawn (the company took it back)
- chosen: the customer picked it. → granted (within the agent's authority), approval requested (above it),
  withdrawn
- approval requested: waiting for a manager. → approved, rejected, withdrawn
- approved: a manager said yes. → granted, withdrawn
- granted: the company committed to it; fulfilment starts. → fulfilled, failed
- fulfilled, failed, rejected, declined, expired, withdrawn: final.

Once granted, a remedy is a promise: it cannot be withdrawn, only fulfilled or found to have failed (a failed
fulfilment is retried by the outbox before it is declared failed, and then a new remedy is proposed). Anything
not listed is an illegal transition and changes nothing.
"""

from enum import StrEnum


class State(StrEnum):
    PROPOSED = "proposed"
    OFFERED = "offered"
    CHOSEN = "chosen"
    APPROVAL_REQUESTED = "approval_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    GRANTED = "granted"
    FULFILLED = "fulfilled"
    FAILED = "failed"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


TRANSITIONS: dict[State, frozenset[State]] = {
    State.PROPOSED: frozenset({State.OFFERED, State.WITHDRAWN}),
    State.OFFERED: frozenset({State.CHOSEN, State.DECLINED, State.EXPIRED, State.WITHDRAWN}),
    State.CHOSEN: frozenset({State.APPROVAL_REQUESTED, State.GRANTED, State.WITHDRAWN}),
    State.APPROVAL_REQUESTED: frozenset({State.APPROVED, State.REJECTED, State.WITHDRAWN}),
    State.APPROVED: frozenset({State.GRANTED, State.WITHDRAWN}),
    State.GRANTED: frozenset({State.FULFILLED, State.FAILED}),
    State.FULFILLED: frozenset(),
    State.FAILED: frozenset(),
    State.REJECTED: frozenset(),
    State.DECLINED: frozenset(),
    State.EXPIRED: frozenset(),
    State.WITHDRAWN: frozenset(),
}

FINAL = frozenset(state for state, targets in TRANSITIONS.items() if not targets)
# Still open to the customer's choice or the company's decision: what an expiry sweep or a withdrawal looks at.
PENDING = frozenset({State.PROPOSED, State.OFFERED, State.CHOSEN, State.APPROVAL_REQUESTED, State.APPROVED})


class IllegalTransition(Exception):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"a remedy cannot go from {current} to {target}")
        self.current = current
        self.target = target


class UnknownState(ValueError):
    def __init__(self, state: str) -> None:
        super().__init__(f"{state!r} is not a remedy state")
        self.state = state


def _state(value: str) -> State:
    try:
        return State(value)
    except ValueError:
        raise UnknownState(value) from None


def allowed(current: str, target: str) -> bool:
    return _state(target) in TRANSITIONS[_state(current)]


def check(current: str, target: str) -> None:
    if not allowed(current, target):
        raise IllegalTransition(current, target)


def advance(current: str, target: str) -> State:
    """The new state, or IllegalTransition (UnknownState for a name that is no state) and nothing changes."""
    check(current, target)
    return State(target)
