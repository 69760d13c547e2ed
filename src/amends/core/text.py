"""Text clean-up shared by every intake channel. Pure Python: no Django import."""

import html
import re

import nh3

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BLOCK_END = re.compile(r"(?i)<\s*(br\s*/?|/p|/div|/li|/tr|/h[1-6]|/blockquote)\s*>")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
# Not text at all: NUL (no person types it, PostgreSQL cannot store it) and UTF-16 surrogates, which in a Python
# string only ever stand alone (a JSON "\ud800" escape, bytes decoded with "surrogatepass") and can be neither
# encoded, stored nor shown. Every text that enters amends is checked for these at its edge.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")
# What clean_text takes away: the control characters it drops and the white space (str.isspace) it trims. A text
# with any other character is not empty after clean-up; VISIBLE_TEXT_PATTERN says so for the API document, in
# the regular-expression dialect JSON Schema uses (no \s, whose meaning differs between Python and ECMA-262).
CLEANED_AWAY = r"\x00-\x08\x0e-\x1f\x7f\t-\r\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL_PATTERN = r"^[^\x00]*$"
VISIBLE_TEXT_PATTERN = rf"^[^\x00]*[^{CLEANED_AWAY}][^\x00]*$"


def invalid_character(value: str) -> tuple[int, str] | None:
    """The position (counted from 1) and code (U+D800) of the first character that is not text, or None."""
    found = _NOT_TEXT.search(value)
    return None if found is None else (found.start() + 1, f"U+{ord(found.group()):04X}")


def single_line(value: str) -> str:
    """A value that ends up in a mail header (a name, a subject) can never carry a line break."""
    value = _LINE_BREAKS.sub(" ", value)
    return " ".join(_CONTROL.sub("", value).split())


def clean_text(value: str) -> str:
    """The customer's own words, kept as typed, minus control characters and trailing blank space."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return "\n".join(line.rstrip() for line in value.split("\n")).strip()


def html_to_text(markup: str) -> str:
    """Safe plain text from HTML mail: block ends become line breaks, every tag (and script/style content) goes."""
    markup = _BLOCK_END.sub("\n", markup)
    stripped = nh3.clean(markup, tags=set(), clean_content_tags={"script", "style", "head", "title"})
    text = html.unescape(stripped).replace("\xa0", " ")
    return _MANY_BLANK_LINES.sub("\n\n", clean_text(text))


# Latin letters with diacritics in the languages served (sk, cs, sr-Latn, hr, pl, de, bg/ru transliterations) and
# their bare forms, so "stastny" finds "šťastný". PostgreSQL's translate() applies the same map inside the
# full-text index, so changing these strings needs a migration that rebuilds that index.
FOLD_FROM = "áäàâãåčćçďđéěëèêíïìîĺľłňńñóôöòõŕřšśťúůüùûýÿžźżąęÁÄÀÂÃÅČĆÇĎĐÉĚËÈÊÍÏÌÎĹĽŁŇŃÑÓÔÖÒÕŔŘŠŚŤÚŮÜÙÛÝŸŽŹŻĄĘ"
FOLD_TO = "aaaaaacccddeeeeeiiiilllnnnooooorrsstuuuuuyyzzzaeAAAAAACCCDDEEEEEIIIILLLNNNOOOOORRSSTUUUUUYYZZZAE"
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)


def fold(value: str) -> str:
    return value.translate(_FOLD).lower()
