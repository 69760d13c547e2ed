"""A public statement that puts the failure on someone else: a supplier, a provider, a courier, "circumstances", or
the customers themselves. Pure Python: no Django import.

The reply coach already refuses blaming the customer in a reply to one customer; an incident statement speaks to
everyone, and the excuse it is tempted by is different ("our payment provider had an outage"). Seed 003: own the
error, whoever's server it was. Phrases are compared after transliteration and diacritic folding, so a Serbian
statement in Cyrillic meets the Latin phrases; a phrase matches at the start of a word and may run on (a stem).
"""

import re
from dataclasses import dataclass
from functools import cache

from amends.core.text import fold
from amends.triage.text import transliterate

PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "supplier", "provider's", "our provider", "hosting provider", "payment provider", "third party",
        "third-party", "our partner", "courier", "vendor", "beyond our control", "outside our control",
        "not our fault", "no fault of ours", "customers who did not", "users who did not", "caused by customers",
        "caused by users", "due to customer",
    ),
    "ru": (
        "поставщик", "провайдер", "подрядчик", "третьей стороны", "третьих лиц", "курьерск", "партнёр",
        "партнер", "не по нашей вине", "не зависящ", "по вине клиент", "по вине покупател",
    ),
    "bg": (
        "доставчик", "доставчици", "трета страна", "трети страни", "куриер", "партньор", "не по наша вина",
        "извън нашия контрол", "по вина на клиент",
    ),
    "sr": (
        "добављач", "провајдер", "трећ", "курир", "партнер", "није наша кривица", "није наша грешка",
        "ван наше контроле", "кривица купаца", "кривица корисника",
    ),
    "sk": (
        "dodávateľ", "poskytovateľ", "tretej strany", "tretích strán", "kuriér", "partner", "nie našou vinou",
        "mimo našej kontroly", "vinou zákazník",
    ),
}  # fmt: skip
NEIGHBOURS = {"hr": "sr", "bs": "sr", "cs": "sk", "uk": "ru", "mk": "bg"}


@dataclass(frozen=True)
class Blame:
    start: int
    end: int
    text: str


def _folded(text: str) -> str:
    return fold(transliterate(text)).lower()


@cache
def _pattern(language: str) -> re.Pattern[str]:
    base = language.split("-")[0].lower()
    base = NEIGHBOURS.get(base, base)
    # English excuses show up in every language's statements (a provider's brand name, "third-party").
    phrases = {_folded(p) for p in PHRASES.get(base, ()) + PHRASES["en"]}
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + ")")


def blamed(text: str, *, language: str) -> Blame | None:
    """The first place the statement blames someone else, or None."""
    # Folding and transliteration may change a character into several: map positions back per character.
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        piece = _folded(char)
        out.append(piece)
        where.extend([index] * len(piece))
    found = _pattern(language).search("".join(out))
    if found is None:
        return None
    start, end = where[found.start()], where[found.end() - 1] + 1
    return Blame(start, end, text[start:end])
