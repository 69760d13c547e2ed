"""Where apps that build on cases (aftercare, incidents, …) hear of a case's life without cases importing them.

The one way amends lets an app listen (there used to be a second, a Django signal in triage/hooks.py): cases owns
the lists; another app registers a function in its AppConfig.ready(), so the import arrows run one way
(aftercare → cases, incidents → cases), never back. Plain function calls were kept over Django signals because they
are the simpler of the two: typed arguments instead of `sender` and `**kwargs`, no `dispatch_uid` to dodge double
registration, the order is the registration order, and each list says in one place what a failure does (logged
and the rest run, or undoes the transaction). The house style names signals an anti-pattern for the same reasons.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from amends.triage.models import CaseTriage

    from .models import Case

logger = logging.getLogger(__name__)

# Called after a new case is stored, triaged and clustered (outside intake's transaction): f(case).
OpenedHook = Callable[["Case"], None]
# Called once a new case was triaged (its CaseTriage row stored, clustered), after intake's transaction committed:
# f(case, record). Incidents link a complaint to the incident it belongs to here.
TriagedHook = Callable[["Case", "CaseTriage"], None]
# Called inside case_transition's transaction, after the status changed: f(case, current, to, at).
TransitionHook = Callable[["Case", str, str, datetime], None]

_opened: list[OpenedHook] = []
_triaged: list[TriagedHook] = []
_transitions: list[TransitionHook] = []


def on_case_opened(hook: OpenedHook) -> None:
    if hook not in _opened:
        _opened.append(hook)


def on_case_triaged(hook: TriagedHook) -> None:
    if hook not in _triaged:
        _triaged.append(hook)


def on_case_transition(hook: TransitionHook) -> None:
    if hook not in _transitions:
        _transitions.append(hook)


def case_opened(case: "Case") -> None:
    """A failure here must never lose the complaint (it is already stored): it is logged and the rest run."""
    for hook in _opened:
        try:
            hook(case)
        except Exception:
            logger.exception("a case-opened hook failed for %s", case.reference)


def case_triaged(case: "Case", record: "CaseTriage") -> None:
    """As case_opened: the complaint is stored; a hook that fails is logged and the rest run."""
    for hook in _triaged:
        try:
            hook(case, record)
        except Exception:
            logger.exception("after triage, %s failed for %s", getattr(hook, "__qualname__", hook), case.reference)


def case_transitioned(case: "Case", current: str, to: str, at: datetime) -> None:
    """Part of the transition's transaction: a hook that fails undoes the transition with it."""
    for hook in _transitions:
        hook(case, current, to, at)
