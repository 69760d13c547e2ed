"""Staged rows of an upload whose process was killed half-way are swept; an upload in progress is left alone."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from amends.campaigns.affected import STAGING_ABANDONED_AFTER, _stage, affected_staging_sweep
from amends.campaigns.affected_rows import Row
from amends.campaigns.models import AffectedStaging
from amends.campaigns.tasks import staging_sweep
from amends.core.management.commands.worker import PERIODIC

pytestmark = pytest.mark.django_db


def _staged(upload: uuid.UUID, n: int) -> None:
    _stage(upload, [Row(i + 2, f"p{i}@example.com", "", f"P {i}", "en", "") for i in range(n)])


def test_rows_of_an_upload_that_never_finished_are_swept_and_a_running_one_is_kept():
    killed, running = uuid.uuid4(), uuid.uuid4()
    _staged(killed, 3)
    _staged(running, 2)
    assert AffectedStaging.objects.filter(staged_at__isnull=False).count() == 5  # the database stamps each row
    AffectedStaging.objects.filter(upload=killed).update(
        staged_at=timezone.now() - STAGING_ABANDONED_AFTER - timedelta(minutes=1)
    )
    assert affected_staging_sweep() == 3
    assert set(AffectedStaging.objects.values_list("upload", flat=True)) == {running}
    assert staging_sweep.call() == 0  # the worker's periodic task: nothing more to sweep


def test_the_worker_runs_the_sweep_periodically():
    assert any(path == "amends.campaigns.tasks.staging_sweep" for _every, path in PERIODIC)
