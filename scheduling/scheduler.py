"""APScheduler, wrapped behind domain verbs.

The scheduler only decides *when* to look; *what* is due lives in the database, so a
restart loses nothing and several replicas can share the work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import retention, store
from bot.audience import Audience
from bot.clock import Clock
from bot.db import Database
from bot.digest import Digests
from bot.metrics import Metrics
from bot.settings import Settings
from scheduling.announcements import Announcer, plan_announcements
from scheduling.bulk_planning import plan_due
from scheduling.dispatch import Dispatcher
from scheduling.lease import RECOVERY_INTERVAL
from scheduling.reconcile import RECONCILE_INTERVAL, Reconciler
from scheduling.reminders import plan_reminders
from scheduling.workspace_guard import WorkspaceGuard

log = logging.getLogger(__name__)


class Scheduler:
    """Runs the dispatch loop, expiry, reminders and the weekly digest."""

    def __init__(
        self,
        *,
        db: Database,
        dispatcher: Dispatcher,
        settings: Settings,
        clock: Clock,
        digests: Digests,
        audience: Audience,
        interval: timedelta = timedelta(seconds=30),
        metrics: Metrics | None = None,
        remind_unclaimed: Callable[[], Awaitable[int]] | None = None,
    ) -> None:
        self.db = db
        self.dispatcher = dispatcher
        self.settings = settings
        self.clock = clock
        self.digests = digests
        self.audience = audience
        self.interval = interval
        self.metrics = metrics or Metrics()
        self.remind_unclaimed = remind_unclaimed
        """Queues the SLA reminder of alerts nobody claimed (`bot.case_threads`)."""
        self.reconciler = Reconciler(
            db=db,
            channels=dispatcher.channels,
            clock=clock,
            worker=dispatcher.worker,
            metrics=self.metrics,
        )
        """Settles uncertain sends against the chat's history (`scheduling.reconcile`)."""
        self.guard = WorkspaceGuard(
            db=db, failed=lambda job: self.metrics.job_errors.labels(job=job).inc()
        )
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._scheduler.add_listener(self._job_failed, EVENT_JOB_ERROR)
        self._ticking: asyncio.Task[object] | None = None
        self._cut_off = False

    def start(self) -> None:
        seconds = self.interval.total_seconds()
        self._scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=seconds),
            id="tick",
            max_instances=1,
            coalesce=True,
            next_run_time=self.clock.now(),  # after a restart, what is due goes out now
        )
        self._scheduler.add_job(
            self.recover,
            IntervalTrigger(seconds=RECOVERY_INTERVAL.total_seconds()),
            id="recover",
            max_instances=1,
            coalesce=True,
            next_run_time=self.clock.now(),
        )
        self._scheduler.add_job(
            self.reconciler.run,
            IntervalTrigger(seconds=RECONCILE_INTERVAL.total_seconds()),
            id="reconcile",
            max_instances=1,
            coalesce=True,
        )
        self._scheduler.add_job(
            self.housekeeping, IntervalTrigger(hours=1), id="housekeeping", coalesce=True
        )
        if self.remind_unclaimed is not None:
            self._scheduler.add_job(
                self.remind_unclaimed,
                IntervalTrigger(minutes=5),
                id="alert-sla",
                coalesce=True,
                max_instances=1,
            )
        self._scheduler.add_job(
            self.purge_old,
            CronTrigger(hour=3, minute=17, timezone="UTC"),
            id="retention",
            coalesce=True,
            misfire_grace_time=6 * 3600,
        )
        self._scheduler.add_job(
            self.digests.post_weekly,
            self.digest_trigger(),
            id="digest",
            coalesce=True,
            misfire_grace_time=3600,
        )
        self._scheduler.start()

    def digest_trigger(self) -> CronTrigger:
        """The configured weekday, time and time zone of the scheduled digest."""
        hour, minute = self.settings.digest_time.split(":")
        return CronTrigger(
            day_of_week=self.settings.digest_day.lower(),
            hour=int(hour),
            minute=int(minute),
            timezone=self.settings.digest_timezone,
        )

    def next_digest(self) -> datetime | None:
        """When the scheduled digest fires next (the same moment for every workspace)."""
        fire: datetime | None = self.digest_trigger().get_next_fire_time(None, self.clock.now())
        return fire

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    async def drain(self, timeout: float) -> None:
        """Stop starting jobs and wait up to `timeout` s for a tick in flight; then cancel it.

        APScheduler's own shutdown cancels the jobs it is running, so it is paused first and
        shut down only once the tick has ended."""
        if self._scheduler.running:
            self._scheduler.pause()
        ticking = self._ticking
        if ticking is not None and not ticking.done():
            done, _ = await asyncio.wait({ticking}, timeout=timeout)
            if not done:
                log.warning(
                    "the dispatch pass did not finish within %.0f s; cancelling it", timeout
                )
                self._cut_off = True
                ticking.cancel()
                await asyncio.wait({ticking})
        self.shutdown()

    def _job_failed(self, event: JobExecutionEvent) -> None:
        self.metrics.job_errors.labels(job=event.job_id).inc()

    async def tick(self) -> None:
        """One pass: settle dead claims, plan who is due, send, remind. A pass `drain` cut off
        ends quietly (APScheduler would log the cancellation as a crash)."""
        self._ticking = task = asyncio.current_task()
        try:
            await self._pass()
        except asyncio.CancelledError:
            if not self._cut_off or task is None:
                raise
            task.uncancel()
            log.info("the dispatch pass was cut off; what it claimed is handed back")

    async def _pass(self) -> None:
        now = self.clock.now()
        await self.audience.refresh_stale()
        await self.recover()
        await self.db.run(lambda session: store.expire_invitations(session=session, now=now))
        await self.db.call(
            plan_due,
            db=self.db,
            now=now,
            cap_timezone=self.settings.digest_timezone,
            guard=self.guard,
        )
        report = await self.dispatcher.run_pass()
        due = await self.db.call(plan_reminders, db=self.db, now=now, guard=self.guard)
        reminded = await self.dispatcher.remind(due)
        owed = await self.db.call(
            plan_announcements,
            db=self.db,
            now=now,
            cap_timezone=self.settings.digest_timezone,
            guard=self.guard,
        )
        told = await Announcer(
            db=self.db,
            channels=dict(self.dispatcher.channels),
            pacing=self.dispatcher.pacing,
            catalogue=self.dispatcher.catalogue,
            company=self.settings.company_name,
            clock=self.clock,
        ).send(owed)
        if report.sent or report.failed or report.uncertain or reminded or told:
            log.info(
                "dispatch: sent %s, failed %s, unreachable %s, uncertain %s, reminded %s, "
                "announcements %s",
                report.sent,
                report.failed,
                report.unreachable,
                report.uncertain,
                reminded,
                told,
            )

    async def recover(self) -> None:
        """Every RECOVERY_INTERVAL, apart from the tick: a dead worker's claims back soon."""
        retried, uncertain = await self.db.call(self.dispatcher.recover)
        if retried or uncertain:
            log.info("stale claims: %s back to pending, %s uncertain", retried, uncertain)

    async def housekeeping(self) -> None:
        """Hourly: delivery marks past the replay window."""
        await self.db.call(
            retention.forget_events, db=self.db, settings=self.settings, now=self.clock.now()
        )

    async def purge_old(self) -> None:
        """Daily: old answer texts (NPSBOT_RETENTION_DAYS), audit entries, delivery marks."""
        await self.db.call(
            retention.purge, db=self.db, settings=self.settings, now=self.clock.now()
        )
