"""Building the weekly digest from the database and posting it to every digest target."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import store
from bot.channel import Channel, ChannelError, TargetUnavailable
from bot.clock import Clock
from bot.db import Database
from bot.digest import worker
from bot.digest.gather import gather
from bot.digest.week import Week
from bot.i18n import Catalogue, build_catalogue
from bot.metrics import Metrics
from bot.models import Workspace
from bot.settings import Settings
from bot.targets import target_problem
from scoring.chart import render_trend_chart
from scoring.digest import Digest, compose
from scoring.digest import wording as say
from scoring.trend import WeekPoint, trend

log = logging.getLogger(__name__)


class Digests:
    """One company-wide digest a week, posted to each workspace's digest channels."""

    def __init__(
        self,
        *,
        db: Database,
        channels: dict[str, Channel],
        settings: Settings,
        clock: Clock,
        metrics: Metrics | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        """`catalogue` defaults to the one `settings` describe (as the digest worker builds it)."""
        self.db = db
        self.words = (catalogue or build_catalogue(settings)).team
        self.channels = channels
        self.settings = settings
        self.clock = clock
        self.metrics = metrics or Metrics()

    def week_of(self, label: str | None = None) -> Week:
        """The named ISO week, or the last complete one (a Monday digest covers last week)."""
        tz = self.settings.digest_timezone
        if label is not None:
            return Week.parse(label, tz)
        today = self.clock.now().astimezone(ZoneInfo(tz)).date()
        return Week.of(today - timedelta(days=7), tz)

    def build(self, week: Week) -> tuple[Digest, bytes]:
        """Compose the digest for `week` and draw its trend chart."""
        with self.metrics.digest_seconds.time():
            return self._build(week)

    def _build(self, week: Week) -> tuple[Digest, bytes]:
        with self.db.session() as session:
            anonymous = self.settings.anonymous or any(
                ws.anonymous for ws in store.list_workspaces(session=session)
            )
        company, level = self.settings.company_name, self.settings.confidence_level
        # On PostgreSQL the week's queries mostly wait on the server, so the chart is drawn
        # meanwhile, in a thread. SQLite's run in this process and need the interpreter as
        # much as drawing does: in a thread beside them, the build took a fifth longer.
        overlap = self.db.is_postgres
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="digest-chart") as drawing:
            charts: list[Callable[[], bytes]] = []

            def draw(weekly: Sequence[WeekPoint]) -> None:
                # The digest's own trend (`compose` makes it from the same counts); the chart
                # adds its span of weeks under the title, in the team's language.
                render = partial(
                    render_trend_chart,
                    trend(weekly, level=level),
                    title=say.company_title(company),
                    words=self.words,
                )
                charts.append(drawing.submit(render).result if overlap else render)

            data = gather(
                self.db,
                company=company,
                week=week,
                tz=self.settings.digest_timezone,
                names=anonymous,  # read only to be redacted
                on_weekly=draw,
                closed_before=self.clock.now(),
            )
            digest = compose(
                data, level=level, min_group=self.settings.min_group_size, anonymous=anonymous
            )
            return digest, charts[0]()

    async def post_now(self, *, workspace_id: int) -> int:
        """`/nps digest now`: the latest digest to this workspace's digest channels."""
        return await self._post([workspace_id], self.week_of())

    async def post_weekly(self, *, week: Week | None = None) -> int:
        """The scheduled digest, to every workspace's digest channels."""
        workspaces = await self.db.run(lambda session: store.list_workspaces(session=session))
        ids = [ws.id for ws in workspaces if ws.id is not None]
        return await self._post(ids, week or self.week_of())

    async def build_off_loop(self, week: Week) -> tuple[Digest, bytes]:
        """`build`, in the digest worker process (see `bot.digest.worker`)."""
        with self.metrics.digest_seconds.time():
            return await worker.off_loop(
                worker.build_digest, self.settings, week, fallback=lambda: self._build(week)
            )

    async def _post(self, workspace_ids: list[int], week: Week) -> int:
        digest, chart = await self.build_off_loop(week)
        posted = 0
        now = self.clock.now()
        for workspace_id in workspace_ids:
            platform, chat_ids = await self.db.run(_digest_targets, workspace_id)
            channel = self.channels.get(platform)
            if channel is None:
                continue
            for chat_id in chat_ids:
                hint: str | None = None
                try:
                    await channel.post_digest(chat_id=chat_id, digest=digest, chart_png=chart)
                    posted += 1
                except TargetUnavailable as exc:
                    hint = exc.hint
                    log.error("digest could not be posted to %s: %s", chat_id, exc)
                except ChannelError:
                    log.exception("digest could not be posted to %s", chat_id)
                problem = target_problem(self.words, "digest", chat_id, hint)
                await self.db.run(_noted, workspace_id, problem)
            if chat_ids:
                await self.db.run(_digested, workspace_id, now)
        return posted


def _digest_targets(session: Session, workspace_id: int) -> tuple[str, list[str]]:
    """A workspace's platform and the chats its digest goes to."""
    workspace = session.get(Workspace, workspace_id)
    assert workspace is not None, "digests go to workspaces that exist"
    targets = store.targets(session=session, workspace_id=workspace_id, kind="digest")
    return workspace.platform, [target.chat_id for target in targets]


def _noted(session: Session, workspace_id: int, problem: str | None) -> None:
    store.note_target(session=session, workspace_id=workspace_id, kind="digest", problem=problem)


def _digested(session: Session, workspace_id: int, now: datetime) -> None:
    workspace = session.get(Workspace, workspace_id)
    assert workspace is not None, "digests go to workspaces that exist"
    workspace.last_digest_at = now
    session.add(workspace)
