"""Default reply templates, written for each customer language (data/templates.json). Serbian Latin is the
Serbian Cyrillic transliterated, so the two never drift apart."""

import json
from pathlib import Path

from amends.triage.text import transliterate

PURPOSES = ("acknowledgement", "apology", "resolution", "follow_up", "incident_apology")
_DATA = json.loads((Path(__file__).with_name("data") / "templates.json").read_text(encoding="utf-8"))

DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    language: {purpose: (t["subject"], t["body"]) for purpose, t in templates.items()}
    for language, templates in _DATA.items()
}
DEFAULTS["sr-latn"] = {
    purpose: (transliterate(subject), transliterate(body)) for purpose, (subject, body) in DEFAULTS["sr"].items()
}
