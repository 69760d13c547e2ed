"""Page numbers from a query string, clamped: a list view never hands the database an offset it cannot take
(SQLite stops at 2**63) nor fails on a number that is not one."""

import re

# 10,000 pages of 50 is half a million rows: nobody pages further, and the offset stays small for any database.
MAX_PAGE = 10_000
WHOLE_NUMBER = re.compile(r"([+-]?)0*([0-9]{1,20})([0-9]*)")


def page_number(raw: str | None, *, last: int = MAX_PAGE) -> int:
    """The page asked for, within 1..last (and MAX_PAGE); 1 when it is not a whole number."""
    match = WHOLE_NUMBER.fullmatch((raw or "1").strip())
    if match is None:
        return 1
    sign, digits, more = match.groups()
    number = MAX_PAGE + 1 if more else int(digits)  # more than 20 digits: past any page, without converting them
    return 1 if sign == "-" else max(1, min(number, last, MAX_PAGE))


def last_page(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))
