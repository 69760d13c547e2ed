"""Each field type of the API accepts exactly what its schema in the OpenAPI document allows: checked against
jsonschema-rs (the validator Schemathesis uses) on generated values, so neither can drift from the other."""

import json
import re
from datetime import UTC, datetime

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError, create_model

from amends.api.fields import AMOUNT_SCHEMA, LANGUAGE_PATTERN, Language, OrderValue, parse_moment
from amends.core import money
from amends.core.text import CLEANED_AWAY, VISIBLE_TEXT_PATTERN, clean_text

EXAMPLES = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def valid(schema: dict, value: object) -> bool:
    return jsonschema_rs.validator_for(schema, validate_formats=True).is_valid(value)


def accepted(parse, value: object) -> bool:  # type: ignore[no-untyped-def]
    try:
        parse(value)
    except (ValidationError, ValueError):
        return False
    return True


# Date-times: built from parts that are often out of range, so both sides of every rule are reached.
two = st.integers(0, 99).map(lambda n: f"{n:02d}")
moments = st.builds(
    lambda year, month, day, hour, minute, second, fraction, t, offset: (
        f"{year:04d}-{month}-{day}{t}{hour}:{minute}:{second}{fraction}{offset}"
    ),
    st.one_of(st.integers(0, 9999), st.sampled_from([0, 1, 4, 1900, 2000, 2024, 2026, 9999])),
    st.one_of(two, st.sampled_from(["01", "02", "12", "13"])),
    st.one_of(two, st.sampled_from(["28", "29", "30", "31"])),
    st.one_of(two, st.sampled_from(["00", "23", "24"])),
    st.one_of(two, st.sampled_from(["00", "59", "60"])),
    st.one_of(two, st.sampled_from(["00", "59", "60", "61"])),
    st.sampled_from(["", ".5", ".123456789", "."]),
    st.sampled_from(["T", "t", " "]),
    st.one_of(
        st.sampled_from(["Z", "z", "", "+00:00", "-00:00", "+01:00", "-01:00", "+0100"]),
        st.builds("{}{}:{}".format, st.sampled_from("+-"), two, two),
    ),
)


@EXAMPLES
@given(st.one_of(moments, st.text(max_size=30)))
def test_a_moment_is_read_exactly_when_it_is_an_rfc3339_date_time(value):
    assert accepted(parse_moment, value) == valid({"type": "string", "format": "date-time"}, value), value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-05-01T09:30:00Z", datetime(2026, 5, 1, 9, 30, tzinfo=UTC)),
        ("2026-05-01t11:30:00.25+02:00", datetime(2026, 5, 1, 9, 30, 0, 250000, tzinfo=UTC)),
        ("0001-01-01T00:00:00+01:00", datetime.min.replace(tzinfo=UTC)),
        ("0000-12-31T23:00:00-02:00", datetime(1, 1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59-01:00", datetime.max.replace(tzinfo=UTC)),
        ("2016-12-31T23:59:60Z", datetime(2017, 1, 1, tzinfo=UTC)),
    ],
)
def test_a_moment_is_read_in_utc_and_one_past_the_calendar_is_its_edge(value, expected):
    assert parse_moment(value) == expected


amount_strings = st.from_regex(r"\A-?[0-9]{0,12}(?:[.,][0-9]{0,3})?\Z").filter(bool)
amount_numbers = st.one_of(
    st.integers(-10, 10**11),
    st.decimals(min_value=-1, max_value=10**11, places=3).map(float),
    st.floats(allow_nan=False, allow_infinity=False),
)


@EXAMPLES
@given(st.one_of(amount_strings, amount_numbers, st.text(max_size=12), st.booleans(), st.none()))
def test_an_amount_is_read_exactly_when_the_document_allows_it(value):
    # JSON carries a number as the text it was written in: the API reads it so (parse_float=Decimal).
    wire = json.loads(json.dumps(value), parse_float=money.Decimal)
    assert accepted(TypeAdapter(OrderValue).validate_python, wire) == valid(AMOUNT_SCHEMA, wire), value


@EXAMPLES
@given(st.one_of(st.from_regex(r"\A[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{1,9}){0,3}\Z"), st.text(max_size=12)))
def test_a_language_is_accepted_exactly_when_the_document_allows_it(value):
    schema = {"type": "string", "pattern": LANGUAGE_PATTERN, "maxLength": 64}
    assert accepted(TypeAdapter(Language).validate_python, value) == valid(schema, value), value


@EXAMPLES
@given(st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\x01\x1f\x7f\x85\xa0\u3000\u2028\ufeffa"), max_size=6))
def test_the_document_says_which_stories_are_blank_after_clean_up(value):
    assert bool(clean_text(value)) == valid({"type": "string", "pattern": VISIBLE_TEXT_PATTERN}, value), repr(value)


def test_what_clean_up_takes_away_is_every_white_space_and_control_character_it_removes():
    removed = re.compile(f"[{CLEANED_AWAY}]")
    for code in range(0x110000):
        character = chr(code)
        expected = character.isspace() or bool(re.fullmatch(r"[\x00-\x08\x0e-\x1f\x7f]", character))
        assert bool(removed.fullmatch(character)) == expected, hex(code)


def _input_schemas() -> list[type]:
    """Every request body of the API: the schemas that refuse unknown fields, as every request body does."""
    from ninja import Schema

    import amends.api.api  # noqa: F401  (every router, so every request body, is loaded)

    found, todo = [], [Schema]
    while todo:
        for schema in todo.pop().__subclasses__():
            todo.append(schema)
            if schema.__module__.startswith("amends.") and schema.model_config.get("extra") == "forbid":
                found.append(schema)
    return sorted(set(found), key=lambda schema: schema.__name__)


NOT_A_BOOLEAN = [0, 1, "true", "false", "yes", "on", 1.0]
NOT_AN_INTEGER = ["5", "5.0", True, 5.5]


@pytest.mark.parametrize("schema", _input_schemas(), ids=lambda schema: schema.__name__)
def test_every_request_body_takes_booleans_and_integers_only_as_json_has_them(schema):
    # Pydantic's lax mode reads 0 or "yes" as a boolean and "5" as an integer; the document says boolean and
    # integer, so a client must be told, not have a choice made for it (found by the fuzzing test for override).
    for name, info in schema.model_fields.items():
        declared = schema.model_json_schema()["properties"][name]
        kinds = {declared.get("type")} | {part.get("type") for part in declared.get("anyOf", [])}
        wrong = (NOT_A_BOOLEAN if "boolean" in kinds else []) + (NOT_AN_INTEGER if "integer" in kinds else [])
        probe = create_model("Probe", value=(info.annotation, info))
        for value in wrong:
            with pytest.raises(ValidationError):
                probe.model_validate({"value": value})
