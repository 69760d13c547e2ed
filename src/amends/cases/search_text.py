"""What the case search reads and writes: words turned into search keys, the same way for the stored documents
and for a query, on both databases. Pure Python: no Django import.

A key is lower-case ASCII letters and digits only, so that PostgreSQL's 'simple' parser and SQLite's FTS5
unicode61 tokenizer split a document into exactly the keys written here, and no key can be read as query syntax.

Every word gives several keys:
- its canonical spelling: Cyrillic transliterated to Latin (one table for ru, bg, sr), diacritics folded
  (NFKD, combining marks dropped; đ → dj, and d as people type it), lower-case. `величина`, `veličina` and
  `velicina` are then one key, as are `Маркович`, `Марковић`, `Marković` and `markovic`;
- its stems in the languages served, by Snowball stemmers (english, serbian, czech for Slovak, russian) and a
  light Bulgarian suffix stripper (Snowball has no Bulgarian; see _bulgarian_stem). A document word is stemmed
  by the stemmers of its script (Latin: english, serbian, czech; Cyrillic: russian, serbian, bulgarian); a query
  word by all of them, the Cyrillic ones reading its Cyrillic spelling, so `velicina` meets `величины`;
- a number also without its leading zeros: `000119` finds `119` and the other way round.
Stemmers read the canonical spelling only, so a document word and a query word with the same canonical
spelling always get the same keys, in whichever script either was typed.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from amends.triage.text import transliterate

MAX_QUERY = 200  # characters a person types into a search box; longer is refused with a message
MAX_QUERY_WORDS = 12
MAX_WORD = 40  # a longer "word" (a hash, a URL) is cut here, in documents and queries alike
MAX_DOCUMENT_WORDS = 10_000  # of one case's text: a pasted log must not make one row the size of a book

# Letters and digits; "_" is a separator as for PostgreSQL and FTS5.
_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_SPECIAL = str.maketrans({"đ": "dj", "ł": "l", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ı": "i", "þ": "th"})
_LATIN_STEMMERS = tuple(snowballstemmer.stemmer(name) for name in ("english", "serbian", "czech"))
_RUSSIAN = snowballstemmer.stemmer("russian")
# The canonical Latin spelling back in Cyrillic, for the Cyrillic stemmers (ja → я before the single letters).
_TO_CYRILLIC = re.compile("ja|ju|je|jo|.", re.DOTALL)
_CYRILLIC_OF = {
    "ja": "я",
    "ju": "ю",
    "je": "е",
    "jo": "ё",
    **dict(zip("abvgdezijklmnoprstufhcyqwx", "абвгдезийклмнопрстуфхцыквх", strict=True)),
}

# Words too common to tell cases apart, in their canonical spelling (en, ru, bg, sr, sk). They are not indexed
# and a query drops them; a query of nothing else is answered with a message, not with every case.
_STOP = {
    "en": "a an and are as at be but by for from has have i in is it its me my of on or our so that the this to was "
    "we were with you your am do did not no",
    "ru": "v vo ne na ja s so kak to vse ona tak ego no da ty k u ze vy za po ee mne bylo vot ot esce o iz emu uze "
    "eto ih oni",
    "bg": "e se sa kato che tova ni nie toj tja",
    "sr": "je od su koji kao ali smo ste",
    "sk": "sa z do ako aj ale by si ani",
}
STOP_WORDS = frozenset(word for words in _STOP.values() for word in words.split())


@lru_cache(maxsize=32768)
def canonical(word: str) -> str:
    """One spelling for every way a word is typed: Latin, lower-case, no diacritics."""
    text = transliterate(unicodedata.normalize("NFKC", word).lower()).translate(_SPECIAL)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "".join(_WORD.findall(text))[:MAX_WORD]


def _ascii_key(word: str) -> str:
    """A word in a script we do not transliterate (Greek, Arabic, Han …), spelt in ASCII so both databases
    tokenise it alike: each letter as five hex digits, so a prefix of the word is a prefix of its key."""
    if word.isascii():
        return word
    return "x" + "".join(f"{ord(c):05x}" for c in word)


def _cyrillic(latin: str) -> str:
    return _TO_CYRILLIC.sub(lambda m: _CYRILLIC_OF.get(m.group(), m.group()), latin)


def _bulgarian_stem(word: str) -> str:
    """A light Bulgarian stemmer (after J. Savoy's, as Lucene's BulgarianStemmer has it): the definite article and
    the plural endings, then a final vowel. Documented as light: it conflates the forms of a noun, not more."""
    w = word
    if len(w) < 4:
        return w
    if len(w) > 5 and w.endswith("ища"):
        return w[:-3]
    if len(w) > 6 and w.endswith("ият"):
        w = w[:-3]
    elif (len(w) > 5 and w.endswith(("ът", "то", "те", "та", "ия"))) or (len(w) > 4 and w.endswith("ят")):
        w = w[:-2]
    if len(w) > 6 and w.endswith(("ове", "еве")):
        w = w[:-3]
    elif len(w) > 6 and w.endswith("овци"):
        w = w[:-4]
    elif len(w) > 5 and w.endswith("та"):
        w = w[:-2]
    elif len(w) > 4 and w.endswith("и"):
        w = w[:-1]
    if len(w) > 3 and w.endswith(("я", "а", "о", "е")):
        w = w[:-1]
    return w


def _stem_keys(latin: str, *, latin_script: bool, cyrillic_script: bool) -> set[str]:
    stems: set[str] = set()
    if latin_script:
        stems.update(stemmer.stemWord(latin) for stemmer in _LATIN_STEMMERS)
    if cyrillic_script:
        stems.add(_LATIN_STEMMERS[1].stemWord(latin))  # serbian reads either script
        cyrillic = _cyrillic(latin)
        stems.add(_RUSSIAN.stemWord(cyrillic))
        stems.add(_bulgarian_stem(cyrillic))
    # Stemmers write in their own spelling (Serbian's writes dj as đ): back to the canonical one.
    keys = {canonical(stem) for stem in stems}
    return {key for key in keys if len(key) > 1 and key.isascii()}


@lru_cache(maxsize=16384)
def word_keys(latin: str, *, cyrillic: bool, query: bool = False) -> frozenset[str]:
    """The keys of one word in its canonical spelling; `cyrillic` when it was written in Cyrillic. A query word
    gets the stems of every script, a document word those of its own."""
    if not latin:
        return frozenset()
    if latin.isdigit():
        return frozenset({latin, latin.lstrip("0") or "0"})
    if not latin.isascii():
        return frozenset({_ascii_key(latin)})
    keys = {latin}
    if "dj" in latin:
        keys.add(latin.replace("dj", "d"))
    if not any(c.isdigit() for c in latin):
        keys |= _stem_keys(latin, latin_script=query or not cyrillic, cyrillic_script=query or cyrillic)
    return frozenset(keys)


def words(text: str) -> list[tuple[str, bool]]:
    """The words of a text: each in its canonical spelling, and whether it was written in Cyrillic."""
    return [(canonical(w), bool(_CYRILLIC.search(w))) for w in _WORD.findall(text)]


def document_keys(*texts: str) -> str:
    """A document for the index: the keys of every word, space-separated, stop words left out."""
    out: list[str] = []
    left = MAX_DOCUMENT_WORDS
    for text in texts:
        found = words(text)[:left]
        left -= len(found)
        for latin, cyrillic in found:
            if latin and latin not in STOP_WORDS:
                out.extend(sorted(word_keys(latin, cyrillic=cyrillic)))
        if left <= 0:
            break
    return " ".join(out)


def case_document(
    *,
    reference: str,
    customer_name: str,
    customer_email: str,
    order_reference: str,
    subject: str,
    description: str,
    bodies: list[str],
) -> tuple[str, str]:
    """A case's two search documents: its identity (reference, customer, order) and its words (subject,
    complaint, messages; the first message, which repeats the complaint, once)."""
    identity = document_keys(reference, customer_name, customer_email, order_reference)
    rest = list(bodies)
    if description in rest:
        rest.remove(description)
    return identity, document_keys(subject, description, *rest)


class QueryRefused(ValueError):
    """A search that cannot run as typed; the message says why (see search.py for the words people read)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SearchQuery:
    """A query as the indexes read it: every term must match; a term matches when any of its keys does. The
    word still being typed (the last, if no space closed it, three letters or more, not a number) also matches
    as a prefix of its canonical spelling: `prefix`."""

    terms: tuple[frozenset[str], ...]
    prefix: str = ""

    def tsquery(self, weight: str = "") -> str:
        """PostgreSQL to_tsquery text. Keys are letters and digits, so nothing in them is tsquery syntax."""
        exact = f":{weight}" if weight else ""
        groups = []
        for i, keys in enumerate(self.terms):
            options = [f"{key}{exact}" for key in sorted(keys)]
            if self.prefix and i == len(self.terms) - 1:
                options.append(f"{self.prefix}:*{weight}")
            groups.append("(" + " | ".join(options) + ")")
        return " & ".join(groups)

    def fts5(self, column: str = "") -> str:
        """SQLite FTS5 MATCH text: every key a quoted string, so OR, NOT, NEAR, *, : and quotes typed by a
        person are words to find, never operators."""
        groups = []
        for i, keys in enumerate(self.terms):
            options = [f'"{key}"' for key in sorted(keys)]
            if self.prefix and i == len(self.terms) - 1:
                options.append(f'"{self.prefix}"*')
            groups.append("(" + " OR ".join(options) + ")")
        match = " AND ".join(groups)
        return f"{{{column}}} : ({match})" if column else match

    def matches(self, keys: frozenset[str]) -> bool:
        """Whether a word with these keys is one the query looks for (for highlighting)."""
        if any(keys & term for term in self.terms):
            return True
        return bool(self.prefix) and any(key.startswith(self.prefix) for key in keys)


def parse_query(text: str) -> SearchQuery:
    """The query a person typed, as keys; QueryRefused("empty" | "too_long" | "not_text" | "only_common")."""
    if any("\ud800" <= c <= "\udfff" or c == "\x00" for c in text):
        raise QueryRefused("not_text")
    text = text.strip()
    if not text:
        raise QueryRefused("empty")
    if len(text) > MAX_QUERY:
        raise QueryRefused("too_long")
    found = [(latin, cyrillic) for latin, cyrillic in words(text) if latin]
    if not found:
        raise QueryRefused("empty")
    meaningful = [(latin, cyrillic) for latin, cyrillic in found if latin not in STOP_WORDS]
    if not meaningful:
        raise QueryRefused("only_common")
    meaningful = list(dict.fromkeys(meaningful))[:MAX_QUERY_WORDS]
    terms = tuple(word_keys(latin, cyrillic=cyrillic, query=True) for latin, cyrillic in meaningful)
    # The last word is still being typed unless a space or punctuation closed it; a number is never a prefix.
    last = meaningful[-1][0]
    typing = found[-1] == meaningful[-1] and _WORD.fullmatch(text[-1]) is not None
    typing = typing and len(last) >= 3 and not last.isdigit() and last.isascii()
    return SearchQuery(terms=terms, prefix=last if typing else "")


def marked(text: str, query: SearchQuery) -> list[tuple[str, bool]]:
    """The text cut into pieces, each with whether it is a word the query found (for <mark>)."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for found in _WORD.finditer(text):
        latin = canonical(found.group())
        if not latin or latin in STOP_WORDS:
            continue
        keys = word_keys(latin, cyrillic=bool(_CYRILLIC.search(found.group())))
        if query.matches(keys):
            pieces.append((text[at : found.start()], False))
            pieces.append((found.group(), True))
            at = found.end()
    pieces.append((text[at:], False))
    return [piece for piece in pieces if piece[0]]
