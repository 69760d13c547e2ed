"""Case subjects as people read them: in a heading and in the subject line of our mail. Pure Python: no Django
import.

A subject that came in by e-mail carries what mail programs add ("Re:", "AW:", "Отв:", "Fwd:"), often several
times over, and our own case tag ("[AM-2026-000123]") from an earlier answer. Every reply would otherwise add one
more layer: "Re: Re: [AM-…] Re: Wrong size". We strip all of them and put back exactly one tag.
"""

import re

from .references import PATTERN

# Reply and forward markers of the mail programs our customers use, in the served languages and their neighbours:
# Re, Fw/Fwd, AW/WG (German Outlook), Odp/PD (Polish), Odg/Prosl (Serbo-Croatian), Отв/Пер/Fw (Russian,
# Bulgarian, Serbian Cyrillic), SV/VS (Nordic), Antw (Dutch), TR/RV/RIF (Romance). "Re[2]:" and "Re(2):" count too.
_MARKER = r"(?:re|fwd?|aw|wg|odp|pd|odg|prosl|отв|ответ|пер|fw|sv|vs|antw|tr|rv|rif|ynt)"
_PREFIX = re.compile(rf"^\s*{_MARKER}\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*", re.IGNORECASE)
_TAG = re.compile(rf"\[\s*{PATTERN}\s*\]", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")
HEADING_LENGTH = 80


def clean_subject(subject: str) -> str:
    """The subject without reply/forward markers and case tags, wherever they pile up in it."""
    text = " ".join(_TAG.sub(" ", subject).split())
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = " ".join(_TAG.sub(" ", stripped).split())
    return text


def mail_subject(*, reference: str, subject: str, fallback: str) -> str:
    """Our subject line: the case tag once, then the subject the conversation is about (or `fallback`)."""
    return f"[{reference}] {clean_subject(subject) or fallback}"


def subject_from_story(story: str, limit: int = HEADING_LENGTH) -> str:
    """A subject for a complaint that came without one: its first sentence, cut at a word, not inside one."""
    first_line = next((line.strip() for line in story.splitlines() if line.strip()), "")
    first_sentence = _SENTENCE_END.split(first_line, maxsplit=1)[0].strip()
    text = " ".join(first_sentence.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"


def heading(*, subject: str, story: str) -> str:
    """What a case is called on its page: its subject, cleaned; else the start of the complaint."""
    return clean_subject(subject) or subject_from_story(story)
