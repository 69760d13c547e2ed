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
So are hand-written word pairs (lexicons/sr_hr_pairs.json: `tisuća`/`hiljada`, `vlak`/`voz`, `tijekom`/`tokom` …),
whose weights are learnt too, and the model also learns from sentences written in-house in both standards across
many topics (benchmarks/data/language_srhr_train.tsv), so that everyday words weigh, not only the news'.
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


PAIRS = Path(__file__).with_name("lexicons") / "sr_hr_pairs.json"
# Serbian writes "sa" before any word, Croatian "s" except before s, z, š, ž (and a few clusters): "sa kartice"
# against "s kartice".
_SIBILANT_START = ("s", "z", "š", "ž", "ps", "ks", "mn")
# Croatian -irati where Serbian often writes -isati or -ovati (organizirati/organizovati, definirati/definisati).
_IRATI = re.compile(r"\w{3,}ir(?:ati|am|aš|a|amo|ate|aju|ao|ala|alo|ali|an|ana|ano|ani|ane|anje|anja|anju|anjem)$")
_ISATI = re.compile(r"\w{3,}(?<!p)is(?:ati|ao|ala|alo|ali|an|ana|ano|ani|ane|anje|anja|anju|anjem)$")
# Serbian -enat where Croatian writes -ent (procenat, talenat, dokumenat) or -tak (postotak).
_ENAT = re.compile(r"\w{3,}enat$")
# Croatian keeps foreign names in their own spelling (Washington, Bush, Moody's), Serbian writes them as they sound
# (Vašington, Buš, Mudis): letters and doubled consonants the native spelling never uses. Roman numerals aside.
_FOREIGN_LETTERS = re.compile(r"[qwxyäöüéëáóàèç]")
_ROMAN = re.compile(r"[ivxlcdm]+")
_DOUBLED = re.compile(r"([bcdfgklmnprstvz])\1")


def _foreign(word: str) -> bool:
    """A word spelt with letters or doubled consonants native spelling never uses (prefix joins aside)."""
    if _FOREIGN_LETTERS.search(word):
        return not _ROMAN.fullmatch(word)
    return bool(_DOUBLED.search(word)) and not word.startswith(("najj", "odd", "podd", "nadd", "izz", "razz", "bezz"))


@dataclass(frozen=True)
class _Pairs:
    exact: dict[str, tuple[str, str]]  # form -> (side, pair id)
    prefixes: list[tuple[str, str, str]]  # (prefix, side, pair id), longest first
    pattern: re.Pattern[str] | None


@cache
def _pairs() -> _Pairs:
    """The hand-written Croatian/Serbian word pairs (lexicons/sr_hr_pairs.json); each pair is named by its first
    form on either side."""
    exact: dict[str, tuple[str, str]] = {}
    prefixes: list[tuple[str, str, str]] = []
    for croatian, serbian in json.loads(PAIRS.read_text(encoding="utf-8"))["pairs"]:
        name = "/".join(forms[0].rstrip("*") if forms else "-" for forms in (croatian, serbian))
        for side, forms in (("hr", croatian), ("sr", serbian)):
            for form in forms:
                form = unicodedata.normalize("NFC", form)
                if form.endswith("*"):
                    prefixes.append((form[:-1], side, name))
                else:
                    exact[form] = (side, name)
    prefixes.sort(key=lambda p: -len(p[0]))
    pattern = re.compile("|".join(re.escape(p) for p, _s, _n in prefixes)) if prefixes else None
    return _Pairs(exact, prefixes, pattern)


def _pair_of(word: str) -> tuple[str, str] | None:
    pairs = _pairs()
    if word in pairs.exact:
        return pairs.exact[word]
    if pairs.pattern is not None and pairs.pattern.match(word):
        return next(((side, name) for prefix, side, name in pairs.prefixes if word.startswith(prefix)), None)
    return None


def marked_features(text: str) -> dict[str, str]:
    """The binary features of a text, each with the words of the text it was found in (for the evidence)."""
    words = words_of(text)
    found: dict[str, str] = {}
    for i, word in enumerate(words):
        found.setdefault("w:" + word, word)
        padded = f" {word} "
        for n in (3, 4, 5):
            for start in range(len(padded) - n + 1):
                found.setdefault(f"c{n}:" + padded[start : start + n], word)
        if (pair := _pair_of(word)) is not None:
            side, name = pair
            found.setdefault(f"p:{side} {name}", word)
            found.setdefault(f"m:{side} word", word)
        if i + 1 < len(words):
            following = words[i + 1]
            both = f"{word} {following}"
            found.setdefault(f"b:{both}", both)
            if word in _MODALS:
                if following == "da":
                    found.setdefault("m:modal+da", both)
                elif following.endswith(("ti", "ći")):
                    found.setdefault("m:modal+infinitive", both)
            if following in _FUTURE and word.endswith(("t", "ći")):
                found.setdefault("m:infinitive+ću", both)  # Croatian split future: "platit ću"
            if word == "sa" and not following.startswith(_SIBILANT_START):
                found.setdefault("m:sa+word", both)  # Serbian "sa kartice"
            elif word == "s" and not following.startswith(_SIBILANT_START):
                found.setdefault("m:s+word", both)  # Croatian "s kartice"
            if word == "da" and following == "li":
                found.setdefault("m:da li", both)  # Serbian question "da li", Croatian "je li", "biste li"
        if len(word) > 5 and word.endswith(("iću", "ićeš", "ićemo", "ićete", "aću", "aćeš", "aćemo", "aćete")):
            found.setdefault("m:fused future", word)  # Serbian fused future: "platiću"
        if word in _MONTHS_SR:
            found.setdefault("m:month sr", word)
        if word in _MONTHS_HR:
            found.setdefault("m:month hr", word)
        if word not in ("nije", "nijedan", "nijedna", "nijedno") and re.search(r"[bcdfghklmnprstvz]ije", word):
            found.setdefault("m:ije", word)  # the ijekavian long reflex; "nije" is the same in both
        if _IRATI.match(word):
            found.setdefault("m:-irati", word)
        elif _ISATI.match(word):
            found.setdefault("m:-isati", word)
        if _ENAT.match(word):
            found.setdefault("m:-enat", word)
        if _foreign(word):
            found.setdefault("m:foreign spelling", word)
    return found


def features(text: str) -> set[str]:
    """The binary features of a text: what the weights are learnt for and looked up by."""
    return set(marked_features(text))


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
    found = marked_features(text)
    present = [(_example(f, found[f]), model.weights[f]) for f in found if f in model.weights]
    return model.bias + sum(w for _f, w in present), present


# Features whose evidence is better said by the words they were found in than by their name.
_BY_EXAMPLE = (
    "p:",
    "m:hr word",
    "m:sr word",
    "m:sa+word",
    "m:s+word",
    "m:da li",
    "m:-irati",
    "m:-isati",
    "m:-enat",
    "m:foreign spelling",
)


def _example(feature: str, words: str) -> str:
    if feature.startswith(_BY_EXAMPLE):
        return ("b:" if " " in words else "w:") + words
    return feature


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
    evidence = list(dict.fromkeys(_plain(f) for f, w in leaning if (w > 0) == (score >= 0)))[:4]
    return Verdict(probability, evidence)
