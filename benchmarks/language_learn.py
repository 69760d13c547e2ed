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
import gettext
import json
import math
import random
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import django
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


@cache
def _bosnian_share(text: str) -> float:
    values = {v.language: v.value for v in LINGUA.compute_language_confidence_values(text)}
    bosnian, croatian = values.get(Language.BOSNIAN, 0.0), values.get(Language.CROATIAN, 0.0)
    return bosnian / (bosnian + croatian) if bosnian + croatian else 0.5


def _dictionary_row(text: str) -> list[float]:
    counts = dictionary_counts(text)
    return [math.log1p(counts[name]) for name in DICTIONARY_LISTS]


IN_HOUSE = ROOT / "benchmarks" / "data" / "language_srhr_train.tsv"
DJANGO_LOCALE = Path(django.__file__).parent
# Extra training text besides the UD training part: "in-house" (sentences written in-house in pairs, Serbian and
# Croatian, across many topics, benchmarks/data/language_srhr_train.tsv), "django" (Django's own hr and sr_Latn
# catalogues, BSD). Chosen by --cv: the in-house pairs leave the UD figure where it was (91.8 %) and lift complaints
# (in-house text, cross-validated by pair: 90.8 % learnt from UD alone, 93.5 % with them); Django's catalogues add
# nothing on UD. Tried and left out (2026-12-01): the machine's own gettext catalogues of Debian packages (hr,
# sr, sr@latin; 4,000 strings a language): 90.2 % on UD.
EXTRA = ("in-house",)
EXTRA_WEIGHT = 1.0  # the weight of an extra row against a UD row, chosen by --cv


def _django_catalogue(locale: str) -> list[str]:
    """The translated strings of Django's catalogues for one locale, without placeholders."""
    texts = []
    for mo in sorted(DJANGO_LOCALE.glob(f"**/locale/{locale}/LC_MESSAGES/*.mo")):
        with mo.open("rb") as f:
            catalogue = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
        for value in catalogue.values():
            text = re.sub(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|<[^>]*>", " ", str(value))
            if len(text.split()) >= 3:
                texts.append(" ".join(text.split()))
    return sorted(set(texts))


def _extra(source: str) -> list[tuple[int, str, str]]:
    """(label, text, group) of one extra source: 1 Serbian, 0 Croatian; texts of one group (a Serbian sentence and
    its Croatian twin) go to the same cross-validation fold, so that a twin never teaches the other's label."""
    if source == "in-house":
        rows = [line.split("\t", 1) for line in IN_HOUSE.read_text(encoding="utf-8").splitlines() if line.strip()]
        # Written in pairs: a Serbian sentence, then the same said in Croatian.
        return [(int(code == "sr-Latn"), text, f"in-house {n // 2}") for n, (code, text) in enumerate(rows)]
    if source == "django":
        serbian, croatian = set(_django_catalogue("sr_Latn")), set(_django_catalogue("hr"))
        both = serbian & croatian  # the same string in both catalogues tells nothing
        return [(1, t, t) for t in sorted(serbian - both)] + [(0, t, t) for t in sorted(croatian - both)]
    raise ValueError(source)


@dataclass
class Rows:
    features: list[dict[str, float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)  # the sentence each row came from
    others: list[list[float]] = field(default_factory=list)  # Lingua's log-odds and the dictionary counts
    outside: list[bool] = field(default_factory=list)  # a UD sentence (what --cv scores), not extra text
    whole: list[bool] = field(default_factory=list)  # the whole sentence, not a window of it
    weights: list[float] = field(default_factory=list)


def _training(extra: tuple[str, ...] = EXTRA, extra_weight: float = EXTRA_WEIGHT) -> Rows:
    """Features, labels and the sentence each row came from. Besides each whole sentence, two windows of 3-6 of
    its words: a complaint's subject line is short, and a model learnt on long sentences alone lets the features
    every sentence has (common letters) decide short text."""
    rng = random.Random(7)
    rows = Rows()
    texts: list[tuple[int, str, str, bool]] = [
        (label, sentence, sentence, True)
        for label, code in ((1, "sr-Latn"), (0, "hr"))
        for sentence in sentences(code, part="train")
    ]
    for source in extra:
        texts += [(label, text, group, False) for label, text, group in _extra(source)]
    numbers: dict[str, int] = {}
    for label, sentence, group, outside in texts:
        sentence_number = numbers.setdefault(group, len(numbers))
        words = sentence.split()
        pieces = [sentence]
        for _ in range(2):
            size = rng.randint(3, 6)
            if len(words) > size:
                start = rng.randrange(len(words) - size + 1)
                pieces.append(" ".join(words[start : start + size]))
        for number, piece in enumerate(pieces):
            rows.features.append(dict.fromkeys(features(piece), 1.0))
            rows.others.append([lingua_logit(_bosnian_share(piece)), *_dictionary_row(piece)])
            rows.labels.append(label)
            rows.groups.append(sentence_number)
            rows.outside.append(outside)
            rows.whole.append(number == 0)
            rows.weights.append(1.0 if outside else extra_weight)
    return rows


def _fit(
    rows: list[dict[str, float]], labels: list[int], c: float, weights: list[float] | None = None
) -> tuple[DictVectorizer, LogisticRegression]:
    vectoriser = DictVectorizer()
    x = vectoriser.fit_transform(rows)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(x, labels, sample_weight=weights)
    return vectoriser, model


def _out_of_fold(rows: Rows, c: float) -> list[float]:
    """The n-gram score of each row from a model that did not learn from its sentence."""
    scores = [0.0] * len(rows.labels)
    for train_idx, test_idx in GroupKFold(5).split(rows.features, rows.labels, rows.groups):
        vectoriser, model = _fit(
            [rows.features[i] for i in train_idx],
            [rows.labels[i] for i in train_idx],
            c,
            [rows.weights[i] for i in train_idx],
        )
        for i, score in zip(
            test_idx, model.decision_function(vectoriser.transform([rows.features[i] for i in test_idx])), strict=True
        ):
            scores[i] = float(score)
    return scores


def _stack(rows: Rows, ngrams: list[float], indices: Iterable[int]) -> LogisticRegression:
    """The n-gram score stacked with Lingua's log-odds and the dictionary counts (see _training), learnt on the UD
    rows among `indices` only: how far to trust each score is a question about outside text."""
    picked = [i for i in indices if rows.outside[i]]
    return LogisticRegression(class_weight="balanced").fit(
        [[ngrams[i], *rows.others[i]] for i in picked], [rows.labels[i] for i in picked]
    )


def cross_validate() -> None:
    """Accuracy by 5-fold cross-validation over sentences (a sentence and its windows in the same fold), scored on
    the UD training sentences only (the extra text is learnt from in every fold but never scored, except in its own
    line), per language: the n-grams alone, Lingua alone and the two stacked (the stack cross-validated again)."""
    for extra, extra_weight, cs in (
        ((), 1.0, (0.03,)),
        (("in-house",), 1.0, (0.03, 0.1)),
        (("in-house", "django"), 1.0, (0.03,)),
    ):
        rows = _training(extra, extra_weight)

        def accuracy(scores: list[float], *, whole: bool, outside: bool = True, rows: Rows = rows) -> str:
            per = []
            for label in (1, 0):
                picked = [
                    (s > 0) == bool(y)
                    for s, y, w, o in zip(scores, rows.labels, rows.whole, rows.outside, strict=True)
                    if w == whole and o == outside and y == label
                ]
                per.append(sum(picked) / max(1, len(picked)))
            return f"{(per[0] + per[1]) / 2:.1%} (sr {per[0]:.1%}, hr {per[1]:.1%})"

        print(f"extra {extra or 'none'} weighted {extra_weight}: {len(rows.labels)} rows")
        alone = [row[0] for row in rows.others]
        print(f"  Lingua alone: sentences {accuracy(alone, whole=True)}, windows {accuracy(alone, whole=False)}")
        for c in cs:
            ngrams = _out_of_fold(rows, c)
            stacked = [0.0] * len(rows.labels)
            for train_idx, test_idx in GroupKFold(5).split(rows.features, rows.labels, rows.groups):
                stack = _stack(rows, ngrams, train_idx)
                for i, score in zip(
                    test_idx, stack.decision_function([[ngrams[i], *rows.others[i]] for i in test_idx]), strict=True
                ):
                    stacked[i] = float(score)
            print(
                f"  C={c}: n-grams sentences {accuracy(ngrams, whole=True)}, windows "
                f"{accuracy(ngrams, whole=False)}; stacked: sentences {accuracy(stacked, whole=True)}, "
                f"windows {accuracy(stacked, whole=False)}"
                + (f"; extra text itself {accuracy(stacked, whole=True, outside=False)}" if extra else "")
            )


def learn_sr_hr() -> None:
    rows = _training()
    labels = rows.labels
    stack = _stack(rows, _out_of_fold(rows, C), range(len(labels)))
    vectoriser, model = _fit(rows.features, labels, C, rows.weights)
    weights = dict(zip(vectoriser.get_feature_names_out(), model.coef_[0], strict=True))
    kept = sorted(weights.items(), key=lambda fw: abs(fw[1]), reverse=True)[:KEEP]
    MODEL.write_text(
        json.dumps(
            {
                "about": "Serbian (+) vs Croatian (-): a logistic regression over letters, words and morphology, "
                "hand-written word pairs (sr_hr_pairs.json) and the dictionary lists, stacked with Lingua's "
                "Bosnian/Croatian log-odds; learnt by benchmarks/language_learn.py from the training part of the UD "
                "sentences (UD_Serbian-SET and UD_Croatian-SET, CC BY-SA 4.0), sentences written in-house "
                f"(benchmarks/data/language_srhr_train.tsv) and 3-6-word windows of both ({sum(labels)} sr rows, "
                f"{len(labels) - sum(labels)} hr rows); the stack learnt on the UD rows only",
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
        f"sr_hr.json: {len(kept)} of {len(weights)} features, from {len(labels)} sentences and windows; "
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
