"""Which language a complaint is written in. Pure Python: no Django import.

Lingua, restricted to the languages served, does the statistics; rules take over where such libraries are
known to go wrong: Serbian is reported with its script (sr-Cyrl, sr-Latn); Serbian and Croatian in Latin
script (and Bosnian, which detectors confuse with both) are told apart by a model learnt from real text of
both (amends.triage.south_slavic), and where the text cannot tell them apart the variant the company or the
customer's earlier cases use is taken; text too short or too mixed to call is reported as uncertain, with the
customer's stated language or the company's as the fallback. Text and word lists are compared after Unicode
normalisation (NFC, and look-alike letters of the other script put back into the word's own script).
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lingua import Language, LanguageDetectorBuilder

from . import south_slavic

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
# ђ and ћ are Serbian only; ѓ, ќ and ѕ Macedonian only. ј, љ, њ and џ are written in both, so they tell Serbian
# from Russian or Bulgarian but nothing about Serbian against Macedonian.
_SERBIAN_ONLY_LETTERS = re.compile(r"[ђћЂЋ]")
_SERBIAN_CYRILLIC_LETTERS = re.compile(r"[ђјљњћџЂЈЉЊЋЏ]")
_MACEDONIAN_LETTERS = re.compile(r"[ѓќѕЃЌЅ]")
# The detector's confidence above which a word-list rule may not overturn its Macedonian.
CONFIDENT = 0.8

# Letters that look the same in Latin and Cyrillic: a word typed with one of the other script's look-alikes
# (a Latin "e" or "è" in a Cyrillic word, as happens on a mixed keyboard or in a copied word list) is put back
# into its own script before anything is compared.
_LATIN_TO_CYRILLIC = str.maketrans("aceopxyiAEOPCXHKMTBjJèÈ", "асеорхуіАЕОРСХНКМТВјЈѐЀ")
_CYRILLIC_TO_LATIN = str.maketrans("асеорхуіјАЕОРСХНКМТВЈ", "aceopxyijAEOPCXHKMTBJ")
_MIXED_WORD = re.compile(r"\w*(?:[\u0400-\u04FF]\w*[A-Za-z\u00C0-\u024F]|[A-Za-z\u00C0-\u024F]\w*[\u0400-\u04FF])\w*")


def _one_script(match: re.Match[str]) -> str:
    word = match.group()
    cyrillic = len(_CYRILLIC.findall(word))
    latin = len(_LATIN.findall(word))
    return word.translate(_LATIN_TO_CYRILLIC) if cyrillic >= latin else word.translate(_CYRILLIC_TO_LATIN)


def normalise(text: str) -> str:
    """NFC, and each word in one script: what every comparison with a word list sees."""
    text = unicodedata.normalize("NFC", text)
    if _MIXED_WORD.search(text):
        text = unicodedata.normalize("NFC", _MIXED_WORD.sub(_one_script, text))
    return text


def _words(items: list[str]) -> frozenset[str]:
    return frozenset(normalise(w).lower() for w in items)


# Function words that tell Macedonian from Serbian Cyrillic when the letters ѓ ќ ѕ are absent.
MACEDONIAN_WORDS = _words(["во", "ги", "сѐ", "уште", "дека", "тоа", "овој", "оваа", "кој", "го", "тие", "има", "нема"])
BULGARIAN_WORDS = _words(["днес", "ще", "съм", "сме", "вече", "още", "защо", "тук", "кога", "никой", "мога"])
SERBIAN_CYRILLIC_WORDS = _words(["у", "је", "су", "још", "ће", "нисам", "сам", "који", "ово", "није", "већ"])

MIN_LETTERS = 8
# The letters of each Cyrillic alphabet: a text with a letter its alphabet lacks is not in that language (є and і are
# Ukrainian, ы and э Russian, ђ and ћ Serbian), whatever a detector forced to choose among few languages says.
_RUSSIAN_LETTERS = "абвгдежзийклмнопрстуфхцчшщъыьэюяё"
_ALPHABETS = {
    "ru": frozenset(_RUSSIAN_LETTERS),
    "uk": frozenset(_RUSSIAN_LETTERS) - frozenset("ёъыэ") | frozenset("іїєґ"),
    "bg": frozenset(_RUSSIAN_LETTERS) - frozenset("ёыэ") | frozenset("ѝ"),
    "sr": frozenset("абвгдђежзијклљмнњопрстћуфхцчџш"),
    "mk": frozenset("абвгдѓежзѕијклљмнњопрстќуфхцчџшѐѝ"),
}
# The codes triage reports for text in Cyrillic script.
_CYRILLIC_CODES = frozenset({"ru", "bg", "uk", "sr-Cyrl", "mk"})
# Below this the top language is a guess: reported, but marked uncertain.
MIN_CONFIDENCE = 0.3
# At or above this confidence the detector is not second-guessed by the common-word check.
TRUSTED = 0.95
# A sentence this long that uses none of its language's commonest words is not in that language.
COMMON_WORDS_FROM = 10
# Enough for the statistics; a long story repeats itself and only costs time.
MAX_SAMPLE = 1500
COMMON_WORDS = Path(__file__).with_name("lexicons") / "common_words.json"


@cache
def _common_words() -> dict[str, frozenset[str]]:
    return {code: _words(words) for code, words in json.loads(COMMON_WORDS.read_text(encoding="utf-8")).items()}


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


# Below this distance from an even chance the Serbian/Croatian model is not trusted to choose the variant.
SR_HR_MARGIN = 0.15
# Prior odds for the variant of the customer's earlier cases or of the company: most customers of a Serbian
# company write Serbian, and the model, learnt from news, reads everyday complaints less surely than news.
PRIOR_ODDS = 4.0


def _variant(code: str) -> str:
    base = code.lower().replace("_", "-")
    return "sr-Latn" if base.startswith("sr") else "hr" if base.startswith(("hr", "bs")) else ""


def serbian_or_croatian(
    text: str, *, company_language: str = "", previous: str = "", bosnian_share: float | None = None
) -> tuple[str, list[str]]:
    """sr-Latn or hr for Latin-script South Slavic text, with the evidence that decided it. The customer's earlier
    cases, else the company's language, weigh as prior odds; where the text still cannot tell them apart, that
    variant is taken, else the model's lean."""
    verdict = south_slavic.judge(text, bosnian_share=bosnian_share)
    named = {"sr-Latn": "Serbian", "hr": "Croatian"}
    expected, source = next(
        (
            (_variant(c), s)
            for c, s in ((previous, "the customer's earlier cases"), (company_language, "the company"))
            if _variant(c)
        ),
        ("", ""),
    )
    serbian = verdict.serbian
    if expected:
        odds = serbian / max(1e-9, 1 - serbian) * (PRIOR_ODDS if expected == "sr-Latn" else 1 / PRIOR_ODDS)
        serbian = odds / (1 + odds)
    lean = "sr-Latn" if serbian >= 0.5 else "hr"
    evidence = ", ".join(verdict.evidence)
    if abs(serbian - 0.5) >= SR_HR_MARGIN:
        share = max(serbian, 1 - serbian)
        return lean, [f"{named[lean]} {share:.0%}" + (f": {evidence}" if evidence else "")]
    why = f"Serbian or Croatian: the text cannot tell ({verdict.serbian:.0%} Serbian)"
    if expected:
        return expected, [why, f"{named[expected]}, as {source}"]
    return lean, [why, f"leaning {named[lean]}"]


def _script_share(text: str, *, cyrillic: int, latin: int) -> float:
    """The share of letters in the text's main script. Names of brands, places and acronyms in the other script
    (Apple, iPhone, VHS inside Russian) do not count: words of the other script with a capital letter are left
    out, so only running text in two scripts makes the text mixed."""
    other = _LATIN if cyrillic >= latin else _CYRILLIC
    names = sum(len(other.findall(w)) for w in _WORD.findall(text) if other.search(w) and not w.islower())
    main, minority = max(cyrillic, latin), min(cyrillic, latin) - names
    return main / max(1, main + max(0, minority))


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
    previous: str = "",
    primary: tuple[str, ...] = ("en", "ru", "bg", "sr", "sk"),
) -> LanguageGuess:
    """The language of `text` among `served` (BCP 47 base codes); uncertain when it cannot be called. `previous`
    is the language of the customer's earlier cases, which decides between Serbian and Croatian when the text
    cannot."""
    text = normalise(text[:MAX_SAMPLE])
    fallback = _bcp47(stated or company_language)
    if fallback == "sr-Cyrl" and len(_LATIN.findall(text)) > len(_CYRILLIC.findall(text)):
        fallback = "sr-Latn"  # a Serbian company's customer writing in Latin script
    letters = sum(1 for ch in text if ch.isalpha())
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    short = letters < MIN_LETTERS
    # A fallback in the other script cannot be the text's language (six Cyrillic letters to an English company are
    # not English): then the detector's reading of even a short text is the better guess, still marked uncertain.
    if short and ((cyrillic > latin) == (fallback in _CYRILLIC_CODES) or not letters):
        return LanguageGuess(fallback, 0.0, True, [f"too short to tell ({letters} letters)"])
    raw = _detector(served).compute_language_confidence_values(text)
    cyrillic_letters = {ch for ch in text.lower() if "\u0400" <= ch <= "\u04ff"}
    if cyrillic_letters:
        fitting = [v for v in raw if cyrillic_letters <= _ALPHABETS.get(CODES[v.language], cyrillic_letters)]
        raw = fitting or raw
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
    script_share = _script_share(text, cyrillic=cyrillic, latin=latin)
    if script_share < 0.8:
        return LanguageGuess(fallback, confidence, True, [*signals, "mixed Cyrillic and Latin script"])
    if cyrillic > latin:
        words = {w.lower() for w in _WORD.findall(text)}
        sure_macedonian = code == "mk" and confidence >= CONFIDENT and not _SERBIAN_ONLY_LETTERS.search(text)
        if _MACEDONIAN_LETTERS.search(text):
            code, signals = "mk", [*signals, "Macedonian letters ѓ ќ ѕ"]
        elif code in ("sr", "mk") and len(words & MACEDONIAN_WORDS) > len(words & SERBIAN_CYRILLIC_WORDS):
            code, signals = "mk", [*signals, "Macedonian words: " + ", ".join(sorted(words & MACEDONIAN_WORDS)[:3])]
        elif code in ("mk", "sr") and (
            "ъ" in text.lower() or len(words & BULGARIAN_WORDS) > len(words & MACEDONIAN_WORDS)
        ):
            code, signals = "bg", [*signals, "Bulgarian letter ъ or words"]
        elif sure_macedonian:
            pass  # ј, љ, њ, џ and a few Serbian words do not overturn a confident Macedonian
        elif code == "mk" and (
            _SERBIAN_ONLY_LETTERS.search(text) or len(words & SERBIAN_CYRILLIC_WORDS) > len(words & MACEDONIAN_WORDS)
        ):
            code = "sr-Cyrl"
            signals = [
                *signals,
                "Serbian letters ђ ћ or words: " + ", ".join(sorted(words & SERBIAN_CYRILLIC_WORDS)[:3]),
            ]
        elif code in ("sr", "hr", "bs") or (
            _SERBIAN_CYRILLIC_LETTERS.search(text) and code not in ("ru", "uk", "bg", "mk")
        ):
            code, signals = "sr-Cyrl", [*signals, "Serbian in Cyrillic script"]
    elif code in ("sr", "hr", "bs"):
        family = sum(float(v.value) for v in values if CODES[v.language] in ("sr", "hr", "bs"))
        scored = {CODES[v.language]: float(v.value) for v in values}
        bs_hr = scored.get("bs", 0.0) + scored.get("hr", 0.0)
        code, why = serbian_or_croatian(
            text,
            company_language=company_language,
            previous=previous,
            bosnian_share=scored.get("bs", 0.0) / bs_hr if bs_hr else None,
        )
        confidence = family
        signals = [*signals, *why]
        runner_up = None
    if code.split("-")[0] not in served and code not in served:
        return LanguageGuess(fallback, confidence, True, [*signals, f"{code} is not served"])
    # A detector this sure is trusted: a short telegraphic sentence may use none of its language's commonest words.
    # Below it, a text that uses none is more likely a language not served (Finnish among en/ru/sk reads 0.92).
    if confidence < TRUSTED and not _looks_like(code, [w.lower() for w in _WORD.findall(text)]):
        return LanguageGuess(fallback, confidence, True, [*signals, f"none of the common words of {code}"])
    if runner_up is not None and confidence - float(runner_up.value) < 0.03:
        # A near tie between the customer's stated language (or the company's) and another: take the stated one.
        if _family(fallback) == _family(CODES[runner_up.language]):
            return LanguageGuess(fallback, float(runner_up.value), True, [*signals, f"near tie; {fallback} stated"])
        other = CODES[runner_up.language]
        return LanguageGuess(code, confidence, True, [*signals, f"close to {other} {float(runner_up.value):.2f}"])
    if short:
        return LanguageGuess(code, confidence, True, [*signals, f"too short to tell ({letters} letters)"])
    return LanguageGuess(code, confidence, confidence < MIN_CONFIDENCE, signals)


# Languages of the South Slavic family that amends may answer in the Serbian of the text's script.
_SOUTH_SLAVIC_LATIN = ("sr-Latn", "hr", "bs")
_SOUTH_SLAVIC_CYRILLIC = ("sr-Cyrl", "mk")


def reply_language(code: str, *, offered: tuple[str, ...], company_language: str = "", previous: str = "") -> str:
    """The language (a Django code among `offered`) to answer a complaint that triage read as `code` in, or ""
    when triage's reading does not decide it. A South Slavic complaint is never answered in English: Croatian and
    Bosnian, which amends does not write, are answered in Serbian (the standards are mutually intelligible and the
    customer's script is kept), or in the variant of the customer's earlier cases (`previous`, a triage code);
    Macedonian in Bulgarian at a Bulgarian company, else in Serbian Cyrillic."""
    django = {"sr-Latn": "sr-latn", "sr-Cyrl": "sr"}
    wanted = django.get(code, code.lower())
    if wanted in offered:
        return wanted
    if code not in _SOUTH_SLAVIC_LATIN + _SOUTH_SLAVIC_CYRILLIC:
        return ""
    earlier = django.get(previous, previous.lower())
    if previous in _SOUTH_SLAVIC_LATIN + _SOUTH_SLAVIC_CYRILLIC and earlier in offered:
        return earlier
    if code == "mk" and company_language.lower() == "bg" and "bg" in offered:
        return "bg"
    order = ("sr-latn", "sr") if code in _SOUTH_SLAVIC_LATIN else ("sr", "sr-latn")
    return next((c for c in order if c in offered), "")
