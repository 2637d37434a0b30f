"""The live report's cache: one build per workspace per TTL, shared by concurrent opens,
rebuilt when it expires or the team acted; the chart served by its content id."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot import store
from bot.db import Database
from bot.report import ReportCache
from bot.settings import Settings


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def workspace(db: Database) -> int:
    with db.session() as session:
        created = store.get_or_create_workspace(
            session=session, platform="slack", external_id="T1", now=datetime.now(UTC)
        )
        return created.id or 0


async def test_one_build_per_ttl_and_after_invalidate(db: Database) -> None:
    ticks = Ticks()
    settings = Settings(NPSBOT_DATABASE_URL=db.url, NPSBOT_COMPANY_NAME="Acme")
    cache = ReportCache(db=db, settings=settings, now=lambda: datetime.now(UTC), monotonic=ticks)
    workspace_id = workspace(db)
    first, second = await asyncio.gather(cache.get(workspace_id), cache.get(workspace_id))
    assert first is second and cache.builds == 1
    assert first.week.n == 0 and len(first.trend) == 12 and first.title == "Acme NPS"
    assert first.chart_png.startswith(b"\x89PNG") and cache.chart(first.chart_id) == first.chart_png
    assert cache.chart("0" * 24) is None
    ticks.now = 59.0
    assert await cache.get(workspace_id) is first
    ticks.now = 61.0
    assert await cache.get(workspace_id) is not first and cache.builds == 2
    cache.invalidate(workspace_id)
    await cache.get(workspace_id)
    assert cache.builds == 3


@pytest.mark.database  # a race
async def test_a_build_under_way_during_a_change_is_not_reused(db: Database) -> None:
    """A claim lands while a report is being built (it may have read the cases before the
    claim): the next open builds again instead of reusing it for a minute."""
    settings = Settings(NPSBOT_DATABASE_URL=db.url, NPSBOT_COMPANY_NAME="Acme")
    cache = ReportCache(db=db, settings=settings, now=lambda: datetime.now(UTC), monotonic=Ticks())
    workspace_id = workspace(db)
    building = asyncio.create_task(cache.get(workspace_id))
    while not ((lock := cache._locks.get(workspace_id)) and lock.locked()):
        await asyncio.sleep(0)  # until the build has begun
    assert not building.done()
    cache.invalidate(workspace_id)  # the change, while the build reads
    stale = await building
    assert await cache.get(workspace_id) is not stale and cache.builds == 2
    assert await cache.get(workspace_id) is not stale and cache.builds == 2  # then reused
