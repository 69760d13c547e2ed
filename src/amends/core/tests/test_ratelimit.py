"""Rate limits count in the shared cache: an atomic add-or-increment, one store for every process."""

import threading
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone

from amends.core.cache import DatabaseCache
from amends.core.models import CacheEntry
from amends.core.ratelimit import check_shared_cache, client_address, rate_limit_hit


def test_an_ipv6_client_is_counted_by_its_network_and_ipv4_by_its_address():
    factory = RequestFactory()
    assert client_address(factory.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::"
    assert client_address(factory.get("/", REMOTE_ADDR="2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::"
    assert client_address(factory.get("/", REMOTE_ADDR="192.0.2.7")) == "192.0.2.7"


@pytest.mark.django_db
def test_the_limit_lets_through_exactly_the_allowance_then_says_how_long_to_wait():
    waits = [rate_limit_hit(scope="test", key="192.0.2.7", limit=3, seconds=60) for _ in range(5)]
    assert waits[:3] == [0, 0, 0]
    assert all(0 < wait <= 60 for wait in waits[3:])
    # Another address and another scope have their own allowance.
    assert rate_limit_hit(scope="test", key="192.0.2.8", limit=3, seconds=60) == 0
    assert rate_limit_hit(scope="other", key="192.0.2.7", limit=3, seconds=60) == 0


@pytest.mark.django_db
def test_the_counts_are_rows_of_the_shared_table_not_the_process_memory(settings):
    if settings.TASK_BACKEND == "redis":
        pytest.skip("the Redis mode counts in Redis")
    rate_limit_hit(scope="test", key="192.0.2.7", limit=3, seconds=60)
    assert CacheEntry.objects.filter(cache_key__contains="rate:test:60:").count() == 1


@pytest.mark.django_db
def test_the_database_cache_increments_and_keeps_the_expiry():
    cache = caches["shared"]
    if not isinstance(cache, DatabaseCache):
        pytest.skip("the Redis mode has no database cache")
    cache.add("counter", 1, 60)
    expires = CacheEntry.objects.get(cache_key__endswith="counter").expires
    assert cache.incr("counter") == 2
    assert cache.incr("counter", 5) == 7
    assert cache.get("counter") == 7
    assert CacheEntry.objects.get(cache_key__endswith="counter").expires == expires
    with pytest.raises(ValueError, match="not found"):
        cache.incr("missing")
    CacheEntry.objects.filter(cache_key__endswith="counter").update(expires=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_are_none_of_them_lost():
    """Django's own DatabaseCache reads and writes back, so two at once can both write the same count."""
    cache = caches["shared"]
    if not isinstance(cache, DatabaseCache):
        pytest.skip("the Redis mode has no database cache")
    cache.add("counter", 0, 60)
    errors: list[BaseException] = []

    def count() -> None:
        try:
            for _ in range(25):
                caches["shared"].incr("counter")
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=count) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert cache.get("counter") == 100


@pytest.mark.parametrize(
    ("backend", "complaint"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", "inside one process"),
        ("django.core.cache.backends.db.DatabaseCache", "cannot increment atomically"),
        ("django.core.cache.backends.dummy.DummyCache", "keeps nothing"),
    ],
)
def test_the_check_stops_a_cache_that_would_not_hold_across_processes(settings, backend, complaint):
    settings.CACHES = {**settings.CACHES, "shared": {"BACKEND": backend, "LOCATION": "amends_cache"}}
    [error] = check_shared_cache()
    assert error.id == "amends.E001" and complaint in error.msg


def test_the_check_passes_the_database_cache_on_its_table_and_redis(settings):
    settings.CACHES = {
        **settings.CACHES,
        "shared": {"BACKEND": "amends.core.cache.DatabaseCache", "LOCATION": "amends_cache"},
    }
    assert check_shared_cache() == []
    settings.CACHES["shared"]["LOCATION"] = "some_other_table"
    assert [e.id for e in check_shared_cache()] == ["amends.E001"]
    settings.CACHES["shared"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}
    assert check_shared_cache() == []
    del settings.CACHES["shared"]
    assert [e.id for e in check_shared_cache()] == ["amends.E001"]


def test_the_configured_caches_pass_the_check():
    assert check_shared_cache() == []


@pytest.mark.django_db
def test_a_limited_page_answers_429_with_retry_after_in_the_visitors_language():
    client = Client(headers={"Accept-Language": "ru"})
    responses = [client.get("/status/t/not-a-real-token/") for _ in range(31)]
    assert [r.status_code for r in responses[:30]] == [404] * 30
    refused = responses[30]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Слишком много попыток" in refused.content.decode()
