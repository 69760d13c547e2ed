"""Score the coach's public-thread rules on the held-out public replies (benchmarks/data/public_replies_heldout/).

Each row is a reply to a public post and what the coach must do with it: `ok` (not blocked), or the blocking rule it
must trip (onlookers, private_data, arguing, blame). Prints, per language and overall: rows right (a good reply
not blocked; a bad one blocked for the expected rule), good replies blocked, bad replies let through, and the
warnings the good replies still got. The set was written before the public rules were tuned and is scored once.

Usage: python benchmarks/public_replies.py [FOLDER]
"""

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from amends.replies.coach import BLOCKING, WARNING, coach  # noqa: E402

HELDOUT = Path(__file__).with_name("data") / "public_replies_heldout"


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else HELDOUT
    totals: Counter[str] = Counter()
    for path in sorted(folder.glob("*.tsv")):
        language = path.stem
        counts: Counter[str] = Counter()
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            expected, handle, private, text = line.split("\t")
            result = coach(
                text,
                language=language,
                public_thread=True,
                customer_handle=handle,
                private=[] if private == "-" else private.split(","),
            )
            blocking = {f.rule for f in result.findings if f.severity == BLOCKING}
            counts["rows"] += 1
            if expected == "ok":
                counts["good"] += 1
                right = not blocking
                counts["good_blocked"] += not right
                counts["good_warnings"] += sum(f.severity == WARNING for f in result.findings)
                if not right:
                    print(f"  {language}: good reply blocked for {sorted(blocking)}: {text[:70]}")
            else:
                counts["bad"] += 1
                right = expected in blocking
                counts["bad_missed"] += not right
                if not right:
                    print(
                        f"  {language}: expected {expected}, blocked for {sorted(blocking) or 'nothing'}: {text[:70]}"
                    )
            counts["right"] += right
        totals.update(counts)
        print(
            f"{language:8} {counts['right']}/{counts['rows']} right · good blocked {counts['good_blocked']}/"
            f"{counts['good']} · bad let through {counts['bad_missed']}/{counts['bad']} · warnings on good replies "
            f"{counts['good_warnings']}"
        )
    share = 100 * totals["right"] / max(1, totals["rows"])
    print(
        f"{'all':8} {totals['right']}/{totals['rows']} right ({share:.0f} %) · "
        f"good blocked {totals['good_blocked']}/{totals['good']} · bad let through "
        f"{totals['bad_missed']}/{totals['bad']} · warnings on good replies {totals['good_warnings']}"
    )


if __name__ == "__main__":
    main()
