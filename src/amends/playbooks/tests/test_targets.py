"""The pure rules for targets: no database."""

from datetime import timedelta

import pytest

from amends.playbooks.targets import MAX_TARGET, Problem, Unit, as_amount, check_pair, choose, duration

H, D = timedelta(hours=1), timedelta(days=1)


def test_amounts_and_units_become_durations_and_back_in_the_largest_exact_unit():
    assert duration(90, "minutes") == timedelta(minutes=90)
    assert duration(4, "hours") == 4 * H
    assert duration(2, "days") == 2 * D
    assert as_amount(48 * H) == (2, Unit.DAYS)
    assert as_amount(36 * H) == (36, Unit.HOURS)
    assert as_amount(timedelta(minutes=90)) == (90, Unit.MINUTES)


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        duration(3, "weeks")


def test_a_huge_amount_saturates_instead_of_overflowing():
    assert duration(10**30, "days") > MAX_TARGET
    assert duration(-(10**30), "days") < timedelta(0)


def test_a_pair_must_be_positive_bounded_and_answer_before_it_resolves():
    assert check_pair(4 * H, D) == []
    assert check_pair(D, D) == []
    assert check_pair(timedelta(0), D) == [("response", Problem.NOT_POSITIVE)]
    assert check_pair(H, -H) == [("resolution", Problem.NOT_POSITIVE)]
    assert check_pair(H, MAX_TARGET + D) == [("resolution", Problem.TOO_LONG)]
    assert check_pair(2 * D, D) == [("response", Problem.RESPONSE_AFTER_RESOLUTION)]


def test_the_first_layer_with_the_priority_wins():
    own, defaults, factory = {1: (H, D)}, {1: (2 * H, 2 * D), 3: (3 * H, 3 * D)}, {p: (D, 5 * D) for p in (1, 2, 3, 4)}
    assert choose(1, own, defaults, factory) == (H, D)
    assert choose(3, own, defaults, factory) == (3 * H, 3 * D)
    assert choose(4, own, defaults, factory) == (D, 5 * D)
    with pytest.raises(KeyError):
        choose(5, own, defaults)
