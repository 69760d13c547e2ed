"""The fixed split of the Universal Dependencies sentences in shared/data/lid into a part the language lexicons
learn from and a held-out part they never see. Written down before anything was learnt or tuned.

A sentence is held out when the first byte of the SHA-1 of its NFC text (stripped) is divisible by 5: about a
fifth of every language, decided by the sentence alone, so adding sentences never moves one across the line.
"""

import hashlib
import unicodedata
from pathlib import Path

LID = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "lid"
LANGUAGES = ("en", "ru", "bg", "sr-Latn", "hr", "sk", "uk", "cs", "pl", "de")


def held_out(sentence: str) -> bool:
    digest = hashlib.sha1(unicodedata.normalize("NFC", sentence.strip()).encode("utf-8"), usedforsecurity=False)
    return digest.digest()[0] % 5 == 0


def sentences(code: str, *, part: str) -> list[str]:
    """The sentences of one language file: part "train" or "held-out", in the file's order."""
    if part not in ("train", "held-out"):
        raise ValueError(f"part must be 'train' or 'held-out', not {part!r}")
    lines = [line for line in (LID / f"{code}.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [line for line in lines if held_out(line) == (part == "held-out")]
