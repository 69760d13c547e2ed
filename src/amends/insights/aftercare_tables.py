"""The review's table of corrective actions (aftercare app): filled in once its models are merged."""

from __future__ import annotations

from .period import Period
from .tables import Table


def corrective_actions_table(period: Period) -> Table | None:
    return None
