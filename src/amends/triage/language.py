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

MIN_LETTERS = 12
MIN_CONFIDENCE = 0.5
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
    if not common or len(words) < 6:
        return True
    return any(word in common for word in words)


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


def detect(text: str, *, served: tuple[str, ...], stated: str = "", company_language: str = "en") -> LanguageGuess:
    """The language of `text` among `served` (BCP 47 base codes); uncertain when it cannot be called."""
    fallback = stated or company_language
    text = text[:MAX_SAMPLE]
    letters = sum(1 for ch in text if ch.isalpha())
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if letters < MIN_LETTERS:
        return LanguageGuess(fallback, 0.0, True, [f"too short to tell ({letters} letters)"])
    values = _detector(served).compute_language_confidence_values(text)
    if not values:
        return LanguageGuess(fallback, 0.0, True, ["no served language fits"])
    best, runner_up = values[0], (values[1] if len(values) > 1 else None)
    code = CODES[best.language]
    confidence = float(best.value)
    signals = [f"detector: {code} {confidence:.2f}"]
    script_share = max(cyrillic, latin) / max(1, cyrillic + latin)
    if script_share < 0.8:
        return LanguageGuess(fallback, confidence, True, [*signals, "mixed Cyrillic and Latin script"])
    if cyrillic > latin:
        if _MACEDONIAN_LETTERS.search(text):
            code, signals = "mk", [*signals, "Macedonian letters ѓ ќ ѕ"]
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
    if runner_up is not None and confidence - float(runner_up.value) < 0.1 and confidence < 0.6:
        other = CODES[runner_up.language]
        return LanguageGuess(code, confidence, True, [*signals, f"close to {other} {float(runner_up.value):.2f}"])
    return LanguageGuess(code, confidence, confidence < MIN_CONFIDENCE, signals)
