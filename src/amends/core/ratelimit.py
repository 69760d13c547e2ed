"""Rate limits that hold across every web process and machine.

Each attempt is counted in the shared cache (settings.CACHES["shared"]: the database in the embedded mode, Redis in
the scale-out mode) with an atomic add-or-increment, in fixed windows of the limit's period. A check
(`amends.E001`) stops the start if that cache is one process's own or cannot increment atomically.
"""

import ipaddress
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

CACHE = "shared"
# Backends that are not one store for every process, or whose increment is a read and a write that two processes
# can interleave.
NOT_SHARED = {
    "django.core.cache.backends.locmem.LocMemCache": "keeps its counts inside one process",
    "django.core.cache.backends.dummy.DummyCache": "keeps nothing",
    "django.core.cache.backends.filebased.FileBasedCache": "cannot increment atomically",
    "django.core.cache.backends.db.DatabaseCache": "cannot increment atomically (use amends.core.cache.DatabaseCache)",
}


def client_address(request: HttpRequest) -> str:
    """The address a request came from; an IPv6 client is counted by its /64, which one subscriber usually has."""
    address = ipaddress.ip_address(request.META["REMOTE_ADDR"])
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def rate_limit_hit(*, scope: str, key: str, limit: int, seconds: int) -> int:
    """Count one attempt by `key` in `scope`; return how many seconds it must wait, 0 when within the limit."""
    now = int(time.time())
    window = now // seconds
    cache = caches[CACHE]
    cache_key = f"rate:{scope}:{seconds}:{window}:{key}"
    # add() creates the counter only if it is not there; whoever loses that race increments instead.
    if cache.add(cache_key, 1, seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # the counter expired between the two calls: this attempt starts the window afresh
            cache.set(cache_key, 1, seconds + 5)
            count = 1
    return 0 if count <= limit else (window + 1) * seconds - now


def rate_limit[**P, R: HttpResponseBase](
    scope: str, *, limit: int, seconds: int = 60, methods: tuple[str, ...] = ()
) -> Callable[[Callable[P, R]], Callable[P, R | HttpResponse]]:
    """Limit a view to `limit` requests per address in `seconds` (only for `methods`, when given); a request over
    the limit gets a 429 page that says to wait, and a Retry-After header."""

    def decorator(view: Callable[P, R]) -> Callable[P, R | HttpResponse]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
            request = args[0]
            assert isinstance(request, HttpRequest)  # noqa: S101 - a view's first argument
            if not methods or request.method in methods:
                wait = rate_limit_hit(scope=scope, key=client_address(request), limit=limit, seconds=seconds)
                if wait:
                    return too_many_requests(request, wait=wait)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def too_many_requests(request: HttpRequest, *, wait: int) -> HttpResponse:
    message = _("Too many attempts from your connection. Please wait a minute and try again.")
    response = render(request, "core/message.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


@checks.register(checks.Tags.caches)
def check_shared_cache(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    config = settings.CACHES.get(CACHE)
    if config is None:
        return [checks.Error(f'CACHES has no "{CACHE}" cache; rate limits count there', id="amends.E001")]
    reason = NOT_SHARED.get(config["BACKEND"])
    if reason:
        return [
            checks.Error(
                f'the "{CACHE}" cache ({config["BACKEND"]}) {reason}, so rate limits would not hold across processes',
                hint="Use amends.core.cache.DatabaseCache or django.core.cache.backends.redis.RedisCache.",
                id="amends.E001",
            )
        ]
    if config["BACKEND"] == "amends.core.cache.DatabaseCache":
        from .models import CacheEntry

        if config.get("LOCATION") != CacheEntry._meta.db_table:
            return [
                checks.Error(
                    f'the "{CACHE}" database cache must use the table {CacheEntry._meta.db_table}, which a migration '
                    "creates",
                    id="amends.E001",
                )
            ]
    return []
