"""The incidents app's hooks into a case's life (cases.hooks): each hands over to a service at once."""

from amends.cases.models import Case
from amends.triage.models import CaseTriage

from .services import incident_match_case


def link_on_arrival(case: Case, record: CaseTriage) -> None:
    incident_match_case(case=case, record=record)
