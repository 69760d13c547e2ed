"""Incidents made through the real services."""

from datetime import timedelta

from django.utils import timezone

from amends.accounts.models import User
from amends.conftest import open_case
from amends.incidents.models import Incident
from amends.incidents.services import incident_declare
from amends.triage.models import ComplaintCluster

OUTAGE = [
    ("ru", "Сайт не открывается уже час, ошибка 500 при оплате."),
    ("sk", "Stránka nefunguje, pri platbe vyskočí chyba 500."),
    ("bg", "Сайтът не работи от час, грешка 500 при плащане."),
    ("sr", "Sajt ne radi, pri plaćanju izlazi greška 500."),
    ("en", "Your website is down, checkout fails with error 500."),
]


def flagged_cluster() -> ComplaintCluster:
    """Five customers report one outage in their own words: triage flags the cluster."""
    for i, (language, text) in enumerate(OUTAGE):
        open_case(email=f"c{i}@example.com", language=language, description=text)
    cluster = ComplaintCluster.objects.get()
    assert cluster.flagged_at is not None
    return cluster


def declared(manager: User | None, **overrides: object) -> Incident:
    fields: dict = {
        "title": "Checkout down",
        "summary": "Payments failed with error 500 for three hours.",
        "started_at": timezone.now() - timedelta(hours=1),
        "entities": ["error:500"],
        "severity": 2,
    }
    fields.update(overrides)
    return incident_declare(actor=manager, **fields)
