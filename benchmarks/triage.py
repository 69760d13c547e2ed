"""Evaluate triage (see ./triage). Held-out data is never trained on."""

import argparse
import csv
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402

from amends.triage.category import train  # noqa: E402
from amends.triage.defaults import starter_examples  # noqa: E402
from amends.triage.engine import triage  # noqa: E402
from amends.triage.language import detect, warm_up  # noqa: E402

SERVED = ("en", "ru", "bg", "sr", "sk", "uk", "cs", "pl", "de", "hr", "mk")
BANKING = ROOT.parent / "shared" / "data" / "banking77_train.csv"
DATA = Path(__file__).with_name("data")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def labelled_sentences() -> list[tuple[str, str]]:
    rows = []
    for language, _category, text in starter_examples():
        if language == "sr":
            language = "sr-Cyrl" if CYRILLIC.search(text) else "sr-Latn"
        rows.append((language, text))
    for line in (DATA / "language_sentences.tsv").read_text(encoding="utf-8").splitlines():
        language, text = line.split("\t", 1)
        rows.append((language, text))
    return rows


def labelled_subjects() -> list[tuple[str, str]]:
    return [
        tuple(line.split("\t", 1)) for line in (DATA / "language_subjects.tsv").read_text(encoding="utf-8").splitlines()
    ]  # type: ignore[misc]


def language_accuracy(rows: list[tuple[str, str]], title: str) -> None:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    uncertain = 0
    misses = []
    for expected, text in rows:
        # A Serbian company's locale is Serbian; every other language is tried with an English company.
        company = "sr" if expected.startswith("sr") else "en"
        guess = detect(text, served=SERVED, company_language=company)
        total[expected] += 1
        uncertain += guess.uncertain
        # What counts is the language the product will answer in: when uncertain, that is the fallback.
        if guess.code == expected:
            right[expected] += 1
        else:
            misses.append((expected, guess.code, guess.uncertain, text[:50]))
    overall = sum(right.values()) / sum(total.values())
    per = "  ".join(f"{code} {right[code] / total[code]:.0%}" for code in sorted(total))
    print(f"{title}: {overall:.1%} of {sum(total.values())} ({uncertain} reported uncertain)   [{per}]")
    for expected, got, uncertain, text in misses[:8]:
        print(f"    missed {expected} -> {got}{' (uncertain)' if uncertain else ''}: {text}")


def banking77(quick: bool) -> None:
    with BANKING.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    texts, labels = [r["text"] for r in rows], [r["category"] for r in rows]
    train_x, test_x, train_y, test_y = train_test_split(texts, labels, test_size=0.2, random_state=7, stratify=labels)
    if quick:
        train_x, train_y = train_x[:3000], train_y[:3000]
    variants: list[tuple[str, dict[str, bool]]] = [
        ("default learner (TF-IDF + the encoder's map)", {}),
        ("TF-IDF alone, without the map", {"projection": False}),
    ]
    if not quick:
        variants.append(("heavier learner, encoder per complaint (AMENDS_TRIAGE_EMBEDDINGS=1)", {"embeddings": True}))
    for name, options in variants:
        started = time.perf_counter()
        model = train(train_x, train_y, version="banking77", c=30.0, **options)
        trained = time.perf_counter() - started
        started = time.perf_counter()
        predicted = [model.predict(t).label for t in test_x]
        per_text = (time.perf_counter() - started) / len(test_x) * 1000
        accuracy = accuracy_score(test_y, predicted)
        macro_f1 = f1_score(test_y, predicted, average="macro")
        print(
            f"category, BANKING77 held-out ({len(test_x)} of {len(texts)}, 77 intents), {name}: "
            f"accuracy {accuracy:.2%}, macro-F1 {macro_f1:.2%}   (trained on {len(train_x)} in {trained:.0f} s; "
            f"{per_text:.2f} ms per prediction)"
        )


def starter_cross_validation() -> None:
    rows = starter_examples()
    texts = [t for _l, _c, t in rows]
    labels = [c for _l, c, _t in rows]
    languages = [language for language, _c, _t in rows]
    predicted = [""] * len(rows)
    for fold, (train_idx, test_idx) in enumerate(StratifiedKFold(5, shuffle=True, random_state=7).split(texts, labels)):
        model = train([texts[i] for i in train_idx], [labels[i] for i in train_idx], version=f"cv{fold}")
        for i in test_idx:
            predicted[i] = model.predict(texts[i]).label
    by_language: dict[str, list[bool]] = defaultdict(list)
    for language, label, guess in zip(languages, labels, predicted, strict=True):
        by_language[language].append(label == guess)
    per = "  ".join(f"{code} {sum(v) / len(v):.0%}" for code, v in sorted(by_language.items()))
    print(
        f"category, multilingual starter set, 5-fold cross-validation ({len(rows)} complaints, 12 categories): "
        f"accuracy {accuracy_score(labels, predicted):.1%}, macro-F1 {f1_score(labels, predicted, average='macro'):.1%}"
        f"   [{per}]"
    )


def latency() -> None:
    rows = starter_examples()
    model = train([t for _l, _c, t in rows], [c for _l, c, _t in rows], version="starter")
    warm_up(SERVED)
    texts = [t for _l, _c, t in rows]
    for text in texts[:50]:
        triage(text, model=model, served=SERVED)
    timings = []
    for _round in range(6):
        for text in texts:
            started = time.perf_counter()
            triage(text, model=model, served=SERVED)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(
        f"triage of one complaint, all parts, one core: p50 {statistics.median(timings):.2f} ms, "
        f"p99 {p99:.2f} ms, max {timings[-1]:.2f} ms over {len(timings)} complaints"
    )


MEMORY_PROBE = """
import os, resource, sys
sys.path.insert(0, {src!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "amends.settings"
import django; django.setup()
import amends.wsgi  # noqa
def rss():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024
before = rss()
from amends.triage.category import train
from amends.triage.defaults import starter_examples
from amends.triage.engine import triage
from amends.triage.language import warm_up
rows = starter_examples()
model = train([t for _l, _c, t in rows], [c for _l, c, _t in rows], version="m")
served = {served!r}
warm_up(served)
for _l, _c, t in rows:
    triage(t, model=model, served=served)
print(f"{{before:.0f}} {{rss():.0f}}")
"""


def memory() -> None:
    probe = MEMORY_PROBE.format(src=str(ROOT / "src"), served=SERVED)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    before, after = (float(x) for x in out.stdout.split()[-2:])
    print(
        f"memory of one web process: {before:.0f} MB without the models, {after:.0f} MB with them loaded "
        f"(+{after - before:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="train BANKING77 on 3,000 examples only")
    args = parser.parse_args()
    warm_up(SERVED)
    language_accuracy(labelled_sentences(), "language, sentence-length complaints")
    language_accuracy(labelled_subjects(), "language, three-word subject lines")
    starter_cross_validation()
    banking77(args.quick)
    latency()
    memory()
    print(f"(benchmark process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
