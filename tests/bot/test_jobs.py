"""The job runner keeps one lane's jobs in order, even when they are written faster than they
run, and even when one of them fails; different lanes do not wait for each other."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot import store
from bot.clock import FakeClock
from bot.db import Database
from bot.jobs import JobRunner
from bot.models import Job

pytestmark = pytest.mark.database  # claims and leases of jobs

KIND = "test.step"


class Steps:
    """A handler that records each job's start and end; `hold[name]` keeps a job running."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.hold: dict[str, asyncio.Event] = {}
        self.fail_once: set[str] = set()

    async def __call__(self, payload: dict[str, Any], context: Any) -> None:
        name = payload["name"]
        self.log.append(f"start {name}")
        if gate := self.hold.get(name):
            await gate.wait()
        if name in self.fail_once:
            self.fail_once.discard(name)
            self.log.append(f"fail {name}")
            raise RuntimeError(f"{name} failed")
        self.log.append(f"end {name}")


def runner(db: Database, clock: FakeClock, steps: Steps) -> JobRunner:
    jobs = JobRunner(db=db, clock=clock, poll=0.05, retry_base=0.0)
    jobs.register(KIND, steps)
    return jobs


async def write(jobs: JobRunner, name: str, lane: str | None = "person:1") -> Job:
    def enqueue(session: store.Session) -> Job:
        job = store.enqueue(
            session=session,
            kind=KIND,
            payload={"name": name},
            lane=lane,
            now=jobs.clock.now(),
            worker=jobs.worker,
            lease_until=jobs.lease_until(),
        )
        session.expunge(job)
        return job

    return await jobs.db.run(enqueue)


async def until(condition: Any, timeout: float = 30.0) -> None:
    """An upper bound only: a loaded CI machine can take seconds per database round trip."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def retried_then_b(jobs: JobRunner, clock: FakeClock, steps: Steps) -> None:
    """A second later the poll loop retries "a", and only then runs "b"."""
    clock.advance(timedelta(seconds=1))
    jobs.start()
    try:
        await until(lambda: steps.log[-1:] == ["end b"])
    finally:
        await jobs.stop()
    assert steps.log == ["start a", "fail a", "start a", "end a", "start b", "end b"]


async def test_a_lane_runs_in_the_order_written(db: Database, clock: FakeClock) -> None:
    steps = Steps()
    steps.hold["a"] = asyncio.Event()
    jobs = runner(db, clock, steps)
    first, second = await write(jobs, "a"), await write(jobs, "b")
    other = await write(jobs, "x", lane="person:2")
    jobs.start_jobs([first, second, other])
    await until(lambda: "end x" in steps.log)  # another lane does not wait for "a"
    assert "start b" not in steps.log
    steps.hold["a"].set()
    await jobs.idle()
    mine = [line for line in steps.log if not line.endswith("x")]
    assert mine == ["start a", "end a", "start b", "end b"]
    assert await db.run(lambda s: store.pending_jobs(session=s)) == 0


async def test_a_failure_sends_the_rest_of_its_lane_behind_its_retry(
    db: Database, clock: FakeClock
) -> None:
    steps = Steps()
    steps.fail_once.add("a")
    jobs = runner(db, clock, steps)
    first, second = await write(jobs, "a"), await write(jobs, "b")
    jobs.start_jobs([first, second])
    await jobs.idle()
    assert steps.log == ["start a", "fail a"]  # "b" went back to the queue untried

    await retried_then_b(jobs, clock, steps)


async def test_a_job_written_behind_a_waiting_retry_is_not_started(
    db: Database, clock: FakeClock
) -> None:
    steps = Steps()
    steps.fail_once.add("a")
    jobs = runner(db, clock, steps)
    jobs.start_jobs([await write(jobs, "a")])
    await jobs.idle()
    later = await write(jobs, "b")
    assert later.locked_by is None  # born waiting: "a" must be retried first
    jobs.start_jobs([later])
    assert not await jobs.run_now(later)
    assert steps.log == ["start a", "fail a"]

    await retried_then_b(jobs, clock, steps)


async def test_jobs_finishing_together_are_deleted_in_one_transaction(
    db: Database, clock: FakeClock
) -> None:
    steps = Steps()
    jobs = runner(db, clock, steps)
    written = [await write(jobs, f"n{n}", lane=None) for n in range(10)]
    deletes: list[str] = []

    def executed(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("DELETE FROM JOB"):
            deletes.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", executed)
    try:
        jobs.start_jobs(written)
        await jobs.idle()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", executed)

    assert len([line for line in steps.log if line.startswith("end")]) == 10
    assert await db.run(lambda s: store.pending_jobs(session=s)) == 0
    assert len(deletes) == 1  # not one transaction per job
