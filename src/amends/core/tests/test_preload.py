"""What gunicorn's master does before it forks (amends.wsgi.preload_models, called from gunicorn.conf.py)."""

import gc

import pytest

from amends.wsgi import preload_models


@pytest.mark.django_db
def test_what_the_master_preloads_is_frozen_out_of_the_workers_garbage_collections():
    gc.unfreeze()
    try:
        preload_models()
        assert gc.get_freeze_count() > 0
        assert gc.get_count()[2] == 0  # collected before freezing: nothing left over for the oldest generation
    finally:
        gc.unfreeze()
