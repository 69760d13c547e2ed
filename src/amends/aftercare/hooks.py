"""Where aftercare listens to the life of a case (cases.hooks owns the lists; cases never imports aftercare)."""

from amends.cases import hooks


def _recurrence(case) -> None:  # type: ignore[no-untyped-def]
    from .services import recurrence_check

    recurrence_check(case=case)


def _survey(case, current: str, to: str, at) -> None:  # type: ignore[no-untyped-def]
    from .surveys import survey_on_transition

    survey_on_transition(case, current, to, at)


def connect() -> None:
    hooks.on_case_opened(_recurrence)
    hooks.on_case_transition(_survey)
