"""The migration-seeded rows come back for tests after a flush, by the functions the migrations run (conftest's
`migration_seeds`), and a new seeding migration cannot be forgotten there."""

import ast
from pathlib import Path

import pytest
from django.core.management import call_command

from amends.accounts.models import AuthorityLimit
from amends.aftercare.models import RootCauseCategory
from amends.conftest import MIGRATION_SEEDS, migration_seeds_run
from amends.playbooks.models import ResponseTarget
from amends.remedies.models import RemedyPolicy
from amends.replies.models import ReplyTemplate
from amends.triage.models import Category

SEEDED = (AuthorityLimit, Category, ReplyTemplate, RemedyPolicy, ResponseTarget, RootCauseCategory)
SRC = Path(__file__).resolve().parents[2]
# Migrations that run Python but seed no row a test needs: SQL objects (full-text search, counters' triggers), a
# backfill, the reference counter that intake creates itself when it is missing, and a table set UNLOGGED.
NOT_SEEDS = {
    "campaigns/0003_affected_staging_swept_and_unlogged",
    "cases/0002_full_text_search",
    "cases/0003_case_reference_numbers",
    "cases/0014_search_document",
    "cases/0016_case_status_counts",
    "cases/0017_case_status_breached_statistics",
    "outbox/0003_outbox_state_counts",
    "triage/0005_triage_category_counts",
}


def test_every_migration_that_runs_python_is_a_listed_seed_or_known_not_to_be_one():
    running = set()
    for path in SRC.glob("*/migrations/0*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.Attribute) and n.attr == "RunPython" for n in ast.walk(tree)):
            running.add(f"{path.parent.parent.name}/{path.stem}")
    assert running - NOT_SEEDS == {f"{app}/{migration}" for app, migration, _function in MIGRATION_SEEDS}


@pytest.mark.django_db(transaction=True)
def test_the_seeds_come_back_after_a_flush(migration_seeds):
    counts = {model.__name__: model.objects.count() for model in SEEDED}
    assert all(counts.values()), counts
    call_command("flush", interactive=False, verbosity=0)  # what a transactional test's teardown does
    assert not any(model.objects.exists() for model in SEEDED)
    migration_seeds_run()
    migration_seeds_run()  # idempotent: run twice, seeded once
    assert {model.__name__: model.objects.count() for model in SEEDED} == counts
    assert RemedyPolicy.objects.get(version=1).is_active
