"""Schemathesis hooks for the fuzzing run of test_fuzz.py (named in schemathesis.toml).

Each one stands for a rule the OpenAPI document states in words because no JSON Schema keyword can: a request the
fuzzer means to be valid gets that rule right, as a real client would. Requests meant to be invalid are left as
generated."""

import base64
import json
import os
import threading
import zlib
from collections import Counter
from urllib.parse import quote, unquote

import schemathesis

from amends.remedies import codes

# A cursor is opaque: only the API hands one out (as next_cursor), so no client makes one up, and one made up
# is refused with a 400. A request the fuzzer means to be valid gets a cursor of the form the API gives out.
GENUINE_CURSOR = base64.urlsafe_b64encode(b"2000-01-01T00:00:00+00:00|1").decode()


@schemathesis.serializer("application/x-ndjson")
def ndjson(context, value):  # type: ignore[no-untyped-def]
    """NDJSON (the affected customers of an incident): the document describes the body as an array of its lines'
    objects; each item travels as one line of JSON."""
    items = value if isinstance(value, list) else [value]
    return "".join(json.dumps(item) + "\n" for item in items).encode()


# Ids of a case and its remedies that exist (test_fuzz.py makes them): a made-up id only ever meets a 404.
KNOWN = {
    "case_id": [i for i in os.environ.get("AMENDS_FUZZ_CASES", "").split(",") if i],
    "remedy_id": [i for i in os.environ.get("AMENDS_FUZZ_REMEDIES", "").split(",") if i],
    "incident_id": [i for i in os.environ.get("AMENDS_FUZZ_INCIDENTS", "").split(",") if i],
}


def known_id(name: str, generated: str) -> str:
    """Two generated ids in three become a known one (which, decided by the generated id, so every run is the
    same); the third stays made up, so the 404 of an unknown id is tried too."""
    known = KNOWN.get(name) or []
    pick = zlib.crc32(generated.encode())
    if not known or pick % 3 == 0:
        return generated
    return known[pick % len(known)]


def with_check_symbol(typed: str) -> str:
    """A code as typed (any case, separators, look-alikes) with its last symbol made the right check symbol:
    the document's pattern says what a code looks like; the check symbol (a sum over GF(32)) is beyond it."""
    positions = [i for i, ch in enumerate(typed) if codes.normalise(ch)]
    if len(positions) != codes.LENGTH:
        return typed
    data = "".join(codes.normalise(typed[i]) for i in positions[: codes.DATA_SYMBOLS])
    if not all(ch in codes.ALPHABET for ch in data):
        return typed
    last = positions[-1]
    return typed[:last] + codes.check_symbol(data) + typed[last + 1 :]


# The coverage phase tries every value of every enum. The currency is one of 290 ISO 4217 codes, each read by the
# same check (money.is_currency, whose list the enum is made from), and a valid one opens a case: 290 case
# openings, over a minute on two cores, that find nothing one of them does not. Long enums keep their first
# values and then every ENUM_STRIDE-th, in the document's order, so the run is the same every time.
ENUM_FIRST, ENUM_STRIDE = 4, 25
_enum_seen: Counter[tuple[str, str]] = Counter()
_enum_lock = threading.Lock()


@schemathesis.hook
def filter_case(context, case):  # type: ignore[no-untyped-def]
    meta = case.meta
    description = getattr(meta.phase.data, "description", "") if meta is not None else ""
    if not description.endswith("Enum value"):
        return True
    with _enum_lock:
        n = _enum_seen[case.operation.label, description]
        _enum_seen[case.operation.label, description] += 1
    return n < ENUM_FIRST or n % ENUM_STRIDE == 0


@schemathesis.hook
def map_case(context, case):  # type: ignore[no-untyped-def]
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return case
    if case.query and case.query.get("cursor") is not None:
        case.query["cursor"] = GENUINE_CURSOR
    for name in KNOWN:
        if case.path_parameters and isinstance(case.path_parameters.get(name), str):
            case.path_parameters[name] = known_id(name, case.path_parameters[name])
    if (
        isinstance(case.body, dict)
        and isinstance(case.body.get("case"), str)
        and case.operation.path.startswith("/api/v1/incidents/")
    ):
        # Linking a case to an incident: the case named in the body, like a case id in a path, mostly exists.
        case.body["case"] = known_id("case_id", case.body["case"])
    if case.path_parameters and isinstance(case.path_parameters.get("code"), str):
        # Path parameters reach the hook percent-encoded, as they will travel.
        typed = with_check_symbol(unquote(case.path_parameters["code"]))
        case.path_parameters["code"] = quote(typed, safe="")
    return case
