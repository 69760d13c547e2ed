"""Serbian or Croatian, for South Slavic text in Latin script. Pure Python: no Django import.

The two standards share almost every word; what tells them apart is spread thin over many small habits: the
ekavian or ijekavian reflex of old jat (`mleko`/`mlijeko`, `pre`/`prije`), `da` + present where Croatian writes
the infinitive (`mogu da platim`/`mogu platiti`), the Serbian fused future (`platiću`/`platit ću`), vocabulary
(`hiljada`/`tisuća`, `voz`/`vlak`, the month names). No short hand list covers enough of them: most real
sentences carry none. So the markers are learnt: a logistic regression over words, word pairs, letter n-grams and
the morphology features below, trained on Universal Dependencies sentences of both languages (the split and the
training are in benchmarks/lid_split.py and benchmarks/language_learn.py); only its weights ship, in
lexicons/sr_hr.json. News sentences carry few of the words complaints use, so counts of word forms from the two
spelling dictionaries (ekavian/ijekavian twins, forms only one dictionary has; lexicons/sr_hr_forms.npz) are inputs
too, their weights learnt with the rest: `belu`, `posle`, `niko` mark Serbian in a complaint the news never saw.
"""

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

MODEL = Path(__file__).with_name("lexicons") / "sr_hr.json"
# Word forms only one standard spells so, from the two spelling dictionaries (benchmarks/jat_lexicon.py).
FORMS = Path(__file__).with_name("lexicons") / "sr_hr_forms.npz"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Verbs after which Serbian writes "da" + present and Croatian the infinitive. The weight of each pattern is learnt.
_MODALS = frozenset(
    [
        "mogu",
        "možeš",
        "može",
        "možemo",
        "možete",
        "mogao",
        "mogla",
        "mogli",
        "moram",
        "moraš",
        "mora",
        "moramo",
        "morate",
        "morao",
        "morala",
        "želim",
        "želiš",
        "želi",
        "želimo",
        "želite",
        "želeo",
        "želela",
        "želio",
        "željela",
        "hoću",
        "hoćeš",
        "hoće",
        "hoćemo",
        "hoćete",
        "htela",
        "htjela",
        "hteo",
        "htio",
        "treba",
        "trebalo",
        "trebam",
        "pokušao",
        "pokušala",
        "pokušam",
        "počeo",
        "počela",
        "počinje",
        "nastavi",
        "nastavio",
        "uspeo",
        "uspio",
    ]
)
_FUTURE = frozenset(["ću", "ćeš", "će", "ćemo", "ćete"])
_MONTHS_SR = frozenset(
    [
        "januar",
        "januara",
        "februar",
        "februara",
        "mart",
        "marta",
        "april",
        "aprila",
        "maj",
        "maja",
        "jun",
        "juna",
        "jul",
        "jula",
        "avgust",
        "avgusta",
        "septembar",
        "septembra",
        "oktobar",
        "oktobra",
        "novembar",
        "novembra",
        "decembar",
        "decembra",
    ]
)
_MONTHS_HR = frozenset(
    [
        "siječanj",
        "siječnja",
        "veljača",
        "veljače",
        "ožujak",
        "ožujka",
        "travanj",
        "travnja",
        "svibanj",
        "svibnja",
        "lipanj",
        "lipnja",
        "srpanj",
        "srpnja",
        "kolovoz",
        "kolovoza",
        "rujan",
        "rujna",
        "listopad",
        "listopada",
        "studeni",
        "studenoga",
        "prosinac",
        "prosinca",
    ]
)


def words_of(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def lingua_logit(bosnian_share: float) -> float:
    """Lingua's Bosnian against Croatian, bs / (bs + hr), as log-odds. Its large models read Serbian Latin as
    Bosnian more often than as Croatian: a signal learnt from far more text than ours, combined with it."""
    share = min(max(bosnian_share, 0.001), 0.999)
    return math.log(share / (1 - share))


def form_hashes(words: Iterable[str]) -> np.ndarray:
    """Stable 64-bit hashes of word forms: the dictionaries' lists ship as these, sorted, not as text."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little") for w in words),
        dtype=np.uint64,
    )


@cache
def _form_lists() -> dict[str, np.ndarray]:
    with np.load(FORMS) as data:
        return {name: data[name] for name in data.files}


DICTIONARY_LISTS = ("ekavian", "ijekavian", "croatian", "serbian")
_DICTIONARY_WORDS = {
    "ekavian": "ekavian word forms",
    "ijekavian": "ijekavian word forms",
    "croatian": "words only the Croatian dictionary has",
    "serbian": "words only the Serbian dictionary has",
}


def dictionary_counts(text: str) -> dict[str, int]:
    """How many words of the text each dictionary list holds (ekavian, ijekavian, croatian)."""
    words = [w for w in words_of(text) if len(w) > 2]
    if not words:
        return dict.fromkeys(DICTIONARY_LISTS, 0)
    hashes = form_hashes(words)
    counts = {}
    for name in DICTIONARY_LISTS:
        sorted_hashes = _form_lists()[name]
        at = np.searchsorted(sorted_hashes, hashes)
        at[at == len(sorted_hashes)] = 0
        counts[name] = int(np.count_nonzero(sorted_hashes[at] == hashes))
    return counts


def features(text: str) -> set[str]:
    """The binary features of a text: what the weights are learnt for and looked up by."""
    words = words_of(text)
    found: set[str] = set()
    for i, word in enumerate(words):
        found.add("w:" + word)
        padded = f" {word} "
        for n in (3, 4, 5):
            for start in range(len(padded) - n + 1):
                found.add(f"c{n}:" + padded[start : start + n])
        if i + 1 < len(words):
            following = words[i + 1]
            found.add(f"b:{word} {following}")
            if word in _MODALS:
                if following == "da":
                    found.add("m:modal+da")
                elif following.endswith(("ti", "ći")):
                    found.add("m:modal+infinitive")
            if following in _FUTURE and word.endswith(("t", "ći")):
                found.add("m:infinitive+ću")  # Croatian split future: "platit ću"
        if len(word) > 5 and word.endswith(("iću", "ićeš", "ićemo", "ićete", "aću", "aćeš", "aćemo", "aćete")):
            found.add("m:fused future")  # Serbian fused future: "platiću"
        if word in _MONTHS_SR:
            found.add("m:month sr")
        if word in _MONTHS_HR:
            found.add("m:month hr")
        if word not in ("nije", "nijedan", "nijedna", "nijedno") and re.search(r"[bcdfghklmnprstvz]ije", word):
            found.add("m:ije")  # the ijekavian long reflex; "nije" is the same in both
    return found


@dataclass(frozen=True)
class Verdict:
    serbian: float  # probability that the text is Serbian rather than Croatian
    evidence: list[str]  # the features that weighed most, in plain words


@dataclass(frozen=True)
class _Model:
    bias: float
    weights: dict[str, float]
    # The two scores combined (learnt on out-of-fold scores): letters and words, and Lingua's bs/hr.
    stack: dict[str, float]


@cache
def _model() -> _Model:
    data = json.loads(MODEL.read_text(encoding="utf-8"))
    weights = {unicodedata.normalize("NFC", k): float(v) for k, v in data["weights"].items()}
    return _Model(float(data["bias"]), weights, {k: float(v) for k, v in data["stack"].items()})


def ngram_score(text: str) -> tuple[float, list[tuple[str, float]]]:
    """The log-odds of Serbian from letters, words and morphology alone, with the features that counted."""
    model = _model()
    present = [(f, model.weights[f]) for f in features(text) if f in model.weights]
    return model.bias + sum(w for _f, w in present), present


def _plain(feature: str) -> str:
    kind, _, value = feature.partition(":")
    if kind == "w":
        return f"word “{value}”"
    if kind == "b":
        return f"words “{value}”"
    if kind in ("m", "x"):
        return value
    return f"letters “{value.strip()}”"


def judge(text: str, *, bosnian_share: float | None = None) -> Verdict:
    """How Serbian (against Croatian) the text reads; 0.5 when nothing in it tells them apart. `bosnian_share`
    is Lingua's bs / (bs + hr) for the same text, when the caller has it."""
    stack = _model().stack
    ngrams, present = ngram_score(text)
    score = stack["bias"] + stack["ngrams"] * ngrams
    for name, count in dictionary_counts(text).items():
        if count:
            weight = stack[name] * math.log1p(count)
            score += weight
            present.append((f"x:{_DICTIONARY_WORDS[name]} ({count})", weight))
    if bosnian_share is not None:
        score += stack["lingua"] * lingua_logit(bosnian_share)
        present.append(
            (f"x:Lingua reads it {'Bosnian' if bosnian_share >= 0.5 else 'Croatian'}", lingua_logit(bosnian_share))
        )
    probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))
    leaning = sorted(present, key=lambda fw: fw[1] if score >= 0 else -fw[1], reverse=True)
    evidence = [_plain(f) for f, w in leaning[:4] if (w > 0) == (score >= 0)]
    return Verdict(probability, evidence)
