"""Templates show no pictographic symbols (emoji): the fonts of a server-side PDF, a kiosk or a plain Linux browser
often lack them, and a missing glyph shows as an empty box. Icons are drawn (core/icons/*.svg)."""

import unicodedata
from pathlib import Path

import amends

# Symbols the ordinary text fonts (DejaVu, Liberation) carry; anything else of category "Symbol, other" is a risk.
KNOWN = set("©®°№™✓✔✗")


def offending(text: str) -> list[str]:
    return sorted({c for c in text if unicodedata.category(c) == "So" and c not in KNOWN})


def test_the_check_catches_an_emoji():
    assert offending("⏱ 0.0 s 📎 file") == ["⏱", "📎"]
    assert offending("→ ← − ≤ café") == []


def test_no_template_shows_a_pictograph():
    root = Path(amends.__file__).parent
    found = {
        str(path.relative_to(root)): bad
        for path in root.glob("*/templates/**/*.html")
        if (bad := offending(path.read_text(encoding="utf-8")))
    }
    assert found == {}
