from django.db import models


class CacheEntry(models.Model):
    """A row of the shared cache in the embedded mode (settings.CACHES["shared"]: rate limits count here).

    Django's DatabaseCache reads and writes this table with its own SQL; it is declared as a model so that a
    migration creates it on every machine and the test databases, with no `createcachetable` step. The columns are
    the ones `createcachetable` makes.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "amends_cache"

    def __str__(self) -> str:
        return self.cache_key


class Tally(models.Model):
    """A change to a kept count: how many cases are in each status, outbox messages in each state, triaged cases
    in each category. Database triggers write one row per change (per statement on PostgreSQL), in the same
    transaction as the change, so a count is never wrong and no request counts a whole table; a periodic job
    folds the rows of each count into one (core.tallies). Inserts only: no row is a hot spot that writers queue
    on, as a single counter row updated by every intake would be.
    """

    kind = models.CharField(max_length=40)
    value = models.CharField(max_length=40, blank=True)
    delta = models.BigIntegerField()

    class Meta:
        db_table = "amends_tally"
        indexes = [models.Index(fields=["kind", "value"], name="tally_kind_value")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value} {self.delta:+d}"
