"""The dashboard at a million cases (issue 12): p95 per chart request, reading rollups only.

What it does, on PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/insights_bench, made
if missing and migrated):
1. Writes the daily rollup rows (insights.DailyCaseStat) of 1,000,000 cases opened over two years: about 1,370 a
   day with a weekly rhythm, spread over 12 categories, 3 brands, 6 channels, 8 teams, 6 languages, 40 agents and
   the remedy kinds, every dimension adding up to the same cases. These are the rows the refresh keeps; writing
   them directly takes seconds where opening a million cases through intake takes hours.
2. Opens --cases real cases through intake (default 300) and times the refresh that folds them in, and the
   rebuild of one day from its cases: what keeping the rollups current costs.
3. Requests every chart's figures through the API (GET /api/v1/insights/..., the whole Django stack with an API
   key) --requests times each for periods of 30 days, one year and two years, and the dashboard page with every
   chart at once, and prints p50 / p95 / max per request.

No request counts cases: the figures are sums over at most (days × keys of one dimension) rollup rows.

Usage: insights.py [--cases 300] [--requests 100] [--rewrite]
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/insights_bench")
CASES = 1_000_000
DAYS = 730
ENDPOINTS = [
    "volume?by=category",
    "volume?by=language",
    "weak-spots?by=category",
    "silent-customers",
    "remedy-value",
    "first-offer",
    "first-response",
    "breaches",
    "satisfaction?by=team",
    "satisfaction?by=agent",
    "recurrences",
]


def _database() -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """`total` cases over keys in proportion to `weights`, whole numbers adding up exactly."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return counts


def write_rollups(today: date, rng: random.Random) -> int:
    from amends.insights.models import DailyCaseStat
    from amends.insights.rollup import COUNTS

    dimensions = {
        "all": [""],
        "category": [str(i) for i in range(1, 13)],
        "brand": [str(i) for i in range(1, 4)],
        "channel": ["form", "email", "api", "public_thread", "phone", "chat"],
        "team": [str(i) for i in range(1, 9)],
        "language": ["en", "ru", "bg", "sr", "sr-latn", "sk"],
        "agent": [str(i) for i in range(1, 41)] + ["none"],
        "remedy": ["refund", "discount_code", "store_credit", "replacement", "apology", "gift", "none"],
    }
    weights = {d: [rng.uniform(0.3, 3.0) for _ in keys] for d, keys in dimensions.items()}
    DailyCaseStat.objects.all().delete()
    days = [today - timedelta(days=DAYS - 1 - d) for d in range(DAYS)]
    rhythm = [1.25 if day.weekday() == 0 else 0.9 if day.weekday() >= 5 else 1.0 for day in days]  # Mondays
    batch: list[DailyCaseStat] = []
    written = 0
    for day, opened in zip(days, _split(CASES, rhythm, rng), strict=True):
        for dimension, keys in dimensions.items():
            for key, n in zip(keys, _split(opened, weights[dimension], rng), strict=True):
                if not n:
                    continue
                figures = dict.fromkeys(COUNTS, 0)
                offers = _split(n, [2, 3, 4, 2, 1, 1, 0.5, 0.5], rng)
                responses = _split(n, [1, 2, 3, 2, 1, 0.5, 0.2, 0.3], rng)
                for i in range(7):
                    figures[f"offer_{i}"], figures[f"response_{i}"] = offers[i], responses[i]
                figures["offer_none"], figures["response_none"] = offers[7], responses[7]
                triaged = n
                surveys = n * 3 // 10
                figures.update(
                    opened=n,
                    resolved=n * 9 // 10,
                    breached=n // 12,
                    triaged=triaged,
                    severity_sum=triaged * 2 + n // 3,
                    remedies_granted=n * 7 // 10,
                    retained_customers=n * 4 // 10,
                    surveys=surveys,
                    satisfaction_sum=surveys * 4,
                    recommend_answers=surveys,
                    promoters=surveys // 2,
                    detractors=surveys // 5,
                    recurrences=n // 80,
                )
                batch.append(
                    DailyCaseStat(
                        day=day,
                        dimension=dimension,
                        key=key,
                        remedy_cost=Decimal(n * 18),
                        retained_revenue=Decimal(n * 55),
                        **figures,
                    )
                )
        if len(batch) >= 5_000:
            DailyCaseStat.objects.bulk_create(batch)
            written += len(batch)
            batch.clear()
    DailyCaseStat.objects.bulk_create(batch)
    return written + len(batch)


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95, ordered[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=300, help="real cases opened through intake (refresh cost)")
    parser.add_argument("--requests", type=int, default=100, help="requests per chart and period")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--rewrite", action="store_true", help="write the rollups again even if a run today did")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = PG_URL
    os.environ.setdefault("AMENDS_DATA_DIR", tempfile.mkdtemp(prefix="amends-insights-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")
    _database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from amends.api.services import apikey_create
    from amends.insights.models import DailyCaseStat
    from amends.insights.services import opening_day, rollup_day_rebuild, rollups_refresh

    call_command("migrate", "--no-input", "-v0")
    rng = random.Random(args.seed)
    today = timezone.localdate()

    started = time.perf_counter()
    existing = DailyCaseStat.objects.filter(dimension="all", day=today).exists()
    if existing and not args.rewrite and DailyCaseStat.objects.count() > 60_000:
        rows = DailyCaseStat.objects.count()  # a run today wrote them already
    else:
        rows = write_rollups(today, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE insights_dailycasestat")
    total = sum(DailyCaseStat.objects.filter(dimension="all").values_list("opened", flat=True))
    print(
        f"rollups: {rows:,} rows for {total:,} cases over {DAYS} days, written in {time.perf_counter() - started:.1f} s"
    )

    # Keeping them current: real cases through intake, then the refresh that folds them in.
    from amends.conftest import open_case
    from amends.insights.models import RollupWatermark

    RollupWatermark.objects.all().delete()
    from amends.cases.models import CaseEvent

    last = CaseEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    RollupWatermark.objects.create(name="case_events", last_id=last)
    started = time.perf_counter()
    for i in range(args.cases):
        open_case(email=f"bench{args.seed}-{i}-{time.time_ns()}@example.com", language=rng.choice(["en", "ru", "bg"]))
    opened = time.perf_counter() - started
    started = time.perf_counter()
    days = rollups_refresh()
    refresh = time.perf_counter() - started
    day_cases = (
        __import__("amends.cases.models", fromlist=["Case"]).Case.objects.filter(created_at__date__gte=today).count()
    )
    started = time.perf_counter()
    rollup_day_rebuild(day=opening_day(timezone.now()))
    rebuild = time.perf_counter() - started
    print(
        f"refresh: {args.cases} cases opened through intake in {opened:.1f} s; the refresh that folded them in "
        f"took {refresh * 1000:.0f} ms ({days} day(s) rebuilt); rebuilding today ({day_cases} cases) "
        f"{rebuild * 1000:.0f} ms"
    )

    _record, key = apikey_create(name=f"insights bench {time.time_ns()}")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    periods = {
        "30 days": (today - timedelta(days=29), today),
        "1 year": (today - timedelta(days=364), today),
        "2 years": (today - timedelta(days=730), today),
    }
    print(f"\n{'chart request':<34}{'period':<10}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}")
    worst = 0.0
    for label, (start, end) in periods.items():
        for endpoint in ENDPOINTS:
            sep = "&" if "?" in endpoint else "?"
            url = f"/api/v1/insights/{endpoint}{sep}from={start}&to={end}"
            client.get(url)  # warm
            samples = []
            for _ in range(args.requests):
                t = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - t) * 1000)
                if response.status_code != 200:
                    sys.exit(f"{url}: {response.status_code} {response.content[:200]!r}")
            p50, p95, top = _percentiles(samples)
            worst = max(worst, p95)
            print(f"{endpoint:<34}{label:<10}{p50:8.1f}{p95:8.1f}{top:8.1f}")

    # The whole page: every chart and table in one request (a manager's session).
    from amends.accounts.models import User
    from amends.accounts.services import user_create

    manager = User.objects.filter(username="bench-manager").first() or user_create(
        username="bench-manager", password=secrets.token_urlsafe(16), role=User.Role.MANAGER
    )
    page = Client()
    page.force_login(manager)
    print()
    for label, (start, end) in periods.items():
        url = f"/console/insights/?from={start}&to={end}"
        page.get(url)
        samples = []
        for _ in range(max(10, args.requests // 5)):
            t = time.perf_counter()
            response = page.get(url)
            samples.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.status_code
        p50, p95, top = _percentiles(samples)
        print(f"{'dashboard page (all charts)':<34}{label:<10}{p50:8.1f}{p95:8.1f}{top:8.1f}")
    print(f"\nworst p95 of a chart request: {worst:.1f} ms (target ≤ 100 ms)")


if __name__ == "__main__":
    main()
