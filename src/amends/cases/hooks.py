"""Where apps that build on cases (aftercare, …) hear of a case's life without cases importing them.

Cases owns the lists; another app registers a function in its AppConfig.ready(), so the import arrows run one
way (aftercare → cases), never back. These are plain function calls, not Django signals: the order is the
registration order and a failure is visible where it happens.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Case

logger = logging.getLogger(__name__)

# Called after a new case is stored, triaged and clustered (outside intake's transaction): f(case).
OpenedHook = Callable[["Case"], None]
# Called inside case_transition's transaction, after the status changed: f(case, current, to, at).
TransitionHook = Callable[["Case", str, str, datetime], None]

_opened: list[OpenedHook] = []
_transitions: list[TransitionHook] = []


def on_case_opened(hook: OpenedHook) -> None:
    if hook not in _opened:
        _opened.append(hook)


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


def case_transitioned(case: "Case", current: str, to: str, at: datetime) -> None:
    """Part of the transition's transaction: a hook that fails undoes the transition with it."""
    for hook in _transitions:
        hook(case, current, to, at)
