"""Which language a complaint is written in. Pure Python: no Django import.

Lingua, restricted to the languages served, does the statistics; rules take over where such libraries are
known to go wrong: Serbian is reported with its script (sr-Cyrl, sr-Latn); Serbian and Croatian in Latin
script are told apart by ekavian/ijekavian forms and lexical markers ("što" is shared by both and decides
nothing); Bosnian, which detectors confuse with both, is resolved the same way; text too short or too mixed
to call is reported as uncertain, with the customer's stated language or the company's as the fallback.
"""

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lingua import Language, LanguageDetectorBuilder

# BCP 47 code for each lingua language that can be reported.
CODES = {
    Language.ENGLISH: "en",
    Language.RUSSIAN: "ru",
    Language.BULGARIAN: "bg",
    Language.SERBIAN: "sr",
    Language.SLOVAK: "sk",
    Language.UKRAINIAN: "uk",
    Language.CZECH: "cs",
    Language.POLISH: "pl",
    Language.GERMAN: "de",
    Language.CROATIAN: "hr",
    Language.MACEDONIAN: "mk",
    Language.BOSNIAN: "bs",
}
BY_CODE = {code: language for language, code in CODES.items()}

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SERBIAN_CYRILLIC_LETTERS = re.compile(r"[ђјљњћџЂЈЉЊЋЏ]")
_MACEDONIAN_LETTERS = re.compile(r"[ѓќѕЃЌЅ]")
# Function words that tell Macedonian from Serbian Cyrillic when the letters ѓ ќ ѕ are absent.
MACEDONIAN_WORDS = frozenset(["во", "ги", "сè", "уште", "дека", "тоа", "овој", "оваа", "кој"])
BULGARIAN_WORDS = frozenset(["днес", "ще", "съм", "сме", "вече", "още", "защо", "тук", "кога", "никой", "мога"])
SERBIAN_CYRILLIC_WORDS = frozenset(["у", "је", "су", "још", "ће", "нисам", "сам", "који", "ово", "није", "већ"])

# Serbian (ekavian forms, Serbian vocabulary) versus Croatian (ijekavian forms, Croatian vocabulary). A marker of
# four letters or more is a stem (it matches words it begins); a shorter one must be the whole word; one with a
# space is a phrase. "što" is shared by both languages and is deliberately in neither list.
SERBIAN_MARKERS = (
    "mleko",
    "dete",
    "deca",
    "vreme",
    "lepo",
    "lepa",
    "reč",
    "mesto",
    "mesec",
    "svet",
    "cena",
    "cene",
    "uvek",
    "gde",
    "ovde",
    "onde",
    "negde",
    "nigde",
    "hteo",
    "htela",
    "desilo",
    "desio",
    "nedelj",
    "sedmic",
    "tačno",
    "kafa",
    "voz",
    "hleb",
    "hiljad",
    "uopšte",
    "bezbed",
    "porudžbin",
    "prodavnic",
    "opštin",
    "poslednj",
    "sledeć",
    "ko",
    "šta",
    "isporučen",
    "treba da",
    "da li",
    "bre",
    "pre",
    "posle",
    "videl",
    "belo",
    "magacin",
    # "da" + present tense after a verb, where Croatian uses the infinitive ("želim da platim" / "želim platiti")
    "pokušam da",
    "pokušao da",
    "pokušala da",
    "želim da",
    "želeo",
    "želela",
    "hoću da",
    "mogu da",
    "moram da",
    "mogao da",
    "mogla da",
    "počeo da",
    "počela da",
    "nastavi da",
)
CROATIAN_MARKERS = (
    "mlijek",
    "dijete",
    "djeca",
    "vrijeme",
    "lijep",
    "riječ",
    "mjesto",
    "mjesec",
    "svijet",
    "cijen",
    "uvijek",
    "gdje",
    "ovdje",
    "ondje",
    "negdje",
    "nigdje",
    "htio",
    "htjela",
    "dogodil",
    "dogodio",
    "tjed",
    "točno",
    "kava",
    "vlak",
    "kruh",
    "tisuć",
    "uopće",
    "sigurnosn",
    "narudžb",
    "trgovin",
    "općin",
    "posljednj",
    "sljedeć",
    "tko",
    "je li",
    "tijekom",
    "prije",
    "poslije",
    "vidjel",
    "bijel",
    "tenisic",
)

MIN_LETTERS = 8
# Below this the top language is a guess: reported, but marked uncertain.
MIN_CONFIDENCE = 0.3
# A sentence this long that uses none of its language's commonest words is not in that language.
COMMON_WORDS_FROM = 10
# Enough for the statistics; a long story repeats itself and only costs time.
MAX_SAMPLE = 1500
COMMON_WORDS = Path(__file__).with_name("lexicons") / "common_words.json"


@cache
def _common_words() -> dict[str, frozenset[str]]:
    return {code: frozenset(words) for code, words in json.loads(COMMON_WORDS.read_text(encoding="utf-8")).items()}


def _looks_like(code: str, words: list[str]) -> bool:
    """A sentence in a language uses its commonest words; a detector forced to choose among few languages does
    not check that, so "Finnish among en/ru/sk" would come out as confident English."""
    common = _common_words().get(code.split("-")[0])
    if not common or len(words) < COMMON_WORDS_FROM:
        return True
    return any(word in common for word in words)


@dataclass
class _Scored:
    language: Language
    value: float


@dataclass
class LanguageGuess:
    code: str  # BCP 47: "ru", "sr-Latn", "sr-Cyrl", … ; the fallback when uncertain
    confidence: float
    uncertain: bool
    signals: list[str] = field(default_factory=list)


@cache
def _detector(codes: tuple[str, ...]):  # type: ignore[no-untyped-def]
    languages = {BY_CODE[c] for c in codes if c in BY_CODE}
    if "sr" in codes or "hr" in codes:
        languages |= {Language.SERBIAN, Language.CROATIAN, Language.BOSNIAN}
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def warm_up(codes: tuple[str, ...]) -> None:
    """Load the models now (once per process) rather than on the first complaint."""
    _detector(codes).compute_language_confidence_values("warm up")


def _markers_in(words: list[str], markers: tuple[str, ...]) -> list[str]:
    hits = []
    joined = " " + " ".join(words) + " "
    vocabulary = set(words)
    for marker in markers:
        if " " in marker:
            found = f" {marker} " in joined
        elif len(marker) >= 4:
            found = any(word.startswith(marker) for word in vocabulary)
        else:
            found = marker in vocabulary
        if found:
            hits.append(marker)
    return hits


def serbian_or_croatian(text: str, *, company_language: str = "") -> tuple[str, list[str]]:
    """sr-Latn or hr for Latin-script South Slavic text, with the markers that decided it."""
    words = [w.lower() for w in _WORD.findall(text)]
    serbian = _markers_in(words, SERBIAN_MARKERS)
    croatian = _markers_in(words, CROATIAN_MARKERS)
    if len(serbian) > len(croatian):
        return "sr-Latn", [f"Serbian marker: {m}" for m in serbian[:5]]
    if len(croatian) > len(serbian):
        return "hr", [f"Croatian marker: {m}" for m in croatian[:5]]
    if company_language.lower().startswith("sr"):
        return "sr-Latn", ["no Serbian or Croatian marker; the company's locale is Serbian"]
    if company_language.lower().startswith("hr"):
        return "hr", ["no Serbian or Croatian marker; the company's locale is Croatian"]
    return "sr-Latn" if "sr" in company_language else "hr", ["no Serbian or Croatian marker"]


def _family(code: str) -> str:
    """Serbian in either script, Croatian and Bosnian are one family for a tie-break."""
    base = code.split("-")[0].lower()
    return "sr" if base in ("sr", "hr", "bs") else base


def _bcp47(code: str) -> str:
    """A Django language code (sr, sr-latn) as the BCP 47 code triage reports (sr-Cyrl, sr-Latn)."""
    lowered = code.lower().replace("_", "-")
    return {"sr": "sr-Cyrl", "sr-cyrl": "sr-Cyrl", "sr-latn": "sr-Latn"}.get(lowered, lowered)


def detect(
    text: str,
    *,
    served: tuple[str, ...],
    stated: str = "",
    company_language: str = "en",
    primary: tuple[str, ...] = ("en", "ru", "bg", "sr", "sk"),
) -> LanguageGuess:
    """The language of `text` among `served` (BCP 47 base codes); uncertain when it cannot be called."""
    text = text[:MAX_SAMPLE]
    fallback = _bcp47(stated or company_language)
    if fallback == "sr-Cyrl" and len(_LATIN.findall(text)) > len(_CYRILLIC.findall(text)):
        fallback = "sr-Latn"  # a Serbian company's customer writing in Latin script
    letters = sum(1 for ch in text if ch.isalpha())
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if letters < MIN_LETTERS:
        return LanguageGuess(fallback, 0.0, True, [f"too short to tell ({letters} letters)"])
    raw = _detector(served).compute_language_confidence_values(text)
    if not raw:
        return LanguageGuess(fallback, 0.0, True, ["no served language fits"])
    # The languages a company mainly serves are likelier than their neighbours: on a near tie between
    # Bulgarian and Macedonian, or Slovak and Czech, the primary one wins.
    weighted = [_Scored(v.language, float(v.value) * (1.0 if CODES[v.language] in primary else 0.75)) for v in raw]
    total = sum(v.value for v in weighted) or 1.0
    values = sorted((_Scored(v.language, v.value / total) for v in weighted), key=lambda v: v.value, reverse=True)
    best, runner_up = values[0], (values[1] if len(values) > 1 else None)
    code = CODES[best.language]
    confidence = float(best.value)
    signals = [f"detector: {code} {confidence:.2f}"]
    script_share = max(cyrillic, latin) / max(1, cyrillic + latin)
    if script_share < 0.8:
        return LanguageGuess(fallback, confidence, True, [*signals, "mixed Cyrillic and Latin script"])
    if cyrillic > latin:
        words = {w.lower() for w in _WORD.findall(text)}
        if _MACEDONIAN_LETTERS.search(text):
            code, signals = "mk", [*signals, "Macedonian letters ѓ ќ ѕ"]
        elif code in ("sr", "mk") and len(words & MACEDONIAN_WORDS) > len(words & SERBIAN_CYRILLIC_WORDS):
            code, signals = "mk", [*signals, "Macedonian words: " + ", ".join(sorted(words & MACEDONIAN_WORDS)[:3])]
        elif code in ("mk", "sr") and (
            "ъ" in text.lower() or len(words & BULGARIAN_WORDS) > len(words & MACEDONIAN_WORDS)
        ):
            code, signals = "bg", [*signals, "Bulgarian letter ъ or words"]
        elif code == "mk" and len(words & SERBIAN_CYRILLIC_WORDS) > len(words & MACEDONIAN_WORDS):
            code = "sr-Cyrl"
            signals = [*signals, "Serbian words: " + ", ".join(sorted(words & SERBIAN_CYRILLIC_WORDS)[:3])]
        elif code in ("sr", "hr", "bs") or (_SERBIAN_CYRILLIC_LETTERS.search(text) and code not in ("ru", "uk", "bg")):
            code, signals = "sr-Cyrl", [*signals, "Serbian in Cyrillic script"]
    elif code in ("sr", "hr", "bs"):
        family = sum(float(v.value) for v in values if CODES[v.language] in ("sr", "hr", "bs"))
        code, why = serbian_or_croatian(text, company_language=company_language)
        confidence = family
        signals = [*signals, *why]
        runner_up = None
    if code.split("-")[0] not in served and code not in served:
        return LanguageGuess(fallback, confidence, True, [*signals, f"{code} is not served"])
    if not _looks_like(code, [w.lower() for w in _WORD.findall(text)]):
        return LanguageGuess(fallback, confidence, True, [*signals, f"none of the common words of {code}"])
    if runner_up is not None and confidence - float(runner_up.value) < 0.03:
        # A near tie between the customer's stated language (or the company's) and another: take the stated one.
        if _family(fallback) == _family(CODES[runner_up.language]):
            return LanguageGuess(fallback, float(runner_up.value), True, [*signals, f"near tie; {fallback} stated"])
        other = CODES[runner_up.language]
        return LanguageGuess(code, confidence, True, [*signals, f"close to {other} {float(runner_up.value):.2f}"])
    return LanguageGuess(code, confidence, confidence < MIN_CONFIDENCE, signals)
