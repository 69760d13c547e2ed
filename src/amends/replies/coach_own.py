"""What in a draft is not the agent's own new words: the signature, the company's boilerplate, the customer's
words quoted back. None of it is coached: "Customer care" in a signature is no anger, and a customer's
"this is ridiculous" quoted back is not ours. Pure Python.

`mask` blanks those parts with spaces of the same length, so every offset the coach reports still points into
the original text.
"""

import re
from collections.abc import Iterable

# An e-mail client's quote header: "On 3 May, Olga wrote:", "Ольга написал(а):", "Olga je napisala:" … and
# everything after it is the thread below the reply.
_QUOTE_HEADER = re.compile(
    r"^(?:on\b.{0,120}\bwrote:|.{0,120}\b(?:написал|написала|написал\(а\)|писал|писала|написа|напиша|"
    r"je napisao|je napisala|је написао|је написала|napisal|napísal|napísala|napisala)\s*:)\s*$"
    r"|^-{2,}\s*(?:original message|исходное сообщение|оригинално съобщение|originalna poruka|pôvodná správa)",
    re.IGNORECASE | re.MULTILINE,
)
# The signature delimiter of e-mail ("-- " on its own line) and the closings replies end on.
_SIGNATURE = re.compile(
    r"^(?:--\s*$|(?:best regards|kind regards|regards|best wishes|sincerely|yours sincerely|many thanks|cheers|"
    r"с уважением|с наилучшими пожеланиями|всего доброго|всего хорошего|"
    r"с уважение|поздрави|с най-добри пожелания|"
    r"srdačan pozdrav|srdačno|pozdrav|s poštovanjem|uz pozdrav|срдачан поздрав|поздрав|с поштовањем|"
    r"s pozdravom|s úctou|s priateľským pozdravom|ďakujeme a zdravíme)\b[^\n]{0,40}$)",
    re.IGNORECASE | re.MULTILINE,
)
# A closing counts as the signature only near the end: a "regards" mid-reply is just a word.
SIGNATURE_REACH = 300
# Words in quotation marks (at least two words): the customer's, quoted back. A single quoted word is usually a
# product or a button name, which is coached like any other word.
_QUOTED = re.compile(r"[\"“„«‚‘]([^\"“”„«»‚‘’\n]{3,400}?)[\"”“»‘’]")
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)


def _blank(chars: list[str], start: int, end: int) -> None:
    for index in range(start, end):
        if chars[index] != "\n":
            chars[index] = " "


def mask(text: str, own: Iterable[str] = ()) -> str:
    """The draft with the company's own text blanked: lines quoted with ">", everything from a quote header on,
    the signature from its closing or "-- " on (near the end), words in quotation marks, and every occurrence of
    the `own` texts (the brand's signature, template boilerplate the agent did not write)."""
    chars = list(text)
    header = _QUOTE_HEADER.search(text)
    if header:
        _blank(chars, header.start(), len(text))
    for line in _QUOTED_LINE.finditer(text):
        _blank(chars, line.start(), line.end())
    end = header.start() if header else len(text)
    for closing in _SIGNATURE.finditer(text, 0, end):
        if end - closing.start() <= SIGNATURE_REACH:
            _blank(chars, closing.start(), end)
            break
    for quoted in _QUOTED.finditer(text):
        if len(quoted.group(1).split()) >= 2:
            _blank(chars, quoted.start(), quoted.end())
    for piece in own:
        piece = piece.strip()
        if len(piece) < 3:
            continue
        for found in re.finditer(re.escape(piece), text):
            _blank(chars, found.start(), found.end())
    return "".join(chars)
