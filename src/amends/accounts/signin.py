"""How long a sign-in waits after failures: pure rules, no Django.

An account has 5 free tries and an address 20 (several people may share one); past that, every further failure
doubles the pause before the next try, from one minute up to an hour. A success clears the account's count; a
day without failures forgets both.

Not django-axes: its releases name Django up to 6.0, not the 6.1 we run, and it keeps one failure limit for every
lockout parameter, so separate allowances for accounts and addresses with growing pauses would be callables
around it; the rules fit in this file, the counting in accounts.services.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Allowance:
    free: int
    first_pause: timedelta = timedelta(minutes=1)
    longest_pause: timedelta = timedelta(hours=1)
    memory: timedelta = timedelta(days=1)

    def pause_after(self, failures: int) -> timedelta:
        """The wait after this many failures in a row."""
        if failures < self.free:
            return timedelta(0)
        doublings = min(failures - self.free, 12)  # 2**12 minutes is far past the longest pause
        return min(self.first_pause * 2**doublings, self.longest_pause)

    def paused_until(self, failures: int, last_failure_at: datetime | None) -> datetime | None:
        if last_failure_at is None or failures < self.free:
            return None
        return last_failure_at + self.pause_after(failures)

    def remembered(self, failures: int, last_failure_at: datetime | None, now: datetime) -> int:
        """The failures that still count at `now`: none after a quiet spell as long as the memory."""
        if last_failure_at is None or now - last_failure_at >= self.memory:
            return 0
        return failures


ACCOUNT = Allowance(free=5)
ADDRESS = Allowance(free=20)
# By the throttle's scope (accounts.models.SignInThrottle.Scope).
ALLOWANCES = {"account": ACCOUNT, "address": ADDRESS}
