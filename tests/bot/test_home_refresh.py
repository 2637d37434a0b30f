"""The live Home's bookkeeping: who has it open, and the views.publish budget it spends."""

from __future__ import annotations

from bot.home_refresh import KEPT_FOR_OPENS, RECENT_SECONDS, Pace, Viewers


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_viewers_are_the_recent_ones_newest_first() -> None:
    ticks = Ticks()
    viewers = Viewers(monotonic=ticks)
    viewers.saw(1, ("slack", "T1", "UA"), "C0ALERTS")
    ticks.now += 60
    viewers.saw(1, ("slack", "T1", "UB"), None)
    viewers.saw(2, ("slack", "T2", "UC"), None)
    assert [v.key[2] for v in viewers.current(1)] == ["UB", "UA"]
    viewers.saw(1, ("slack", "T1", "UA"), "C0ALERTS")  # opened again: newest now
    assert [v.key[2] for v in viewers.current(1)] == ["UA", "UB"]
    viewers.left(1, ("slack", "T1", "UA"))
    ticks.now += RECENT_SECONDS + 1
    assert viewers.current(1) == [] and viewers.current(3) == []


def test_refreshes_leave_the_opens_their_share_and_the_budget_refills() -> None:
    ticks = Ticks()
    pace = Pace(monotonic=ticks, per_minute=100)
    refreshes = 0
    while pace.refresh_allowed(1):
        refreshes += 1
    assert refreshes == 100 - KEPT_FOR_OPENS
    opens = 0
    while pace.take(1):
        opens += 1
    assert opens == KEPT_FOR_OPENS
    assert pace.refresh_allowed(2)  # another workspace has its own budget
    ticks.now += 15  # a quarter of a minute: 25 calls refilled, 5 above the opens' share
    assert sum(pace.refresh_allowed(1) for _ in range(10)) == 5
