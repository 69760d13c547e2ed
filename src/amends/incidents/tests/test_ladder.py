"""The ladder's thresholds, each tested just below and at its boundary."""

import pytest

from amends.incidents.ladder import (
    CUSTOMERS,
    DURATION_HOURS,
    FOLLOWERS,
    LEGAL,
    PRESS_APOLOGY_CUSTOMERS,
    PUBLIC_COMPLAINTS,
    Level,
    Reach,
    level_of,
    recommend,
)


def test_nothing_public_and_few_affected_is_answered_in_private():
    found = recommend(Reach(customers=3, hours=0.5))
    assert found.level == Level.PRIVATE_REPLY and [r.signal for r in found.reasons] == ["quiet"]


@pytest.mark.parametrize(
    ("field", "thresholds"),
    [
        ("customers", CUSTOMERS),
        ("public_complaints", PUBLIC_COMPLAINTS),
        ("followers", FOLLOWERS),
        ("legal", LEGAL),
        ("hours", DURATION_HOURS),
    ],
)
def test_each_signal_climbs_a_rung_exactly_at_its_threshold(field, thresholds):
    for index, threshold in enumerate(thresholds):
        if threshold is None:
            continue
        below = recommend(Reach(**{field: threshold - (0.5 if field == "hours" else 1)}))
        at = recommend(Reach(**{field: threshold}))
        assert below.level == Level(index), (field, threshold)
        assert at.level == Level(index + 1), (field, threshold)
        signal = "duration" if field == "hours" else field
        assert at.reasons[0].signal == signal and at.reasons[0].threshold == threshold


def test_the_press_makes_a_blog_post_and_with_many_affected_a_public_apology():
    assert recommend(Reach(press=1, customers=PRESS_APOLOGY_CUSTOMERS - 1)).level == Level.BLOG_POST
    loud = recommend(Reach(press=1, customers=PRESS_APOLOGY_CUSTOMERS))
    assert loud.level == Level.PUBLIC_APOLOGY and {r.signal for r in loud.reasons} == {"press", "customers"}


def test_the_strongest_signal_decides_and_every_signal_is_a_reason_strongest_first():
    found = recommend(Reach(customers=25, public_complaints=30, hours=4))
    assert found.level == Level.PUBLIC_APOLOGY
    assert [r.signal for r in found.reasons] == ["public_complaints", "customers", "duration"]


def test_a_level_is_known_by_its_code_and_an_unknown_one_is_refused():
    assert level_of("blog_post") == Level.BLOG_POST and Level.BLOG_POST.code == "blog_post"
    with pytest.raises(ValueError, match="unknown ladder level"):
        level_of("BLOG_POST")
