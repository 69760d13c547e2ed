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
