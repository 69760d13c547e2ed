"""Case references as people quote them: AM-2026-000119. Pure Python: no Django import.

The number is six digits or more: it never repeats and keeps growing past 999,999 (AM-2026-1000000), so no
pattern here may cap its length. The year is the year the case opened; a reference with another year is still a
reference (it finds nothing, unless a case has exactly it).
"""

import re

PATTERN = r"AM-\d{4}-\d{6,}"
REFERENCE = re.compile(rf"^{PATTERN}$", re.IGNORECASE)
# In running text (a mail subject): not part of a longer run of letters or digits.
IN_TEXT = re.compile(rf"(?<![\w-])({PATTERN})(?!\w)", re.IGNORECASE)


def parse_reference(text: str) -> str | None:
    """The reference a text is, upper-cased, or None."""
    text = text.strip()
    return text.upper() if REFERENCE.match(text) else None


def reference_number(reference: str) -> str:
    """Its number without leading zeros: AM-2026-000119 → 119."""
    return reference.rsplit("-", 1)[-1].lstrip("0") or "0"


def format_reference(year: int, number: int) -> str:
    return f"AM-{year}-{number:06d}"
