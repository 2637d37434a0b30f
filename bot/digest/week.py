"""The digest's unit of time: an ISO week in the digest's time zone, with its UTC bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Week:
    """An ISO week in the digest's time zone, with its UTC bounds."""

    year: int
    number: int
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @classmethod
    def of(cls, day: date, tz: str) -> Week:
        monday = day - timedelta(days=day.weekday())
        zone = ZoneInfo(tz)
        start = datetime(monday.year, monday.month, monday.day, tzinfo=zone)
        end_day = monday + timedelta(days=7)
        end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=zone)
        iso = monday.isocalendar()
        return cls(iso.year, iso.week, start.astimezone(UTC), end.astimezone(UTC))

    @classmethod
    def parse(cls, label: str, tz: str) -> Week:
        """`2026-W48` -> that week; ValueError with a clear message otherwise."""
        try:
            year, week = label.upper().split("-W")
            return cls.of(date.fromisocalendar(int(year), int(week), 1), tz)
        except ValueError:
            raise ValueError(f"weeks look like 2026-W48, not '{label}'") from None

    def shifted(self, weeks: int, tz: str) -> Week:
        local = self.start.astimezone(ZoneInfo(tz)).date()
        return Week.of(local + timedelta(weeks=weeks), tz)
