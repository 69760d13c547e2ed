"""cProfile over the intake service (case_open) in one process, on a fresh SQLite database: where a complaint's
time goes, the remedy pricing included. Prints the top functions by cumulative time.
    AMENDS_DATA_DIR=/tmp/x python benchmarks/intake_profile.py [--cases 300] [--filter remedies]"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")

STORIES = [
    ("ru", "Прислали кроссовки не того размера, а они нужны мне к субботе."),
    ("bg", "Поръчката ми не е пристигнала вече десет дни."),
    ("sr", "Наручио сам патике број 43, а стигле су 41."),
    ("sr-Latn", "Đon na novim cipelama se odlepio posle nedelju dana."),
    ("sk", "Z karty mi dvakrát strhli platbu za tú istú objednávku."),
    ("en", "The parcel has said out for delivery for six days."),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--filter", default="", help="only functions whose file path contains this")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from amends.cases.intake import IntakeRequest, case_open

    def one(i: int) -> None:
        language, story = STORIES[i % len(STORIES)]
        case_open(
            request=IntakeRequest(
                email=f"bench{i % 500}@example.com",
                language=language,
                description=story,
                order_value="59.90",
                order_currency="EUR",
                order_reference=f"SO-{i}",
            )
        )

    for i in range(30):  # warm-up: models loaded, caches filled
        one(i)
    profiler = cProfile.Profile(time.process_time)
    started = time.process_time()
    profiler.enable()
    for i in range(30, 30 + args.cases):
        one(i)
    profiler.disable()
    spent = time.process_time() - started
    print(f"{args.cases} cases, {spent / args.cases * 1000:.1f} ms CPU each (under the profiler)")
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    if args.filter:
        stats.print_stats(args.filter, args.top)
    else:
        stats.print_stats(args.top)


if __name__ == "__main__":
    main()
