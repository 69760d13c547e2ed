"""A remedy policy as a readable TOML file: exported for managers to read, edit and keep in version control,
and imported strictly.

Pure Python: no Django import. Reading is all or nothing: a syntax error, an unknown field, a wrong type, an
unknown operator, remedy kind, currency or category is refused with the line it is on and a plain reason, every
problem at once, and no Policy is built from a file that has any. Numbers are read as Decimal (tomllib's
`parse_float`), never as binary floats. Writing uses a small serializer of our own: the policy is a handful of
known shapes, so a dependency would buy nothing, and the output keeps the order and layout managers read.

The file::

    version = 3
    currency = "EUR"                      # the home currency every amount below is in

    [caps]
    max_share_of_order = 50               # no option above half the order
    max_value = 200                       # nor above 200 EUR
    per_kind = { refund = 150 }

    [defaults]                            # offered when no rule matches, and to top an offer up to two
    auto_offer = false
    [[defaults.options]]
    kind = "store_credit"
    fixed = 10

    [[rules]]
    name = "Late delivery"
    auto_offer = true
    [rules.when]
    category = ["late-delivery"]          # in; or { not_in = [...] }
    delay_days = { at_least = 3 }         # at_least, at_most, between = [low, high]
    complaints = { within_days = 90, at_least = 2 }
    incident = true
    [[rules.options]]
    kind = "refund"
    percent_of_order = 15
    at_least = 5
    cap_share_of_order = 30
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from amends.core.money import is_currency

from .catalogue import Kind, language_code
from .catalogue import languages as catalogue_languages
from .policy import (
    FLAG_FACTS,
    MAX_DAYS,
    NUMBER_OPS,
    SET_FACTS,
    Caps,
    Condition,
    Fact,
    Op,
    OptionSpec,
    Policy,
    PolicyError,
    Rule,
    ops_for,
    path_text,
)

MAX_FILE_CHARS = 5_000_000

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    line: int | None
    path: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "the file"
        return f"{where}{f' ({self.path})' if self.path else ''}: {self.reason}"


class PolicyFileError(ValueError):
    """Every problem in a policy file, each with its line and a plain reason. Nothing was built."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.path))
        super().__init__("\n".join(str(p) for p in self.problems))


# -- finding the line of a key -----------------------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\\n]|\\.)*"'
_LITERAL = r"'[^'\n]*'"
_KEY = rf"(?:{_BARE}|{_BASIC}|{_LITERAL})"
_DOTTED = rf"{_KEY}(?:[ \t]*\.[ \t]*{_KEY})*"
_ARRAY_HEADER = re.compile(rf"[ \t]*\[\[[ \t]*({_DOTTED})[ \t]*\]\]")
_TABLE_HEADER = re.compile(rf"[ \t]*\[[ \t]*({_DOTTED})[ \t]*\]")
_KEY_VALUE = re.compile(rf"[ \t]*({_DOTTED})[ \t]*=")


def _key_parts(dotted: str) -> list[str]:
    parts = []
    for raw in re.findall(_KEY, dotted):
        if raw.startswith('"'):
            parts.append(json.loads(raw))
        elif raw.startswith("'"):
            parts.append(raw[1:-1])
        else:
            parts.append(raw)
    return parts


class _Lines:
    """Where each table and key of a (syntactically valid) TOML text starts, by its path with array indices:
    ("rules", 2, "when", "severity") is the `severity` key under the third `[[rules]]`. Values that span lines
    (arrays, multi-line strings) are skipped over, and their last line noted, to find an item inside them."""

    def __init__(self, text: str) -> None:
        self.source = text.splitlines()
        self.start: dict[Path, int] = {}
        self.end: dict[Path, int] = {}
        arrays: dict[Path, int] = {}
        table: Path = ()
        open_string = ""  # the closing delimiter of a multi-line string we are inside
        depth = 0  # brackets of a value still open
        owner: Path = ()
        for number, line in enumerate(self.source, 1):
            if open_string or depth:
                open_string, depth = self._scan(line, open_string, depth)
                self.end[owner] = number
                continue
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            header = _ARRAY_HEADER.match(line)
            if header:
                parts = _key_parts(header.group(1))
                parent = self._resolve(parts[:-1], arrays)
                array = (*parent, parts[-1])
                arrays[array] = arrays.get(array, -1) + 1
                table = (*array, arrays[array])
                self.start.setdefault(array, number)
                self.start[table] = number
                continue
            header = _TABLE_HEADER.match(line)
            if header:
                table = self._resolve(_key_parts(header.group(1)), arrays)
                self.start.setdefault(table, number)
                continue
            pair = _KEY_VALUE.match(line)
            if pair:
                owner = (*table, *_key_parts(pair.group(1)))
                self.start[owner] = number
                self.end[owner] = number
                open_string, depth = self._scan(line[pair.end() :], "", 0)

    @staticmethod
    def _resolve(parts: list[str], arrays: dict[Path, int]) -> Path:
        path: Path = ()
        for part in parts:
            path = (*path, part)
            if path in arrays:
                path = (*path, arrays[path])
        return path

    @staticmethod
    def _scan(text: str, open_string: str, depth: int) -> tuple[str, int]:
        """Follow strings and brackets through `text`; return what is still open at its end."""
        i = 0
        while i < len(text):
            if open_string:
                if open_string in ('"""', '"') and text[i] == "\\":
                    i += 2
                    continue
                if text.startswith(open_string, i):
                    i += len(open_string)
                    open_string = ""
                    continue
                if len(open_string) == 1 and i == len(text) - 1:
                    return "", depth  # a one-line string cannot run on; the text is valid TOML
                i += 1
                continue
            ch = text[i]
            if ch == "#":
                break
            for delimiter in ('"""', "'''", '"', "'"):
                if text.startswith(delimiter, i):
                    open_string = delimiter
                    i += len(delimiter)
                    break
            else:
                depth += 1 if ch in "[{" else -1 if ch in "]}" else 0
                i += 1
        return (open_string if len(open_string) == 3 else ""), max(depth, 0)

    def line_of(self, path: Path, needle: str | None = None) -> int | None:
        """The line of `path`, or of its nearest ancestor found; with `needle`, the line within that key's value
        where the needle (a quoted value) is written."""
        for cut in range(len(path), -1, -1):
            found = self.start.get(path[:cut])
            if found is None:
                continue
            if needle is not None:
                last = self.end.get(path[:cut], found)
                for number in range(found, last + 1):
                    if needle in self.source[number - 1]:
                        return number
            return found
        return None


# -- reading -----------------------------------------------------------------------------------------------

_TOP = {"version", "currency", "caps", "defaults", "rules"}
_CAPS = {"max_share_of_order", "max_value", "per_kind"}
_DEFAULTS = {"auto_offer", "options"}
_RULE = {"name", "auto_offer", "apology_only", "when", "options"}
_OPTION_DECIMALS = (
    "percent_of_order",
    "fixed",
    "percent",
    "at_least",
    "at_most",
    "cap_share_of_order",
    "minimum_order",
)
_OPTION_INTS = ("valid_days", "months", "days", "slots")
_OPTION = {"kind", "full_order", "item", *_OPTION_DECIMALS, *_OPTION_INTS}


def _type_name(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a whole number",
        Decimal: "a number",
        str: "text",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _close(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.7)
    return f"; did you mean {match[0]!r}?" if match else ""


class _Reader:
    def __init__(
        self,
        lines: _Lines,
        *,
        categories: Collection[str],
        tiers: Collection[str] | None,
        channels: Collection[str] | None,
        condition_languages: Collection[str] | None,
        home: str | None,
    ) -> None:
        self.lines = lines
        self.problems: list[Problem] = []
        self.known: dict[Fact, set[str] | None] = {
            Fact.CATEGORY: {c.lower() for c in categories},
            Fact.CUSTOMER_TIER: {t.lower() for t in tiers} if tiers is not None else None,
            Fact.CHANNEL: {c.lower() for c in channels} if channels is not None else None,
            Fact.LANGUAGE: {language_code(x) for x in condition_languages} if condition_languages is not None else None,
        }
        self.home = home

    def problem(self, path: Path, reason: str, needle: str | None = None) -> None:
        self.problems.append(Problem(self.lines.line_of(path, needle), path_text(path), reason))

    def table(self, value: Any, path: Path, allowed: Collection[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, f"must be a table, not {_type_name(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.problem((*path, key), f"unknown field {key!r}{_close(key, allowed)}")
        return value

    def typed(self, value: Any, path: Path, kind: type) -> Any:
        """`value` if it has the type (a whole number counts as a number), else a problem and None."""
        if kind is Decimal and type(value) is int:
            return Decimal(value)
        if type(value) is not kind:
            self.problem(path, f"must be {_type_name(kind())}, not {_type_name(value)}")
            return None
        return value

    def read(self, data: dict[str, Any]) -> dict[str, Any]:
        self.table(data, (), _TOP)
        version = self.typed(data.get("version", 1), ("version",), int)
        currency = data.get("currency")
        if currency is None:
            self.problem((), "the policy needs a currency: the home currency its amounts are in")
        elif self.typed(currency, ("currency",), str) is not None:
            if not is_currency(currency):
                self.problem(("currency",), f"{currency!r} is not an ISO 4217 currency code")
            elif self.home and currency != self.home:
                self.problem(("currency",), f"the policy is in {currency}; the company's home currency is {self.home}")
        caps = self.caps(data.get("caps", {}))
        defaults = self.table(data.get("defaults"), ("defaults",), _DEFAULTS) if "defaults" in data else None
        if defaults is None and "defaults" not in data:
            self.problem((), "the policy needs [defaults]: the options offered when no rule matches")
        default_options: list[OptionSpec] = []
        auto = False
        if defaults is not None:
            auto = bool(self.typed(defaults.get("auto_offer", False), ("defaults", "auto_offer"), bool))
            default_options = self.options(defaults.get("options", []), ("defaults", "options"))
        rules = []
        raw_rules = data.get("rules", [])
        if self.typed(raw_rules, ("rules",), list) is not None:
            for index, raw in enumerate(raw_rules):
                rule = self.rule(raw, ("rules", index))
                if rule is not None:
                    rules.append(rule)
        return {
            "version": version,
            "currency": currency,
            "rules": tuple(rules),
            "defaults": tuple(default_options),
            "caps": caps,
            "defaults_auto_offer": auto,
        }

    def caps(self, raw: Any) -> Caps:
        data = self.table(raw, ("caps",), _CAPS) or {}
        share = (
            self.typed(data["max_share_of_order"], ("caps", "max_share_of_order"), Decimal)
            if ("max_share_of_order" in data)
            else None
        )
        most = self.typed(data["max_value"], ("caps", "max_value"), Decimal) if "max_value" in data else None
        per_kind: dict[Kind, Decimal] = {}
        if "per_kind" in data:
            kinds = self.table(data["per_kind"], ("caps", "per_kind"), [str(k) for k in Kind]) or {}
            for name, value in kinds.items():
                amount = self.typed(value, ("caps", "per_kind", name), Decimal)
                if name in set(Kind) and amount is not None:
                    per_kind[Kind(name)] = amount
        caps = Caps(share, most, per_kind)
        for path, reason in caps.problems(None):
            self.problem(("caps", *path), reason)
        return caps

    def rule(self, raw: Any, path: Path) -> Rule | None:
        data = self.table(raw, path, _RULE)
        if data is None:
            return None
        name = self.typed(data.get("name", ""), (*path, "name"), str) or ""
        if not name.strip():
            self.problem((*path, "name") if "name" in data else path, "a rule needs a name")
        auto = self.typed(data.get("auto_offer", False), (*path, "auto_offer"), bool)
        apology = self.typed(data.get("apology_only", False), (*path, "apology_only"), bool)
        conditions = self.conditions(data.get("when", {}), (*path, "when"))
        options = self.options(data.get("options", []), (*path, "options"))
        return Rule(name, tuple(conditions), tuple(options), bool(auto), bool(apology))

    def conditions(self, raw: Any, path: Path) -> list[Condition]:
        data = self.table(raw, path, [str(f) for f in Fact])
        if data is None:
            return []
        found: list[Condition] = []
        for key, value in data.items():
            if key not in set(Fact):
                continue
            fact = Fact(key)
            where = (*path, key)
            if fact in SET_FACTS:
                found += self.set_condition(fact, value, where)
            elif fact in FLAG_FACTS:
                if self.typed(value, where, bool) is not None:
                    found.append(Condition(fact, Op.IS, flag=value))
            else:
                found += self.number_conditions(fact, value, where)
        return found

    def set_condition(self, fact: Fact, value: Any, where: Path) -> list[Condition]:
        op = Op.IN
        if isinstance(value, dict):
            if len(value) != 1 or next(iter(value)) not in ("in", "not_in"):
                keys = ", ".join(repr(k) for k in value) or "nothing"
                self.problem(
                    where, f"unknown operator {keys} for {fact}: use a list, {{ in = [...] }} or {{ not_in = [...] }}"
                )
                return []
            op = Op(next(iter(value)))
            value = value[op]
            where = (*where, str(op))
        if not isinstance(value, list) or not value or any(type(v) is not str or not v.strip() for v in value):
            self.problem(where, f'{fact} takes a list of names, such as ["a", "b"]')
            return []
        known = self.known[fact]
        if known is not None:
            for item in value:
                normal = language_code(item) if fact is Fact.LANGUAGE else item.lower()
                if normal not in known:
                    noun = str(fact).replace("_", " ")
                    self.problem(where, f"unknown {noun} {item!r}{_close(item, known)}", needle=json.dumps(item))
        return [Condition(fact, op, values=frozenset(v.strip() for v in value))]

    def number_conditions(self, fact: Fact, value: Any, where: Path) -> list[Condition]:
        example = "{ within_days = 90, at_least = 2 }" if fact is Fact.COMPLAINTS else "{ at_least = 3 }"
        if not isinstance(value, dict):
            self.problem(where, f"{fact} takes operators, such as {example}; not {_type_name(value)}")
            return []
        allowed = {str(op) for op in NUMBER_OPS} | ({"within_days"} if fact is Fact.COMPLAINTS else set())
        found: list[Condition] = []
        window = None
        if fact is Fact.COMPLAINTS:
            if "within_days" not in value:
                self.problem(where, "complaints need within_days: how many days back to count")
                return []
            window = self.typed(value["within_days"], (*where, "within_days"), int)
            if window is None:
                return []
            if not 1 <= window <= MAX_DAYS:
                self.problem((*where, "within_days"), f"within_days is a whole number from 1 to {MAX_DAYS}")
                return []
        for key, bound in value.items():
            if key == "within_days":
                continue
            if key not in allowed:
                ops = ", ".join(sorted(str(op) for op in ops_for(fact)))
                self.problem((*where, key), f"unknown operator {key!r} for {fact}: use {ops}{_close(key, allowed)}")
                continue
            op = Op(key)
            if op is Op.BETWEEN:
                if not isinstance(bound, list) or len(bound) != 2:
                    self.problem((*where, key), "between takes two numbers: [low, high]")
                    continue
                low = self.typed(bound[0], (*where, key), Decimal)
                high = self.typed(bound[1], (*where, key), Decimal)
                if low is None or high is None:
                    continue
            else:
                number = self.typed(bound, (*where, key), Decimal)
                if number is None:
                    continue
                low, high = (number, None) if op is Op.AT_LEAST else (None, number)
            try:
                found.append(Condition(fact, op, low=low, high=high, within_days=window))
            except PolicyError as error:
                for sub, reason in error.problems:
                    self.problem((*where, *sub[1:]), reason)
        if not value:
            self.problem(where, f"{fact} needs an operator, such as {example}")
        return found

    def options(self, raw: Any, path: Path) -> list[OptionSpec]:
        if not isinstance(raw, list):
            self.problem(path, f"options must be a list of tables ([[...options]]), not {_type_name(raw)}")
            return []
        found = []
        for index, item in enumerate(raw):
            spec = self.option(item, (*path, index))
            if spec is not None:
                found.append(spec)
        return found

    def option(self, raw: Any, path: Path) -> OptionSpec | None:
        data = self.table(raw, path, _OPTION)
        if data is None:
            return None
        kind_name = data.get("kind")
        if kind_name is None:
            self.problem(path, "an option needs a kind: " + ", ".join(str(k) for k in Kind))
            return None
        if self.typed(kind_name, (*path, "kind"), str) is None:
            return None
        if kind_name not in set(Kind):
            kinds = ", ".join(str(k) for k in Kind)
            self.problem(
                (*path, "kind"),
                f"unknown remedy kind {kind_name!r}{_close(kind_name, kinds.split(', '))} (one of {kinds})",
            )
            return None
        fields: dict[str, Any] = {"kind": Kind(kind_name)}
        ok = True
        for name in _OPTION_DECIMALS:
            if name in data:
                fields[name] = self.typed(data[name], (*path, name), Decimal)
                ok &= fields[name] is not None
        for name in _OPTION_INTS:
            if name in data:
                fields[name] = self.typed(data[name], (*path, name), int)
                ok &= fields[name] is not None
        if "full_order" in data:
            fields["full_order"] = self.typed(data["full_order"], (*path, "full_order"), bool)
            ok &= fields["full_order"] is not None
        if "item" in data:
            item = self.item(data["item"], (*path, "item"))
            ok &= item is not None
            fields["item"] = item or {}
        if not ok:
            return None
        try:
            return OptionSpec(**fields)
        except PolicyError as error:
            for sub, reason in error.problems:
                self.problem((*path, *sub), reason)
            return None

    def item(self, raw: Any, path: Path) -> dict[str, str] | None:
        if not isinstance(raw, dict) or not raw:
            self.problem(path, 'item is a table of texts by language: { en = "a mug", sk = "hrnček" }')
            return None
        served = catalogue_languages()
        result = {}
        for key, words in raw.items():
            code = language_code(key)
            if code not in served:
                self.problem((*path, key), f"unknown language {key!r}: one of {', '.join(served)}")
            elif self.typed(words, (*path, key), str) is not None:
                result[code] = words
        return result if len(result) == len(raw) else None


def _syntax_line(error: tomllib.TOMLDecodeError) -> tuple[int | None, str]:
    line = getattr(error, "lineno", None)
    message = str(error)
    match = re.search(r"\s*\(at line (\d+), column \d+\)", message)
    if match:
        line = line or int(match.group(1))
        message = message[: match.start()] + message[match.end() :]
    elif re.search(r"\(at end of document\)", message):
        message = message.replace(" (at end of document)", " at the end of the file")
    return line, message


def load(
    text: str,
    *,
    categories: Collection[str],
    tiers: Collection[str] | None = None,
    channels: Collection[str] | None = None,
    languages: Collection[str] | None = None,
    home: str | None = None,
) -> Policy:
    """The policy in `text`, or PolicyFileError with every problem and its line.

    `categories` are the known category slugs (a rule on any other is refused); `tiers`, `channels` and
    `languages` likewise where given; `home`, the company's home currency, which the policy's must be.
    """
    if len(text) > MAX_FILE_CHARS:
        raise PolicyFileError([Problem(None, "", f"the file is over {MAX_FILE_CHARS:,} characters")])
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        line, message = _syntax_line(error)
        raise PolicyFileError([Problem(line, "", f"not valid TOML: {message}")]) from None
    lines = _Lines(text)
    reader = _Reader(
        lines, categories=categories, tiers=tiers, channels=channels, condition_languages=languages, home=home
    )
    fields = reader.read(data)
    if reader.problems:
        raise PolicyFileError(reader.problems)
    try:
        return Policy(**fields)
    except PolicyError as error:
        raise PolicyFileError(
            Problem(lines.line_of(path), path_text(path), reason) for path, reason in error.problems
        ) from None


# -- writing -----------------------------------------------------------------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _string(value: str) -> str:
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(name: str) -> str:
    return name if re.fullmatch(_BARE, name) else _string(name)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to a policy file")


def _option_lines(spec: OptionSpec) -> list[str]:
    lines = [f"kind = {_value(str(spec.kind))}"]
    for name in spec.given():
        value = getattr(spec, name)
        lines.append(f"{name} = {_value(dict(value) if name == 'item' else value)}")
    return lines


def _when(conditions: Iterable[Condition]) -> dict[str, Any]:
    when: dict[str, Any] = {}
    for condition in conditions:
        key = str(condition.fact)
        if condition.fact in SET_FACTS:
            values = sorted(condition.values)
            when[key] = values if condition.op is Op.IN else {"not_in": values}
        elif condition.fact in FLAG_FACTS:
            when[key] = bool(condition.flag)
        else:
            entry = when.setdefault(key, {})
            if condition.within_days is not None:
                entry.setdefault("within_days", condition.within_days)
            if condition.op is Op.AT_LEAST:
                entry["at_least"] = condition.low
            elif condition.op is Op.AT_MOST:
                entry["at_most"] = condition.high
            else:
                entry["between"] = [condition.low, condition.high]
    return when


def dump(policy: Policy) -> str:
    """The policy as a TOML file that `load` reads back to an equal Policy."""
    out = [
        f"# amends remedy policy, version {policy.version}. Amounts are in {policy.currency}; percentages 0-100.",
        "# Rules are tried in order: the first whose conditions all hold offers its options.",
        f"version = {policy.version}",
        f"currency = {_string(policy.currency)}",
    ]
    caps = policy.caps
    cap_lines = []
    if caps.max_share_of_order is not None:
        cap_lines.append(f"max_share_of_order = {_value(caps.max_share_of_order)}")
    if caps.max_value is not None:
        cap_lines.append(f"max_value = {_value(caps.max_value)}")
    if caps.per_kind:
        cap_lines.append(f"per_kind = {_value({str(k): v for k, v in caps.per_kind.items()})}")
    if cap_lines:
        out += ["", "[caps]", *cap_lines]
    out += ["", "[defaults]", f"auto_offer = {_value(policy.defaults_auto_offer)}"]
    for spec in policy.defaults:
        out += ["", "[[defaults.options]]", *_option_lines(spec)]
    for rule in policy.rules:
        out += ["", "[[rules]]", f"name = {_string(rule.name)}"]
        if rule.auto_offer:
            out.append("auto_offer = true")
        if rule.apology_only:
            out.append("apology_only = true")
        when = _when(rule.conditions)
        if when:
            out += ["[rules.when]", *(f"{_key(k)} = {_value(v)}" for k, v in when.items())]
        for spec in rule.options:
            out += ["[[rules.options]]", *_option_lines(spec)]
    return "\n".join(out) + "\n"
