"""A fitted TF-IDF vectorizer's transform, with numpy alone. Pure Python: no Django import.

The coach's detector and the triage category learner are trained with scikit-learn's TfidfVectorizer, but a
process that only reads complaints and drafts should not pay for importing scikit-learn (~1.5 s of CPU, ~75 MB
of every web worker's memory) to turn a sentence into a dozen numbers. This is the same
transform, step for step (sklearn/feature_extraction/text.py): lowercase; word n-grams of the token pattern's
matches, or char_wb n-grams of each whitespace-separated word padded with a space; counts of the terms in the
vocabulary; 1 + log(count) when sublinear; times idf; l2-normalised. The only parameters accepted are the ones
implemented here (`from_sklearn` refuses the rest), and a test holds the features equal to scikit-learn's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's own, applied before char n-grams
# What this transform implements; any other value (stop words, accent stripping, a custom analyser, binary
# counts, l1) would give different features, so converting such a vectorizer is refused rather than approximated.
_REQUIRED = {
    "strip_accents": None,
    "stop_words": None,
    "preprocessor": None,
    "tokenizer": None,
    "binary": False,
    "use_idf": True,
    "norm": "l2",
    "input": "content",
}


@dataclass(frozen=True)
class Vectorizer:
    analyzer: str  # "char_wb" or "word"
    ngram_range: tuple[int, int]
    lowercase: bool
    sublinear_tf: bool
    token_pattern: str  # used by the word analyser only
    terms: list[str]  # the vocabulary in column order
    idf: Any  # float64 per column

    def __post_init__(self) -> None:
        if self.analyzer not in ("char_wb", "word"):
            raise ValueError(f"unsupported analyzer {self.analyzer!r}: only 'char_wb' and 'word' are implemented")
        low, high = self.ngram_range
        if not 1 <= low <= high:
            raise ValueError(f"invalid ngram_range {self.ngram_range!r}")
        if len(self.terms) != len(self.idf):
            raise ValueError(f"{len(self.terms)} terms but {len(self.idf)} idf values")

    @cached_property
    def vocabulary(self) -> dict[str, int]:
        return {term: column for column, term in enumerate(self.terms)}

    @cached_property
    def _tokens(self) -> re.Pattern[str]:
        return re.compile(self.token_pattern)

    @property
    def params(self) -> dict[str, Any]:
        """Everything but the vocabulary and idf, as JSON-friendly values."""
        return {
            "analyzer": self.analyzer,
            "ngram_range": list(self.ngram_range),
            "lowercase": self.lowercase,
            "sublinear_tf": self.sublinear_tf,
            "token_pattern": self.token_pattern,
        }

    @classmethod
    def from_sklearn(cls, fitted: Any) -> Vectorizer:
        """The transform of a fitted TfidfVectorizer; ValueError if it uses a parameter not implemented here."""
        for name, required in _REQUIRED.items():
            if getattr(fitted, name) != required:
                raise ValueError(f"unsupported TfidfVectorizer {name}={getattr(fitted, name)!r}")
        if not isinstance(fitted.analyzer, str):
            raise ValueError("unsupported TfidfVectorizer analyzer: a callable cannot be stored")
        terms = sorted(fitted.vocabulary_, key=fitted.vocabulary_.__getitem__)
        return cls(
            analyzer=fitted.analyzer,
            ngram_range=tuple(fitted.ngram_range),
            lowercase=bool(fitted.lowercase),
            sublinear_tf=bool(fitted.sublinear_tf),
            token_pattern=str(fitted.token_pattern),
            terms=terms,
            idf=np.asarray(fitted.idf_, dtype=np.float64),
        )

    def analyse(self, text: str) -> list[str]:
        """The terms of a text, repeated as often as they occur (scikit-learn's build_analyzer())."""
        if self.lowercase:
            text = text.lower()
        low, high = self.ngram_range
        if self.analyzer == "word":
            words = self._tokens.findall(text)
            found = list(words) if low == 1 else []
            for n in range(max(low, 2), min(high, len(words)) + 1):
                found.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
            return found
        found = []
        for word in _WHITE_SPACES.sub(" ", text).split():
            padded = f" {word} "
            for n in range(low, high + 1):
                found.extend(padded[i : i + n] for i in range(max(len(padded) - n, 0) + 1))
                if len(padded) <= n:  # a word shorter than n is counted once, not for every larger n
                    break
        return found

    def transform(self, text: str) -> tuple[Any, Any]:
        """(columns, values) of the text's non-zero features, columns ascending."""
        counts: dict[int, int] = {}
        for term in self.analyse(text):
            column = self.vocabulary.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        columns = np.array(sorted(counts), dtype=np.int64)
        values = np.array([counts[c] for c in columns], dtype=np.float64)
        if self.sublinear_tf:
            values = np.log(values) + 1.0
        values *= self.idf[columns]
        return columns, values / np.sqrt(np.dot(values, values))
