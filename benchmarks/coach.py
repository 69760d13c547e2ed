"""Evaluate the reply coach (see ./coach). Each line: expected rules ("-" for none), customer name, public
thread (0/1), the reply. A finding counts for its rule; a rule expected and not found is a miss.

Usage: coach.py [DIRECTORY]  (default benchmarks/data; any folder of coach_<language>.tsv files, e.g. a batch
of replies written after the rules, to see how they do on text they were not shaped by)."""

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from amends.replies.coach import coach  # noqa: E402

DATA = Path(__file__).with_name("data")


def main() -> None:
    rows = []
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA
    for path in sorted(data.glob("coach_*.tsv")):
        language = path.stem.removeprefix("coach_")
        for line in path.read_text(encoding="utf-8").splitlines():
            expected, name, public, text = line.split("\t", 3)
            rows.append((language, set() if expected == "-" else set(expected.split(",")), name, public == "1", text))
    tp: Counter[tuple[str, str]] = Counter()
    fp: Counter[tuple[str, str]] = Counter()
    fn: Counter[tuple[str, str]] = Counter()
    for language, expected, name, public, text in rows:
        found = {f.rule for f in coach(text, language=language, customer_name=name, public_thread=public).findings}
        for rule in found & expected:
            tp[(language, rule)] += 1
        for rule in found - expected:
            fp[(language, rule)] += 1
        for rule in expected - found:
            fn[(language, rule)] += 1
    languages = sorted({r[0] for r in rows})
    rules = sorted({key[1] for key in tp | fp | fn})
    counts = ", ".join(f"{lang} {sum(r[0] == lang for r in rows)}" for lang in languages)
    print(f"reply coach on {len(rows)} labelled replies ({counts})")
    print(f"{'rule':<16}" + "".join(f"{lang:>16}" for lang in languages) + "   (precision / recall)")
    for rule in rules:
        cells = []
        for lang in languages:
            t, p, n = tp[(lang, rule)], fp[(lang, rule)], fn[(lang, rule)]
            precision = f"{t / (t + p):.2f}" if t + p else "  – "
            recall = f"{t / (t + n):.2f}" if t + n else "  – "
            cells.append(f"{precision} / {recall}")
        print(f"{rule:<16}" + "".join(f"{c:>16}" for c in cells))
    text = rows[0][4]
    draft = (text + " ") * (1000 // len(text) + 1)
    draft = draft[:1000]
    timings = []
    for _ in range(2000):
        started = time.perf_counter()
        coach(draft, language=rows[0][0], customer_name="Anna", public_thread=True)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p99 = timings[int(len(timings) * 0.99)]
    print(f"coaching a 1,000-character reply: p50 {statistics.median(timings):.2f} ms, p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
