"""The incidents app's receivers: each hands over to a service at once (no logic lives in a receiver)."""

from typing import Any

from amends.cases.models import Case
from amends.triage.models import CaseTriage

from .services import incident_match_case


def link_on_arrival(sender: object, *, case: Case, record: CaseTriage | None = None, **kwargs: Any) -> None:
    incident_match_case(case=case, record=record)
