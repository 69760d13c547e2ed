"""Learn the language lexicons that ship in src/amends/triage/lexicons from the training part of the Universal
Dependencies sentences in shared/data/lid (the old held-out fifth and the clean part, fixed in lid_split.py, are never
read here).

- sr_hr.json: the weights of the Serbian/Croatian logistic regression (amends.triage.south_slavic).
- common_words.json: each language's commonest words, the check that a text uses the words of the language the
  detector named (only when the detector is less than sure). Macedonian has no sentences in shared/data, and the
  Bulgarian, Ukrainian and Polish ones are licensed for non-commercial use only: their lists stay hand-written.

    python benchmarks/language_learn.py [--cv]     (--cv: 5-fold cross-validation on the training part only)

Only weights and word counts are written; no sentence is copied (see shared/data/lid/README.md for licences).
"""

import argparse
import json
import math
import random
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from lingua import Language, LanguageDetectorBuilder
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from lid_split import LANGUAGES, sentences  # noqa: E402

from amends.triage.south_slavic import DICTIONARY_LISTS, MODEL, dictionary_counts, features, lingua_logit, words_of  # noqa: E402
from amends.triage.transliterate import serbian_cyrillic  # noqa: E402

COMMON = ROOT / "src" / "amends" / "triage" / "lexicons" / "common_words.json"
HAND_COMMON = ROOT / "benchmarks" / "data" / "common_words_hand.json"
COMMON_SIZE = 300  # words per language
C = 0.03  # chosen by --cv on the training part
KEEP = 6000
LINGUA = LanguageDetectorBuilder.from_languages(
    Language.SERBIAN, Language.CROATIAN, Language.BOSNIAN
).build()  # features kept, by the size of their weight


def _bosnian_share(text: str) -> float:
    values = {v.language: v.value for v in LINGUA.compute_language_confidence_values(text)}
    bosnian, croatian = values.get(Language.BOSNIAN, 0.0), values.get(Language.CROATIAN, 0.0)
    return bosnian / (bosnian + croatian) if bosnian + croatian else 0.5


def _dictionary_row(text: str) -> list[float]:
    counts = dictionary_counts(text)
    return [math.log1p(counts[name]) for name in DICTIONARY_LISTS]


def _training() -> tuple[list[dict[str, float]], list[int], list[int], list[list[float]]]:
    """Features, labels and the sentence each row came from. Besides each whole sentence, two windows of 3-6 of
    its words: a complaint's subject line is short, and a model learnt on long sentences alone lets the features
    every sentence has (common letters) decide short text."""
    rng = random.Random(7)
    rows: list[dict[str, float]] = []
    labels: list[int] = []
    groups: list[int] = []
    lingua: list[list[float]] = []
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
                rows.append(dict.fromkeys(features(piece), 1.0))
                lingua.append([lingua_logit(_bosnian_share(piece)), *_dictionary_row(piece)])
                labels.append(label)
                groups.append(sentence_number)
    return rows, labels, groups, lingua


def _fit(rows: list[dict[str, float]], labels: list[int], c: float) -> tuple[DictVectorizer, LogisticRegression]:
    vectoriser = DictVectorizer()
    x = vectoriser.fit_transform(rows)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(x, labels)
    return vectoriser, model


def _out_of_fold(rows: list[dict[str, float]], labels: list[int], groups: list[int], c: float) -> list[float]:
    """The n-gram score of each row from a model that did not learn from its sentence."""
    scores = [0.0] * len(rows)
    for train_idx, test_idx in GroupKFold(5).split(rows, labels, groups):
        vectoriser, model = _fit([rows[i] for i in train_idx], [labels[i] for i in train_idx], c)
        for i, score in zip(
            test_idx, model.decision_function(vectoriser.transform([rows[i] for i in test_idx])), strict=True
        ):
            scores[i] = float(score)
    return scores


def _stack(ngrams: list[float], others: list[list[float]], labels: list[int]) -> LogisticRegression:
    """The n-gram score stacked with Lingua's log-odds and the dictionary counts (see _training)."""
    return LogisticRegression(class_weight="balanced").fit(
        [[n, *o] for n, o in zip(ngrams, others, strict=True)], labels
    )


def cross_validate() -> None:
    """Accuracy on the training part by 5-fold cross-validation over sentences (a sentence and its windows in the
    same fold), the n-grams alone, Lingua alone and the two stacked (the stack itself cross-validated again)."""
    rows, labels, groups, lingua = _training()
    whole = [i == 0 or groups[i] != groups[i - 1] for i in range(len(rows))]  # a sentence comes before its windows

    def accuracy(scores: list[float], *, sentences: bool) -> str:
        picked = [(s > 0) == bool(y) for s, y, w in zip(scores, labels, whole, strict=True) if w == sentences]
        return f"{sum(picked) / len(picked):.1%}"

    alone = [row[0] for row in lingua]
    print(f"Lingua alone: sentences {accuracy(alone, sentences=True)}, windows {accuracy(alone, sentences=False)}")
    for c in (0.03, 0.1, 0.3):
        ngrams = _out_of_fold(rows, labels, groups, c)
        stacked = [0.0] * len(rows)
        for train_idx, test_idx in GroupKFold(5).split(rows, labels, groups):
            stack = _stack(
                [ngrams[i] for i in train_idx], [lingua[i] for i in train_idx], [labels[i] for i in train_idx]
            )
            for i, score in zip(
                test_idx, stack.decision_function([[ngrams[i], *lingua[i]] for i in test_idx]), strict=True
            ):
                stacked[i] = float(score)
        print(
            f"C={c}: n-grams sentences {accuracy(ngrams, sentences=True)}, "
            f"windows {accuracy(ngrams, sentences=False)}; stacked with Lingua: sentences "
            f"{accuracy(stacked, sentences=True)}, windows {accuracy(stacked, sentences=False)}"
        )


def learn_sr_hr() -> None:
    rows, labels, groups, lingua = _training()
    stack = _stack(_out_of_fold(rows, labels, groups, C), lingua, labels)
    vectoriser, model = _fit(rows, labels, C)
    weights = dict(zip(vectoriser.get_feature_names_out(), model.coef_[0], strict=True))
    kept = sorted(weights.items(), key=lambda fw: abs(fw[1]), reverse=True)[:KEEP]
    MODEL.write_text(
        json.dumps(
            {
                "about": "Serbian (+) vs Croatian (-): a logistic regression over letters, words and morphology, "
                "stacked with Lingua's Bosnian/Croatian log-odds; learnt by benchmarks/language_learn.py from the "
                f"training part of the UD sentences and 3-6-word windows of them ({sum(labels)} sr rows, "
                f"{len(labels) - sum(labels)} hr rows; UD_Serbian-SET and UD_Croatian-SET, CC BY-SA 4.0)",
                "bias": round(float(model.intercept_[0]), 4),
                "stack": {
                    "bias": round(float(stack.intercept_[0]), 4),
                    "ngrams": round(float(stack.coef_[0][0]), 4),
                    "lingua": round(float(stack.coef_[0][1]), 4),
                    **{name: round(float(stack.coef_[0][2 + i]), 4) for i, name in enumerate(DICTIONARY_LISTS)},
                },
                "weights": {f: round(float(w), 4) for f, w in sorted(kept)},
            },
            ensure_ascii=False,
            indent=0,
        )
        + "\n",
        encoding="utf-8",
    )
    print(
        f"sr_hr.json: {len(kept)} of {len(weights)} features, from {len(rows)} sentences and windows; "
        f"stack {stack.coef_[0]}"
    )


# Bulgarian, Ukrainian and Polish sentences are CC BY-NC-SA (evaluation and research only): nothing learnt from
# them ships; those languages keep their hand-written lists.
NON_COMMERCIAL = ("bg", "uk", "pl")


def learn_common_words() -> None:
    # The hand-written lists (complaint words such as "my", "мне") are kept and the learnt words added to them.
    lists: dict[str, list[str]] = json.loads(HAND_COMMON.read_text(encoding="utf-8"))
    for code in LANGUAGES:
        if code in NON_COMMERCIAL:
            continue
        counts: Counter[str] = Counter()
        for sentence in sentences(code, part="train"):
            counts.update(set(words_of(sentence)))
            if code == "sr-Latn":
                counts.update(set(words_of(serbian_cyrillic(sentence))))
        base = code.split("-")[0]
        size = COMMON_SIZE * (2 if code == "sr-Latn" else 1)  # both scripts
        learnt = [w for w, _n in sorted(counts.items(), key=lambda wn: (-wn[1], wn[0]))[:size]]  # ties by spelling
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
