"""The live report: this week's NPS so far, the 12-week trend, open cases, latest comments.

One model for every surface (the Slack App Home, Telegram's `/nps report`), built from the
same store aggregates and `scoring` estimates as the digest, so the two never disagree.
Building it costs a dozen aggregate queries (on a database thread) and a chart (in the
digest's worker process, as drawing holds the interpreter), so `ReportCache` keeps one per
workspace for a short while and builds it off the event loop, one build at a time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import store
from bot.db import Database
from bot.digest import worker
from bot.digest.week import Week
from bot.i18n import build_catalogue
from bot.models import Case, Respondent, Response, Workspace
from bot.settings import Settings
from scoring.chart import render_trend_chart
from scoring.nps import NpsEstimate, estimate
from scoring.quotes import excerpt, mask, name_words
from scoring.trend import DEFAULT_WEEKS, TrendPoint, WeekPoint, trend

MAX_CASES = 10
MAX_COMMENTS = 5
COMMENT_CHARS = 280
KEPT_CHARTS = 64
TTL_SECONDS = 60.0
"""How long a report is reused: opening the Home tab again within it costs no query."""


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One open case: an alerted answer the team has not replied to yet."""

    response_id: int
    score: int
    who: str | None
    """The respondent's name; None in anonymous mode or once they were forgotten."""
    comment: str | None
    owner: str | None


@dataclass(frozen=True, slots=True)
class CommentLine:
    score: int
    text: str


@dataclass(frozen=True, slots=True)
class Report:
    """What the team sees live; `version` changes whenever anything shown changes."""

    workspace_id: int
    title: str
    week_label: str
    week: NpsEstimate
    trend: tuple[TrendPoint, ...]
    chart_png: bytes
    cases: tuple[CaseLine, ...]
    comments: tuple[CommentLine, ...]
    anonymous: bool
    built_at: datetime

    @property
    def version(self) -> str:
        shown = (self.week, self.trend, self.cases, self.comments, self.anonymous)
        return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]

    @property
    def chart_id(self) -> str:
        """Names the chart by its content, so a changed chart is a new image to fetch."""
        return hashlib.sha256(self.chart_png).hexdigest()[:24]


def build_report(*, db: Database, settings: Settings, workspace_id: int, now: datetime) -> Report:
    """Count the current (partial) week and the 11 before it, on a database thread; the
    chart is drawn apart (`draw_chart`), as drawing holds the interpreter for a second."""
    tz = settings.digest_timezone
    current = Week.of(now.astimezone(ZoneInfo(tz)).date(), tz)
    weeks = [current.shifted(offset, tz) for offset in range(-(DEFAULT_WEEKS - 1), 1)]
    with db.session() as session:
        workspace = session.get(Workspace, workspace_id)
        anonymous = settings.anonymous or bool(workspace and workspace.anonymous)
        points = [
            WeekPoint(
                w.start.astimezone(ZoneInfo(tz)).date(),
                store.week_counts(session=session, span=store.Span(w.start, w.end, [workspace_id])),
            )
            for w in weeks
        ]
        cases = store.open_cases(session=session, workspace_id=workspace_id, limit=MAX_CASES)
        comments = store.latest_comments(
            session=session, workspace_id=workspace_id, limit=MAX_COMMENTS
        )
        case_lines = tuple(
            _case(
                response,
                who,
                anonymous,
                store.case_for(session=session, response_id=response.id or 0),
            )
            for response, who in cases
        )
        comment_lines = tuple(_comments(comments, anonymous))
    level = settings.confidence_level
    weekly = trend(points, level=level, end=points[-1].week_start)
    title = f"{settings.company_name} NPS"
    return Report(
        workspace_id=workspace_id,
        title=title,
        week_label=current.label,
        week=estimate(points[-1].counts, level=level),
        trend=tuple(weekly),
        chart_png=b"",
        cases=case_lines,
        comments=comment_lines,
        anonymous=anonymous,
        built_at=now,
    )


def draw_chart(trend: Sequence[TrendPoint], title: str, settings: Settings) -> bytes:
    """The digest's trend chart of the report's weeks (run in the digest worker process,
    which builds the team's phrases from `settings`: a catalogue does not pickle)."""
    return render_trend_chart(trend, title=title, words=build_catalogue(settings).team)


def _name(respondent: Respondent, anonymous: bool) -> str | None:
    if anonymous or store.is_forgotten(respondent):
        return None
    return respondent.display_name or respondent.platform_user_id


def _case(
    response: Response, respondent: Respondent, anonymous: bool, case: Case | None
) -> CaseLine:
    comment = _text(response.comment, respondent, anonymous) if response.comment else None
    return CaseLine(
        response_id=response.id or 0,
        score=response.score,
        who=_name(respondent, anonymous),
        comment=comment,
        owner=case.claimed_by if case else None,
    )


def _comments(rows: Sequence[tuple[Response, Respondent]], anonymous: bool) -> list[CommentLine]:
    return [
        CommentLine(score=response.score, text=_text(response.comment or "", who, anonymous))
        for response, who in rows
    ]


def _text(comment: str, respondent: Respondent, anonymous: bool) -> str:
    """A comment cut for chat; in anonymous mode names, mentions and e-mails masked."""
    text = excerpt(comment, "", max_chars=COMMENT_CHARS)
    if not anonymous:
        return text
    names = [name for name in (respondent.display_name, respondent.platform_user_id) if name]
    return mask(text, names=name_words(names))


class ReportCache:
    """One report per workspace for `ttl` seconds; concurrent opens share one build."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        now: Callable[[], datetime],
        ttl: float = TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.settings = settings
        self.now = now
        self.ttl = ttl
        self.monotonic = monotonic
        self._reports: dict[int, tuple[float, int, Report]] = {}
        self._changes: dict[int, int] = {}
        """Per workspace, how often it was invalidated: a build that began before the latest
        change is not reused after it (it may have read the data before the change)."""
        self._locks: dict[int, asyncio.Lock] = {}
        self._charts: OrderedDict[str, bytes] = OrderedDict()
        self.builds = 0

    async def get(self, workspace_id: int) -> Report:
        async with self._locks.setdefault(workspace_id, asyncio.Lock()):
            cached = self._reports.get(workspace_id)
            changes = self._changes.get(workspace_id, 0)
            if (
                cached is not None
                and cached[1] == changes
                and self.monotonic() - cached[0] < self.ttl
            ):
                return cached[2]
            report = await self.db.call(
                build_report,
                db=self.db,
                settings=self.settings,
                workspace_id=workspace_id,
                now=self.now(),
            )
            chart = await worker.off_loop(
                draw_chart,
                report.trend,
                report.title,
                self.settings,
                fallback=lambda: draw_chart(report.trend, report.title, self.settings),
            )
            report = dataclasses.replace(report, chart_png=chart)
            self._charts[report.chart_id] = chart
            while len(self._charts) > KEPT_CHARTS:
                self._charts.popitem(last=False)
            self.builds += 1
            self._reports[workspace_id] = (self.monotonic(), changes, report)
            return report

    def invalidate(self, workspace_id: int) -> None:
        """After the team acted (a claim), the next open shows it at once (also when a
        build under way read the data before the change)."""
        self._reports.pop(workspace_id, None)
        self._changes[workspace_id] = self._changes.get(workspace_id, 0) + 1

    def chart(self, chart_id: str) -> bytes | None:
        """A recent chart by its content id (served to Slack's image proxy, which may come
        back for one a Home still shows after the report was rebuilt)."""
        return self._charts.get(chart_id)
