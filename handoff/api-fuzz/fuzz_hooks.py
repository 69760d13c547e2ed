"""Schemathesis hooks for the fuzzing run of test_fuzz.py (named in schemathesis.toml)."""

import base64

import schemathesis

# A cursor is opaque: only the API hands one out (as next_cursor), so no client makes one up, and one made up
# is refused with a 400. A request the fuzzer means to be valid gets a cursor of the form the API gives out.
GENUINE_CURSOR = base64.urlsafe_b64encode(b"2000-01-01T00:00:00+00:00|1").decode()


@schemathesis.hook
def map_case(context, case):  # type: ignore[no-untyped-def]
    meta = case.meta
    if case.query and case.query.get("cursor") is not None and meta is not None and meta.generation.mode.is_positive:
        case.query["cursor"] = GENUINE_CURSOR
    return case
