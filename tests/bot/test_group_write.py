"""Small writes of one kind share transactions: the first at once, the rest in the next."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest
from sqlmodel import Session

from bot.db import Database
from bot.group_write import GroupWrite

pytestmark = pytest.mark.database  # concurrent writes sharing a transaction


async def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """An upper bound only: a loaded machine can take seconds per database round trip."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_writes_arriving_together_share_one_transaction(db: Database) -> None:
    batches: list[list[int]] = []
    group = GroupWrite[int](db=db, write=lambda session, items: batches.append(list(items)))

    await asyncio.gather(*(group(n) for n in range(5)))

    assert batches == [[0, 1, 2, 3, 4]]


@pytest.mark.parametrize(("linger", "expected"), [(0.0, [[0], [1, 2]]), (1.0, [[0, 1, 2]])])
async def test_a_linger_lets_writes_that_come_just_after_the_first_share_its_transaction(
    db: Database, linger: float, expected: list[list[int]]
) -> None:
    """Job ends come a few milliseconds apart (a click's two effects, the next click's): with
    no linger a quiet bot committed each alone, more than one transaction per click."""
    batches: list[list[int]] = []
    group = GroupWrite[int](
        db=db, write=lambda session, items: batches.append(list(items)), linger=linger
    )
    first = asyncio.create_task(group(0))
    for _ in range(5):  # the first write's writer has started (and, with no linger, taken it)
        await asyncio.sleep(0)
    await asyncio.gather(first, group(1), group(2))

    assert batches == expected


async def test_writes_arriving_while_one_runs_go_together_into_the_next(db: Database) -> None:
    batches: list[list[int]] = []
    release = threading.Event()

    def write(session: Session, items: list[int]) -> None:
        batches.append(list(items))
        if items == [0]:
            release.wait(timeout=30)  # the first transaction is still running

    group = GroupWrite[int](db=db, write=write)
    first = asyncio.create_task(group(0))
    await _until(lambda: batches == [[0]])
    rest = [asyncio.create_task(group(n)) for n in (1, 2, 3)]
    await _until(lambda: not first.done() and all(not task.done() for task in rest))
    release.set()
    await asyncio.gather(first, *rest)

    assert batches == [[0], [1, 2, 3]]


async def test_a_failed_transaction_fails_each_of_its_writes_and_not_the_next(
    db: Database,
) -> None:
    batches: list[list[int]] = []

    def write(session: Session, items: list[int]) -> None:
        batches.append(list(items))
        if 0 in items:
            raise ValueError("refused")

    group = GroupWrite[int](db=db, write=write)
    results = await asyncio.gather(group(0), group(1), return_exceptions=True)
    assert [type(result) for result in results] == [ValueError, ValueError]

    await group(2)
    assert batches == [[0, 1], [2]]


@pytest.mark.parametrize("cancelled", [0, 1])
async def test_a_cancelled_caller_leaves_the_others_write_alone(
    db: Database, cancelled: int
) -> None:
    batches: list[list[int]] = []
    release = threading.Event()

    def write(session: Session, items: list[int]) -> None:
        batches.append(list(items))
        release.wait(timeout=30)

    group = GroupWrite[int](db=db, write=write)
    tasks = [asyncio.create_task(group(n)) for n in (0, 1)]
    await _until(lambda: batches == [[0, 1]])
    tasks[cancelled].cancel()
    release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)

    assert isinstance(results[cancelled], asyncio.CancelledError)
    assert results[1 - cancelled] is None
