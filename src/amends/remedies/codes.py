"""Remedy codes (discount codes, store credit): unguessable, readable aloud, typo-proof, made by the million.

Pure Python: no Django import. A code is 15 random symbols and one check symbol in Crockford's base32 alphabet
(digits and capitals without I, L, O and U, so nothing looks like anything else): 75 bits from `secrets`, far
past the 64 the issue asks for, shown in four groups (`K7QM-3XPA-9TRD-W2XY`) and stored without the dashes.

The check symbol is a weighted sum over GF(32), the field with 32 elements: symbol i is multiplied by α^(i+1)
and the check by 1, for a primitive α, and a valid code sums to zero. Every weight is a different non-zero
field element, so a code with one symbol changed, or any two different symbols swapped (next to each other or
not), never sums to zero: every single typo and every transposition is caught, which a mod-32 sum cannot do
(32 is not prime) and Crockford's mod-37 check does only with five extra symbols (`*~$=U`) nobody can read
aloud.

What a customer types is normalised first: case, spaces, dashes and dots do not matter; O reads as 0, I and L
as 1, and the Cyrillic capitals that look like Latin ones (a Russian or Bulgarian keyboard left on) as those.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_SYMBOLS = 15
LENGTH = DATA_SYMBOLS + 1
RANDOM_BITS = DATA_SYMBOLS * 5  # 75
GROUP = 4
DEFAULT_BATCH = 10_000

_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_LOOK_ALIKES = str.maketrans(
    {
        "O": "0",
        "I": "1",
        "L": "1",
        # Cyrillic capitals that look like Latin letters or digits
        "А": "A",
        "В": "B",
        "С": "C",
        "Е": "E",
        "Н": "H",
        "К": "K",
        "М": "M",
        "О": "0",
        "Р": "P",
        "Т": "T",
        "Х": "X",
        "У": "Y",
        "З": "3",
        "Ѕ": "S",
        "Ј": "J",
        "І": "1",
        # separators people type or paste
        " ": None,
        "-": None,
        "\u2010": None,
        "\u2011": None,
        "\u2012": None,
        "\u2013": None,
        "\u2014": None,
        "\u2212": None,
        "_": None,
        ".": None,
        "\u00a0": None,
        "\t": None,
    }
)

# GF(32) with the primitive polynomial x^5 + x^2 + 1; α = x.
_EXP = [0] * 62
_LOG = [0] * 32
_value = 1
for _power in range(31):
    _EXP[_power] = _EXP[_power + 31] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0b100000:
        _value ^= 0b100101


def _multiply(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


# Weight of each position: α^1 … α^15 for the data, α^0 = 1 for the check symbol.
WEIGHTS = (*(_EXP[i + 1] for i in range(DATA_SYMBOLS)), 1)


# Per data position, a byte table that keeps a random byte's low 5 bits (a uniform symbol: 256 is a multiple
# of 32) and multiplies it by the position's weight; and one that spells a symbol in the alphabet.
_WEIGHED = tuple(bytes(_multiply(weight, value & 31) for value in range(256)) for weight in WEIGHTS[:DATA_SYMBOLS])
_SPELL = bytes(ALPHABET[value & 31].encode()[0] for value in range(256))


class InvalidCode(ValueError):
    """Not a code: `reason` is empty, length, character or check (a symbol mistyped or two swapped)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# Per position, each character's symbol already multiplied by the position's weight.
_WEIGHED_CHARS = tuple({ch: _multiply(weight, i) for ch, i in _INDEX.items()} for weight in WEIGHTS)


def _syndrome(code: str) -> int:
    total = 0
    for table, ch in zip(_WEIGHED_CHARS, code, strict=False):
        total ^= table[ch]
    return total


def check_symbol(data: str) -> str:
    """The check symbol for 15 data symbols."""
    return ALPHABET[_syndrome(data[:DATA_SYMBOLS])]


def normalise(text: str) -> str:
    """What a customer typed, as a code is stored: `k7qm 3xpa-9trd-w2xy` → `K7QM3XPA9TRDW2XY`."""
    return (text or "").upper().translate(_LOOK_ALIKES)


def _typed_pattern() -> str:
    """The shape of what may be typed for a code, as a regular expression (ECMA 262 and Python alike): 16
    symbols, each a character of the alphabet in either case or a look-alike of one, with separators anywhere.
    Only the check symbol is beyond a pattern; the API's document carries this one."""
    ignored = {chr(k) for k, v in _LOOK_ALIKES.items() if v is None}
    read_as = set(ALPHABET) | {chr(k) for k, v in _LOOK_ALIKES.items() if v is not None}
    typed = read_as | {ch.lower() for ch in read_as}
    symbols = sorted(ch for ch in typed if len(normalise(ch)) == 1 and normalise(ch) in _INDEX)

    def spelled(chars: Iterable[str]) -> str:
        return "".join(ch if ch.isascii() and ch.isalnum() else f"\\u{ord(ch):04x}" for ch in chars)

    separator = f"[{spelled(sorted(ignored))}]*"
    return f"^{separator}(?:[{spelled(symbols)}]{separator}){{{LENGTH}}}$"


def validate(text: str) -> str:
    """The stored form of the code typed in `text`, or InvalidCode saying what is wrong with it."""
    code = normalise(text)
    if not code:
        raise InvalidCode("empty", "no code given")
    if len(code) != LENGTH:
        raise InvalidCode("length", f"a code has {LENGTH} characters; this one has {len(code)}")
    for ch in code:
        if ch not in _INDEX:
            raise InvalidCode("character", f"{ch!r} is not a character codes use")
    if _syndrome(code) != 0:
        raise InvalidCode("check", "a character is mistyped, or two are swapped")
    return code


def is_valid(text: str) -> bool:
    try:
        validate(text)
    except InvalidCode:
        return False
    return True


def group(code: str) -> str:
    """The code as it is shown and printed: `K7QM-3XPA-9TRD-W2XY`."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def _batch(count: int) -> list[str]:
    """`count` codes, made a position at a time across the whole batch rather than a code at a time.

    One random byte per symbol; for each of the 15 data positions, every code's symbol there is weighed by one
    `bytes.translate` of that column, and the columns are XOR-ed as big integers (addition in GF(32) is XOR),
    which leaves every code's check in one byte string. All of it runs in C: a million codes take about a
    second, where a loop over codes took eight.
    """
    buffer = bytearray(secrets.token_bytes(LENGTH * count))
    checks = 0
    for position, table in enumerate(_WEIGHED):
        checks ^= int.from_bytes(buffer[position::LENGTH].translate(table))
    buffer[DATA_SYMBOLS::LENGTH] = checks.to_bytes(count)
    text = buffer.translate(_SPELL).decode("ascii")
    return [text[i : i + LENGTH] for i in range(0, len(text), LENGTH)]


def generate(count: int, *, batch: int = DEFAULT_BATCH) -> Iterator[list[str]]:
    """`count` new codes in lists of up to `batch`, each code unique within its list.

    Across lists a repeat is as likely as guessing a 75-bit number; the database's unique constraint on the
    stored code is what guarantees it, and the caller inserting a batch retries the rare row it refuses.
    """
    if count < 0 or batch < 1:
        raise ValueError("count is zero or more and batch at least one")
    remaining = count
    while remaining:
        size = min(batch, remaining)
        codes = _batch(size)
        unique = set(codes)
        if len(unique) < size:
            while len(unique) < size:
                unique.update(_batch(size - len(unique)))
            codes = list(unique)
        yield codes
        remaining -= size


TYPED_PATTERN = _typed_pattern()


def new_code() -> str:
    """One new code."""
    return _batch(1)[0]
