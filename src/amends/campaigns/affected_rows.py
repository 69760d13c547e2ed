"""Reading the rows that name affected customers, from a CSV file or NDJSON lines, one row at a time.

A file is read as a stream (the csv module over a text wrapper over the uploaded file), never whole into memory,
so a million rows cost the memory of one. Whole-file problems (empty, not UTF-8, no e-mail or external id column,
more rows than the cap) raise `FileRefused`; a row that is wrong is yielded as a `Rejected` with its line number,
so the caller can report every one and still refuse the whole upload.

Encoding: UTF-8 only, with or without a byte order mark. A file in windows-1251 (what Excel writes for Cyrillic
on a Russian or Bulgarian Windows) is refused, saying so, rather than guessed: a guess that is wrong puts garbled
names into a million apologies, and "Save as CSV UTF-8" is one click.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from amends.core import languages
from amends.core.validators import text_refusal

COLUMNS = ("email", "external_id", "name", "language", "order_reference")
DELIMITERS = (",", ";", "\t")
LIMITS = {"email": 254, "external_id": 100, "name": 200, "language": 16, "order_reference": 100}
# What a mail system delivers to: no spaces, controls or specials in the local part; a domain of dotted labels
# (letters of any script, digits, inner hyphens). Deliberately simpler than RFC 5322: a quoted local part
# ("a b"@example.com) is legal and no customer has one.
EMAIL = re.compile(
    r"[^@\s\"<>(),;:\[\]\\\x00-\x1f\x7f]{1,64}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}", re.UNICODE
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PEEK = 64 * 1024


class FileRefused(ValueError):
    """The whole upload is refused, before anything is stored; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    email: str
    external_id: str
    name: str
    language: str
    order_reference: str


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    reason: str


def _cap_message(cap: int) -> str:
    return _("The file has more than %(cap)s rows, the most one upload may hold: split it into several files.") % {
        "cap": number_format(cap, force_grouping=True)
    }


_known_languages: dict[str, str] = {}
_known_for: list[object] = [None]


def _language(raw: str) -> str:
    """`languages.normalize`, remembered: a file of a million rows names a handful of languages."""
    supported = settings.LANGUAGES
    if _known_for[0] is not supported:  # the settings changed (a test): forget
        _known_languages.clear()
        _known_for[0] = supported
    found = _known_languages.get(raw)
    if found is None:
        found = _known_languages[raw] = languages.normalize(raw) or ""
    return found


def check_row(line: int, values: dict[str, str]) -> Row | Rejected:
    """One row's values, checked: an e-mail address or an external id, a known language, lengths, no controls."""
    cleaned: dict[str, str] = {}
    for column in COLUMNS:
        value = (values.get(column) or "").strip()
        if _CONTROL.search(value):
            return Rejected(line, _("%(column)s holds a control character.") % {"column": column})
        if len(value) > LIMITS[column]:
            return Rejected(
                line,
                _("%(column)s is longer than %(limit)s characters.") % {"column": column, "limit": LIMITS[column]},
            )
        cleaned[column] = value
    email = cleaned["email"].lower()
    if email and not EMAIL.fullmatch(email):
        return Rejected(line, _("%(email)s is not an e-mail address.") % {"email": email[:80]})
    if not email and not cleaned["external_id"]:
        return Rejected(line, _("The row has neither an e-mail address nor an external id."))
    language = ""
    if cleaned["language"]:
        language = _language(cleaned["language"])
        if not language:
            return Rejected(
                line,
                _("%(language)s is not a language we write in; use one of: %(known)s.")
                % {"language": cleaned["language"][:20], "known": ", ".join(languages.supported_codes())},
            )
    return Row(line, email, cleaned["external_id"], cleaned["name"], language, cleaned["order_reference"])


def _check_encoding(peek: bytes) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(peek, final=False)
    except UnicodeDecodeError as exc:
        line = peek[: exc.start].count(b"\n") + 1
        try:
            cyrillic = sum(1 for ch in peek.decode("cp1251") if "\u0400" <= ch <= "\u04ff")
        except UnicodeDecodeError:
            cyrillic = 0
        if cyrillic:
            raise FileRefused(
                _(
                    "The file is not UTF-8 (line %(line)s cannot be read; it looks like windows-1251). Save it as "
                    "“CSV UTF-8” and upload it again."
                )
                % {"line": line}
            ) from None
        raise FileRefused(
            _("The file is not UTF-8: line %(line)s cannot be read. Save it as “CSV UTF-8” and upload it again.")
            % {"line": line}
        ) from None


def _header(first_line: str) -> tuple[str, list[str]]:
    """The delimiter and the column names: the delimiter that splits the first line into known columns."""
    best: tuple[int, str, list[str]] | None = None
    for delimiter in DELIMITERS:
        names = [name.strip().lower() for name in next(csv.reader([first_line], delimiter=delimiter), [])]
        known = sum(1 for name in names if name in COLUMNS)
        if best is None or known > best[0]:
            best = (known, delimiter, names)
    known, delimiter, names = best  # type: ignore[misc]
    if "email" not in names and "external_id" not in names:
        raise FileRefused(
            _(
                "The first line must name the columns, separated by commas, semicolons or tabs: email or "
                "external_id, and optionally name, language, order_reference. It reads: %(line)s"
            )
            % {"line": first_line.strip()[:120]}
        )
    return delimiter, names


def read_csv(upload: BinaryIO, *, max_rows: int) -> Iterator[Row | Rejected]:
    """The rows of an uploaded CSV file, each checked. `upload` must be seekable (Django's uploaded files are)."""
    peek = upload.read(_PEEK)
    if not peek.strip(b"\xef\xbb\xbf \r\n\t"):
        raise FileRefused(_("The file is empty: it needs a first line naming the columns and a row per customer."))
    _check_encoding(peek)
    upload.seek(0)
    text = io.TextIOWrapper(upload, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]
    try:
        first = text.readline()
        delimiter, names = _header(first)
        reader = csv.reader(text, delimiter=delimiter, strict=False)
        rows = 0
        line = 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                line = reader.line_num + 1
                yield Rejected(line, _("The row cannot be read as CSV: %(error)s") % {"error": str(exc)[:100]})
                continue
            line = reader.line_num + 1  # the header was line 1, read before the reader started
            if not fields or fields == [""]:
                continue
            rows += 1
            if rows > max_rows:
                raise FileRefused(_cap_message(max_rows))
            if len(fields) != len(names):
                yield Rejected(
                    line,
                    _("The row has %(found)s fields; the first line names %(expected)s columns.")
                    % {"found": len(fields), "expected": len(names)},
                )
                continue
            yield check_row(line, dict(zip(names, fields, strict=True)))
    except UnicodeDecodeError:
        raise FileRefused(
            _("The file is not UTF-8 after line %(line)s. Save it as “CSV UTF-8” and upload it again.") % {"line": line}
        ) from None
    finally:
        text.detach()


class NotJson(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def read_ndjson(body: bytes, *, max_rows: int) -> list[Row | Rejected]:
    """The rows of an NDJSON body: one JSON object a line. A line that is not JSON raises NotJson naming it."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise NotJson(line, _("Line %(line)s is not UTF-8.") % {"line": line}) from None
    out: list[Row | Rejected] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            raise NotJson(number, _("Line %(line)s is not JSON.") % {"line": number}) from None
        if not isinstance(value, dict):
            raise NotJson(number, _("Line %(line)s is not a JSON object.") % {"line": number})
        if len(out) >= max_rows:
            raise FileRefused(_cap_message(max_rows))
        unknown = sorted(set(value) - set(COLUMNS))
        if unknown:
            out.append(Rejected(number, _("Unknown field: %(names)s.") % {"names": ", ".join(unknown)[:100]}))
            continue
        if any(v is not None and not isinstance(v, str) for v in value.values()):
            out.append(Rejected(number, _("Every field is a text (a JSON string).")))
            continue
        problem = next((text_refusal(v) for v in value.values() if v and text_refusal(v)), None)
        if problem:  # a lone surrogate ("\ud800") is JSON, but no text a database can store
            out.append(Rejected(number, problem))
            continue
        out.append(check_row(number, value))
    return out
