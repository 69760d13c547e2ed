"""How long the policy page's preview takes over the last 1,000 cases (see ./remedies).

A fresh SQLite database is made and migrated, 1,000 complaints are opened through the real intake (so each has
its triage, customer and history; some customers complain more than once, some orders are in USD), and then the
preview — facts read from the stored cases, the draft and the active policy each run over all of them, compared
— is timed a few times with the real service `policy_preview`. The draft is the shipped policy with its 20 %
refunds raised to 25 %, so some offers change. Wall-clock and CPU time of the process are both printed: on a
shared machine the wall clock mostly measures the other processes.

Usage: policy_preview.py [--cases 1000] [--runs 5]
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench" / "preview"

WORDS = [
    "My parcel is two weeks late and nobody answers.",
    "The shoes arrived in the wrong size, I ordered 42 and got 40.",
    "The kettle arrived broken, the lid is cracked.",
    "You charged me twice for the same order.",
    "The app was down all evening and I could not pay.",
    "Your courier was rude to my mother at the door.",
    "I waited forty minutes on the phone.",
    "The delivery is a week late, again.",
    "I want to return the jacket but the form does not work.",
    "The repair was done badly, it leaks again.",
    "The box was a bit dented but everything inside is fine.",
]


def prepare(cases: int) -> dict[str, str]:
    shutil.rmtree(BENCH_DIR, ignore_errors=True)
    BENCH_DIR.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMENDS_") and k != "DATABASE_URL"}
    env.update({"AMENDS_DATA_DIR": str(BENCH_DIR), "PYTHONPATH": str(ROOT / "src")})
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v0"], env=env, check=True)
    return env


def inner(cases: int, runs: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")
    import django

    django.setup()
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from amends.cases.intake import IntakeRequest, case_open
    from amends.remedies.models import ExchangeRate
    from amends.remedies.policy_service import policy_check
    from amends.remedies.preview import policy_preview, recent_cases
    from amends.remedies.selectors import policy_active, policy_forget, rate_table

    ExchangeRate.objects.create(
        currency="USD", valid_from=date(2020, 1, 1), rate=Decimal("0.9"), created_at=timezone.now()
    )
    policy_forget()
    rng = random.Random(7)
    started = time.perf_counter()
    for number in range(cases):
        case_open(
            request=IntakeRequest(
                email=f"customer{rng.randrange(cases // 2)}@example.com",
                description=rng.choice(WORDS),
                language="en",
                order_value=str(rng.randrange(5, 400)),
                order_currency=rng.choice(["EUR", "EUR", "EUR", "USD"]),
                external_id=f"bench-{number}",
            )
        )
    opened = time.perf_counter() - started
    active = policy_active()
    assert active is not None
    draft = policy_check(source=active.record.source.replace("percent_of_order = 20", "percent_of_order = 25"))
    rates = rate_table()
    times, cpu = [], []
    for _run in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        preview = policy_preview(draft=draft, active=active.policy, rates=rates, cases=recent_cases(cases))
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    print(f"opened {cases} cases through the intake in {opened:.1f} s")
    print(
        f"policy preview over the last {preview.cases} cases (facts read + two policies + comparison): "
        f"median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms of {runs} runs "
        f"(CPU: median {statistics.median(cpu) * 1000:.0f} ms, best {min(cpu) * 1000:.0f} ms); "
        f"{preview.changed} offers change, cost delta {preview.delta} {preview.currency}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.cases, args.runs)
        return
    env = prepare(args.cases)
    command = [sys.executable, __file__, "--inner", "--cases", str(args.cases), "--runs", str(args.runs)]
    subprocess.run(command, env=env, check=True)


if __name__ == "__main__":
    main()
