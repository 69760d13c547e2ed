"""What a reply in a public thread must not do beyond the rules of any reply (seed 002). Pure Python.

Everyone in the thread reads the answer: so it talks to the customer only (an @mention of anyone else is talking to
onlookers, whatever the words), and it shows nothing private. An order number, an e-mail address or a phone number
belongs in the private conversation the reply invites the customer to. The brand's own address is public.

Each finder returns (start, end) in the reply as written, or None.
"""

import re
from collections.abc import Sequence

# An @mention: not the middle of an e-mail address (name@example.com) nor of a word.
_MENTION = re.compile(r"(?<![\w.@])@([\w][\w.]{0,99})")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number: digits with the usual separators, eight digits or more (shorter runs are times, sums, counts).
_PHONE = re.compile(r"(?<![\w+])\+?\d[\d \-/().\u00a0]{6,}\d(?!\w)")
PHONE_DIGITS = 8
# An order or ticket number as shops write them: SO-48213, #104233.
_ORDER = re.compile(r"(?<!\w)(?:[A-Z]{1,5}-\d{3,}|#\d{4,})(?!\w)")
# Sentences of a public answer; a few is enough: apology, ownership, the invitation to continue privately.
PUBLIC_MAX_SENTENCES = 4
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)")


def onlooker_mention(text: str, *, customer_handle: str) -> tuple[int, int] | None:
    """The first @mention of someone other than the customer."""
    own = customer_handle.lstrip("@").casefold()
    for match in _MENTION.finditer(text):
        handle = match.group(1).rstrip(".")
        if handle.casefold() != own:
            return match.start(), match.start() + 1 + len(handle)
    return None


def private_data(
    text: str, *, private: Sequence[str] = (), public_addresses: Sequence[str] = ()
) -> tuple[int, int] | None:
    """The first private detail in the reply: one of the case's own (`private`: its order reference, the customer's
    e-mail), any e-mail address but the brand's, a phone number, or something written like an order number."""
    found: list[tuple[int, int]] = []
    folded = text.casefold()
    for value in private:
        value = (value or "").strip()
        if len(value) >= 3:
            at = folded.find(value.casefold())
            if at >= 0:
                found.append((at, at + len(value)))
    allowed = {address.casefold() for address in public_addresses if address}
    found += [(m.start(), m.end()) for m in _EMAIL.finditer(text) if m.group().casefold() not in allowed]
    found += [
        (m.start(), m.end()) for m in _PHONE.finditer(text) if sum(c.isdigit() for c in m.group()) >= PHONE_DIGITS
    ]
    found += [(m.start(), m.end()) for m in _ORDER.finditer(text)]
    return min(found) if found else None


def sentence_count(text: str) -> int:
    """Sentences in the reply: each run of . ! ? … that ends one, and a last one without its mark."""
    ends = list(_SENTENCE_END.finditer(text.strip()))
    tail = text.strip()[ends[-1].end() :].strip() if ends else text.strip()
    return len(ends) + (1 if tail else 0)
