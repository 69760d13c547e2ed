"""The communication ladder (principle P7, seed 003): how publicly to answer an incident. Pure Python: no Django import.

Answer in private while few are touched and nobody watches; post on the company's page once the problem is public;
write a blog post when many customers are affected or the press has it; apologise publicly when it gets out of hand.
Each signal below names the lowest level it warrants; the recommendation is the highest of them, and every signal
that lifted it above private replies is a reason, so the console can say why.

Thresholds (each one reached at the number given, i.e. `>=`):

==================================  ==============  ==========  ================
signal                              company page    blog post   public apology
==================================  ==============  ==========  ================
customers affected                  20              100         1,000
complaints on public channels       1               10          25
followers of the loudest author     1,000           10,000      100,000
press mentions                      —               1           1 with 100 customers affected
legal or regulator mentions         1               5           —
duration                            3 hours         24 hours    —
==================================  ==============  ==========  ================

The press alone makes a blog post (the story is out; the company's own account of it must be too); with a hundred
customers affected it is a public apology. A lawyer's letter is a reason to be seen answering, not to apologise on
the front page. A long outage is public by itself: everyone who tried saw it.
"""

from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    PRIVATE_REPLY = 0
    COMPANY_PAGE_POST = 1
    BLOG_POST = 2
    PUBLIC_APOLOGY = 3

    @property
    def code(self) -> str:
        return self.name.lower()


CODES = tuple(level.code for level in Level)


def level_of(code: str) -> Level:
    """The level a code names (private_reply, company_page_post, blog_post, public_apology); ValueError otherwise."""
    if code not in CODES:
        raise ValueError(f"unknown ladder level {code!r}; known: {', '.join(CODES)}")
    return Level[code.upper()]


# (company page, blog post, public apology): the value from which a signal warrants each level; None: never.
CUSTOMERS = (20, 100, 1_000)
PUBLIC_COMPLAINTS = (1, 10, 25)
FOLLOWERS = (1_000, 10_000, 100_000)
LEGAL = (1, 5, None)
DURATION_HOURS = (3.0, 24.0, None)
PRESS_BLOG = 1
PRESS_APOLOGY_CUSTOMERS = 100


@dataclass(frozen=True)
class Reach:
    """What the ladder reads about an incident. Counts are plain numbers so any part of amends can add to them
    (the affected customers a campaign names count with the complainants)."""

    customers: int = 0  # different customers affected
    public_complaints: int = 0  # complaints that came through a public channel (a public thread)
    followers: int = 0  # the largest audience of any one author among them
    press: int = 0  # complaints that mention the press or a journalist
    legal: int = 0  # complaints that mention a lawyer, a court or a regulator
    hours: float = 0.0  # how long it lasted (or has lasted so far)


@dataclass(frozen=True)
class Reason:
    """Why the ladder climbed: `signal` names the count, `value` its value, `threshold` the step it reached."""

    signal: str  # customers, public_complaints, followers, press, legal, duration, quiet
    value: float
    threshold: float
    level: Level


@dataclass(frozen=True)
class Recommendation:
    level: Level
    reasons: list[Reason]


def _step(signal: str, value: float, thresholds: tuple[float | None, ...]) -> Reason | None:
    reached = None
    for index, threshold in enumerate(thresholds):
        if threshold is not None and value >= threshold:
            reached = Reason(signal, value, threshold, Level(index + 1))
    return reached


def recommend(reach: Reach) -> Recommendation:
    """The level to answer at and the reasons, strongest first; with no reason to go public, private replies."""
    reasons = [
        r
        for r in (
            _step("customers", reach.customers, CUSTOMERS),
            _step("public_complaints", reach.public_complaints, PUBLIC_COMPLAINTS),
            _step("followers", reach.followers, FOLLOWERS),
            _step("legal", reach.legal, LEGAL),
            _step("duration", reach.hours, DURATION_HOURS),
        )
        if r is not None
    ]
    if reach.press >= PRESS_BLOG:
        loud = reach.customers >= PRESS_APOLOGY_CUSTOMERS
        reasons.append(Reason("press", reach.press, PRESS_BLOG, Level.PUBLIC_APOLOGY if loud else Level.BLOG_POST))
    if not reasons:
        return Recommendation(Level.PRIVATE_REPLY, [Reason("quiet", reach.customers, 0, Level.PRIVATE_REPLY)])
    reasons.sort(key=lambda r: -r.level)
    return Recommendation(reasons[0].level, reasons)
