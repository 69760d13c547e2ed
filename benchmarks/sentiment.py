"""Evaluate the triage sentiment model (src/amends/triage/sentiment.py): what ships, on text it never saw.

Unseen:
- benchmarks/data/sentiment_heldout: written before any model was trained or tuned, never used for either.
- benchmarks/data/sentiment_frozen: written after the model was frozen, scored once then.
Seen:
- grouped cross-validation on the training examples (src/amends/triage/data/sentiment): each fold is held out,
  but the examples were written in-house, alongside the model. With --tune, the grid the defaults came from.

Each set: accuracy and macro-F1 per language against a majority-class baseline (the training set's majority
class), for the shipped fast model and for the optional encoder head (AMENDS_TRIAGE_EMBEDDINGS). Then the
latency of one sentiment call.
    benchmarks/sentiment [--tune] [--no-encoder]
"""

import argparse
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402

from amends.triage import sentiment  # noqa: E402

DATA = Path(__file__).with_name("data")
SETS = (
    ("UNSEEN held-out set, written before training (benchmarks/data/sentiment_heldout)", DATA / "sentiment_heldout"),
    (
        "UNSEEN frozen batch, written after the model was frozen (benchmarks/data/sentiment_frozen)",
        DATA / "sentiment_frozen",
    ),
)
LANGUAGE_ORDER = ("en", "ru", "bg", "sr", "sk")


def labelled(directory: Path) -> dict[str, list[tuple[str, str]]]:
    rows: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(directory.glob("*.tsv")):
        rows[path.stem] = [
            (label, text)
            for label, text in (line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines() if line)
        ]
    return rows


def majority() -> str:
    return Counter(label for label, _, _ in sentiment.examples()).most_common(1)[0][0]


def line(name: str, truth: list[str], predicted: list[str], baseline: list[str]) -> str:
    return (
        f"    {name:<6} n={len(truth):<4} accuracy {accuracy_score(truth, predicted):.3f}  "
        f"macro-F1 {f1_score(truth, predicted, average='macro', labels=sentiment.LABELS, zero_division=0):.3f}"
        f"   | majority '{baseline[0]}': accuracy {accuracy_score(truth, baseline):.3f}  "
        f"macro-F1 {f1_score(truth, baseline, average='macro', labels=sentiment.LABELS, zero_division=0):.3f}"
    )


def score_set(title: str, directory: Path, encoder: bool) -> None:
    sets = labelled(directory)
    if not sets:
        print(f"{title}: no files yet")
        return
    model = sentiment.model()
    base = majority()
    modes = [("fast model (TF-IDF + logistic regression, default)", False)]
    if encoder and model.head is not None:
        modes.append(("encoder head (multilingual-e5-small + logistic regression, AMENDS_TRIAGE_EMBEDDINGS)", True))
    print(title)
    for mode, use_encoder in modes:
        print(f"  {mode}")
        every_truth: list[str] = []
        every_guess: list[str] = []
        confidences: list[float] = []
        confusion: dict[tuple[str, str], int] = defaultdict(int)
        for language in sorted(sets, key=lambda c: (*LANGUAGE_ORDER, c).index(c)):
            truth = [label for label, _ in sets[language]]
            readings = [model.read(text, encoder=use_encoder) for _, text in sets[language]]
            guess = [r.label for r in readings]
            confidences += [r.confidence for r in readings]
            print(line(language, truth, guess, [base] * len(truth)))
            every_truth += truth
            every_guess += guess
            for t, g in zip(truth, guess, strict=True):
                confusion[t, g] += 1
        print(line("all", every_truth, every_guess, [base] * len(every_truth)))
        print("    " + calibration(every_truth, every_guess, confidences))
        print(
            "    confusion (true → predicted): "
            + ", ".join(f"{t[:3]}→{g[:3]} {n}" for (t, g), n in sorted(confusion.items()) if t != g)
        )


def calibration(truth: list[str], guess: list[str], confidences: list[float]) -> str:
    """Mean confidence against accuracy, and the expected calibration error over ten confidence bins."""
    right = np.array([t == g for t, g in zip(truth, guess, strict=True)], dtype=float)
    confidence = np.array(confidences)
    bins = np.minimum((confidence * 10).astype(int), 9)
    error = sum(
        abs(right[bins == b].mean() - confidence[bins == b].mean()) * (bins == b).mean()
        for b in range(10)
        if (bins == b).any()
    )
    return (
        f"calibration: mean confidence {confidence.mean():.3f} against accuracy {right.mean():.3f}, "
        f"expected calibration error {error:.3f}"
    )


def cross_validation(tune: bool) -> None:
    rows = sentiment.examples()
    y = np.array([sentiment.LABELS.index(label) for label, _, _ in rows])
    grid = [(c, d) for d in (1, 2) for c in (1.0, 3.0, 10.0, 30.0)] if tune else [(sentiment.C, sentiment.MIN_DF)]
    print("SEEN: grouped 5-fold cross-validation on the training examples (a situation stays in one fold)")
    for c, min_df in grid:
        scores = sentiment.out_of_fold_scores(rows, c=c, min_df=min_df)
        guess = scores.argmax(axis=1)
        print(
            f"    fast model C={c:g} min_df={min_df}: accuracy {accuracy_score(y, guess):.3f}  "
            f"macro-F1 {f1_score(y, guess, average='macro'):.3f}  "
            f"temperature {sentiment.best_temperature(scores, y)}"
        )


def latency(encoder: bool) -> None:
    model = sentiment.model()
    texts = [text for rows in labelled(DATA / "sentiment_heldout").values() for _, text in rows]
    long_text = " ".join(texts)[:20_000]
    for text in texts[:20]:
        model.read(text)
    for name, sample in (("one message", texts), ("a 20,000-character message", [long_text] * 50)):
        times = []
        for text in sample:
            start = time.perf_counter()
            model.read(text)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(
            f"latency of one sentiment call, fast model, {name}: median {statistics.median(times):.2f} ms, "
            f"p99 {times[int(len(times) * 0.99) - 1]:.2f} ms (n={len(times)})"
        )
    if encoder and model.head is not None:
        times = []
        for text in texts[:40]:
            start = time.perf_counter()
            model.read(text + " ", encoder=True)  # a new text each time: the encoder's memory would hide its cost
            times.append((time.perf_counter() - start) * 1000)
        print(f"latency of one sentiment call, encoder head: median {statistics.median(times):.1f} ms (n=40)")


def report(*, tune: bool = False, encoder: bool = True) -> None:
    model = sentiment.model()
    print(
        f"SENTIMENT ({len(model.terms)} features, temperature {model.temperature}; weights "
        f"{sentiment.WEIGHTS.stat().st_size / 1024:.0f} KB; trained on {len(sentiment.examples())} examples)"
    )
    for title, directory in SETS:
        score_set(title, directory, encoder)
    cross_validation(tune)
    latency(encoder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tune", action="store_true", help="print the cross-validation grid the defaults came from")
    parser.add_argument("--no-encoder", action="store_true", help="skip the encoder head (slow on a busy machine)")
    args = parser.parse_args()
    report(tune=args.tune, encoder=not args.no_encoder)


if __name__ == "__main__":
    main()
