"""The shared cache of the embedded mode: Django's database cache with an atomic increment.

Django's DatabaseCache increments by reading the value and writing it back, so two processes counting at once
can both read 4 and both write 5. Rate limits count with `incr`, so here it holds the row until the new value is
written: PostgreSQL locks it (SELECT ... FOR UPDATE); SQLite takes the database's write lock when the
transaction begins (settings use BEGIN IMMEDIATE), which serialises the increments the same way.
"""

import base64
import pickle
from typing import Any

from django.core.cache.backends import db
from django.db import router, transaction
from django.utils import timezone


class DatabaseCache(db.DatabaseCache):
    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        from .models import CacheEntry

        db_key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        entries = CacheEntry.objects.using(alias)
        with transaction.atomic(using=alias):
            held = entries.select_for_update().filter(cache_key=db_key, expires__gt=timezone.now())
            if not list(held.values_list("cache_key", flat=True)):
                raise ValueError(f"Key '{key}' not found")
            value = self.get(key, self._missing_key, version=version)
            if value is self._missing_key:
                raise ValueError(f"Key '{key}' not found")
            value += delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            entries.filter(cache_key=db_key).update(value=encoded)
        return value
