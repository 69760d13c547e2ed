"""Text normalisation for the triage models. Pure Python: no Django import."""

from amends.core.text import fold

# One table for the Cyrillic alphabets served (ru, bg, sr, uk, mk): Serbian Cyrillic maps exactly onto Serbian
# Latin, so a complaint counts the same in either script, and the other languages get a stable Latin spelling.
_CYRILLIC_TO_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "ђ": "đ",
    "е": "e",
    "ё": "e",
    "ж": "ž",
    "з": "z",
    "и": "i",
    "й": "j",
    "ј": "j",
    "к": "k",
    "л": "l",
    "љ": "lj",
    "м": "m",
    "н": "n",
    "њ": "nj",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "ћ": "ć",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "č",
    "џ": "dž",
    "ш": "š",
    "щ": "šč",
    "ъ": "ǎ",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "ju",
    "я": "ja",
    "і": "i",
    "ї": "ji",
    "є": "je",
    "ґ": "g",
    "ѓ": "ǵ",
    "ќ": "ḱ",
    "ѕ": "dz",
}
_TABLE = str.maketrans({**_CYRILLIC_TO_LATIN, **{k.upper(): v.capitalize() for k, v in _CYRILLIC_TO_LATIN.items()}})


def transliterate(text: str) -> str:
    return text.translate(_TABLE)


def normalize(text: str) -> str:
    """Lower-case Latin without diacritics: what lexicons and the category model read."""
    return fold(transliterate(text))
