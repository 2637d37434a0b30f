"""The job queue: enqueue, claim (safely across replicas), finish, retry.

Claiming is one `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING`: on
PostgreSQL replicas skip rows another one is claiming instead of waiting on them; SQLite has
one writer, so the same statement is atomic there as it stands.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Job
from bot.store.rows import built, insert_models, table_of

_TABLE = table_of(Job)
_FINISH = sa.delete(_TABLE).where(_TABLE.c.id.in_(sa.bindparam("ids", expanding=True)))


def enqueue(
    *,
    session: Session,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    lane: str | None = None,
    worker: str | None = None,
    lease_until: datetime | None = None,
    flush: bool = True,
) -> Job:
    """Add a job; with `worker` it is born leased to that worker, which runs it at once,
    unless its lane has earlier work another worker holds or that waits for a retry: then it
    waits its turn like any queued job. Without `flush` its id comes with the caller's next
    flush or the commit, so several rows of a transaction are written in one round."""
    if worker is not None and lane is not None and _lane_busy_elsewhere(session, lane, worker):
        worker = None
    job = Job(
        kind=kind,
        lane=lane,
        payload=payload,
        run_after=now,
        locked_by=worker,
        locked_until=lease_until if worker else None,
        created_at=now,
    )
    session.add(job)
    if flush:
        session.flush()
    return job


def new_job(
    *,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
    worker: str | None = None,
    lease_until: datetime | None = None,
) -> Job:
    """A job of no lane in memory, for `add_jobs` (born leased to `worker`, if given)."""
    return built(
        Job,
        kind=kind,
        payload=payload,
        run_after=now,
        locked_by=worker,
        locked_until=lease_until if worker else None,
        created_at=now,
    )


def add_jobs(*, session: Session, jobs: list[Job]) -> list[Job]:
    """Jobs from `new_job` written in one INSERT that brings back their ids, with no unit of
    work (an answer's effects: one statement for the lot)."""
    insert_models(session=session, instances=jobs)
    return jobs


def _lane_busy_elsewhere(session: Session, lane: str, worker: str) -> bool:
    """Earlier live jobs of the lane that are not running in `worker` (which keeps its own
    lanes in order in memory)."""
    query = select(col(Job.id)).where(
        col(Job.lane) == lane,
        col(Job.dead).is_(False),
        sa.or_(col(Job.locked_by).is_(None), col(Job.locked_by) != worker),
    )
    return session.exec(query.limit(1)).first() is not None


def claim_jobs(
    *,
    session: Session,
    now: datetime,
    worker: str,
    lease_until: datetime,
    limit: int,
    skip_locked: bool,
) -> list[Job]:
    """Lease up to `limit` runnable jobs: due, not leased (or the lease ran out), not dead,
    and first in their lane (nothing earlier in the lane is still waiting or running)."""
    earlier = sa.orm.aliased(Job)
    runnable = (
        select(col(Job.id))
        .where(
            col(Job.dead).is_(False),
            col(Job.run_after) <= now,
            sa.or_(col(Job.locked_until).is_(None), col(Job.locked_until) < now),
            sa.or_(
                col(Job.lane).is_(None),
                ~sa.exists().where(
                    col(earlier.lane) == col(Job.lane),
                    col(earlier.id) < col(Job.id),
                    col(earlier.dead).is_(False),
                ),
            ),
        )
        .order_by(col(Job.id))
        .limit(limit)
    )
    if skip_locked:
        runnable = runnable.with_for_update(skip_locked=True)
    claimed = (
        sa.update(Job)
        .where(col(Job.id).in_(runnable.scalar_subquery()))
        .values(locked_by=worker, locked_until=lease_until)
        .returning(Job)
    )
    jobs = list(session.scalars(claimed, execution_options={"synchronize_session": False}))
    return sorted(jobs, key=lambda job: job.id or 0)


def finish_jobs(*, session: Session, ids: list[int]) -> None:
    """Done jobs leave the table (it holds only work still to do, and the dead): one Core
    DELETE, built once, for a whole group commit of them."""
    if ids:
        session.connection().execute(_FINISH, {"ids": ids})


def retry_job(
    *, session: Session, job_id: int, error: str, run_after: datetime, dead: bool
) -> None:
    """Release a failed job until `run_after`; a dead one is kept for a person to look at."""
    session.execute(
        sa.update(Job)
        .where(col(Job.id) == job_id)
        .values(
            attempts=Job.attempts + 1,
            last_error=error[:500],
            run_after=run_after,
            locked_by=None,
            locked_until=None,
            dead=dead,
        )
    )


def release_job(*, session: Session, job_id: int) -> None:
    """Hand a job back to the queue untried (an earlier job of its lane must run first)."""
    session.execute(
        sa.update(Job).where(col(Job.id) == job_id).values(locked_by=None, locked_until=None)
    )


def release_leases(*, session: Session, workers: list[str]) -> int:
    """Free the jobs leased to workers known to be gone (a restart on the same host)."""
    if not workers:
        return 0
    result = session.exec(
        sa.update(Job).where(col(Job.locked_by).in_(workers)).values(locked_until=None)
    )
    return result.rowcount or 0


def leaseholders(*, session: Session) -> list[str]:
    """Workers holding leases now."""
    query = select(Job.locked_by).where(col(Job.locked_by).is_not(None)).distinct()
    return [worker for worker in session.exec(query).all() if worker]


def pending_jobs(*, session: Session, kind: str | None = None) -> int:
    """Jobs still to run (for status and tests)."""
    query = select(sa.func.count()).select_from(Job).where(col(Job.dead).is_(False))
    if kind is not None:
        query = query.where(col(Job.kind) == kind)
    return int(session.exec(query).one())
