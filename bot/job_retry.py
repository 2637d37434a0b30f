"""How a kind of job is retried: exponential back-off, until too many tries or too old."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class Retry:
    """How a kind of job is retried: exponential back-off from `base` seconds up to `cap`,
    until `max_attempts` tries or until the job is `give_up_after` old."""

    base: float
    cap: float
    max_attempts: int | None = None
    give_up_after: timedelta | None = None

    def delay(self, attempts: int) -> float:
        """Seconds before the next try, after `attempts` failed ones."""
        return min(self.cap, self.base * 2 ** min(attempts - 1, 64))

    def gives_up(self, *, attempts: int, age: timedelta) -> bool:
        too_many = self.max_attempts is not None and attempts >= self.max_attempts
        return too_many or (self.give_up_after is not None and age >= self.give_up_after)
