"""Learn the language lexicons that ship in src/amends/triage/lexicons from the training part of the Universal
Dependencies sentences in shared/data/lid (the held-out part, fixed in lid_split.py, is never read here).

- sr_hr.json: the weights of the Serbian/Croatian logistic regression (amends.triage.south_slavic).
- common_words.json: each language's commonest words, the check that a text uses the words of the language the
  detector named. Macedonian has no sentences in shared/data: its list stays the hand-written one.

    python benchmarks/language_learn.py [--cv]     (--cv: 5-fold cross-validation on the training part only)

Only weights and word counts are written; no sentence is copied (see shared/data/lid/README.md for licences).
"""

import argparse
import json
import random
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from lid_split import LANGUAGES, sentences  # noqa: E402

from amends.triage.south_slavic import MODEL, features, words_of  # noqa: E402
from amends.triage.transliterate import serbian_cyrillic  # noqa: E402

COMMON = ROOT / "src" / "amends" / "triage" / "lexicons" / "common_words.json"
HAND_COMMON = ROOT / "benchmarks" / "data" / "common_words_hand.json"
COMMON_SIZE = 300  # words per language
C = 0.3  # chosen by --cv on the training part (0.3, 1 and 3 within 0.3 points)
KEEP = 6000  # features kept, by the size of their weight


def _training() -> tuple[list[set[str]], list[int], list[int]]:
    """Features, labels and the sentence each row came from. Besides each whole sentence, two windows of 3-6 of
    its words: a complaint's subject line is short, and a model learnt on long sentences alone lets the features
    every sentence has (common letters) decide short text."""
    rng = random.Random(7)
    rows: list[set[str]] = []
    labels: list[int] = []
    groups: list[int] = []
    for label, code in ((1, "sr-Latn"), (0, "hr")):
        for sentence_number, sentence in enumerate(sentences(code, part="train"), start=len(groups)):
            words = sentence.split()
            pieces = [sentence]
            for _ in range(2):
                size = rng.randint(3, 6)
                if len(words) > size:
                    start = rng.randrange(len(words) - size + 1)
                    pieces.append(" ".join(words[start : start + size]))
            for piece in pieces:
                rows.append(features(piece))
                labels.append(label)
                groups.append(sentence_number)
    return rows, labels, groups


def _fit(rows: list[set[str]], labels: list[int], c: float) -> tuple[DictVectorizer, LogisticRegression]:
    vectoriser = DictVectorizer()
    x = vectoriser.fit_transform([dict.fromkeys(r, 1) for r in rows])
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(x, labels)
    return vectoriser, model


def cross_validate() -> None:
    rows, labels, groups = _training()
    for c in (0.3, 1.0, 3.0):
        right = 0
        for train_idx, test_idx in GroupKFold(5).split(rows, labels, groups):
            vectoriser, model = _fit([rows[i] for i in train_idx], [labels[i] for i in train_idx], c)
            predicted = model.predict(vectoriser.transform([dict.fromkeys(rows[i], 1) for i in test_idx]))
            right += sum(int(p == labels[i]) for p, i in zip(predicted, test_idx, strict=True))
        print(f"C={c}: 5-fold accuracy, training part (sentences and windows) {right / len(rows):.1%} of {len(rows)}")


def learn_sr_hr() -> None:
    rows, labels, _groups = _training()
    vectoriser, model = _fit(rows, labels, C)
    weights = dict(zip(vectoriser.get_feature_names_out(), model.coef_[0], strict=True))
    kept = sorted(weights.items(), key=lambda fw: abs(fw[1]), reverse=True)[:KEEP]
    MODEL.write_text(
        json.dumps(
            {
                "about": "Serbian (+) vs Croatian (-) logistic regression; learnt by benchmarks/language_learn.py "
                f"from the training part of the UD sentences ({sum(labels)} sr, {len(labels) - sum(labels)} hr; "
                "SETimes.SR and hr_set, CC BY-SA 4.0)",
                "bias": round(float(model.intercept_[0]), 4),
                "weights": {f: round(float(w), 4) for f, w in sorted(kept)},
            },
            ensure_ascii=False,
            indent=0,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"sr_hr.json: {len(kept)} of {len(weights)} features, from {len(rows)} sentences and windows")


def learn_common_words() -> None:
    # The hand-written lists (complaint words such as "my", "мне") are kept and the learnt words added to them.
    lists: dict[str, list[str]] = json.loads(HAND_COMMON.read_text(encoding="utf-8"))
    for code in LANGUAGES:
        counts: Counter[str] = Counter()
        for sentence in sentences(code, part="train"):
            counts.update(set(words_of(sentence)))
            if code == "sr-Latn":
                counts.update(set(words_of(serbian_cyrillic(sentence))))
        base = code.split("-")[0]
        size = COMMON_SIZE * (2 if code == "sr-Latn" else 1)  # both scripts
        learnt = [w for w, _n in counts.most_common(size)]
        lists[base] = list(dict.fromkeys([*lists.get(base, []), *learnt]))
    lists = {code: [unicodedata.normalize("NFC", w) for w in words] for code, words in lists.items()}
    COMMON.write_text(
        "{\n"
        + ",\n".join(f"  {json.dumps(code)}: {json.dumps(words, ensure_ascii=False)}" for code, words in lists.items())
        + "\n}\n",
        encoding="utf-8",
    )
    print(f"common_words.json: {', '.join(f'{c} {len(w)}' for c, w in lists.items())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cv", action="store_true", help="only cross-validate on the training part")
    args = parser.parse_args()
    if args.cv:
        cross_validate()
        return
    learn_sr_hr()
    learn_common_words()


if __name__ == "__main__":
    main()
