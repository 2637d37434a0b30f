"""Routes platform-neutral events to the part of the core that owns them.

Adapters call `handle` and show the returned text (if any) to the person who acted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.admin import Admin
from bot.admin_parse import is_report
from bot.answer import Stored
from bot.audience import Audience
from bot.case_actions import CaseActions
from bot.events import (
    AccessRevoked,
    AdminCommand,
    AlertClaimed,
    AlertReplied,
    AlertReplyStarted,
    AnnouncementStarted,
    AnnouncementWritten,
    CaseResolved,
    CommentSubmitted,
    Event,
    ExportRequested,
    FollowupSkipped,
    ForgetRequested,
    HelpRequested,
    HomeOpened,
    LanguageSet,
    MembershipChanged,
    OptOutRequested,
    RemindLater,
    ScoreSubmitted,
    Subscribed,
    TargetMigrated,
    TargetRemoved,
    ThreadReplied,
    TimezoneSet,
    Unreachable,
)
from bot.home import Home
from bot.metrics import Metrics
from bot.privacy import Privacy
from bot.sanitize import clean_event
from bot.survey import Survey
from bot.targets import Targets


class Router:
    """One entry point for every adapter."""

    def __init__(
        self,
        *,
        survey: Survey,
        admin: Admin,
        audience: Audience,
        cases: CaseActions,
        targets: Targets,
        privacy: Privacy,
        home: Home,
        metrics: Metrics | None = None,
        revoked: Callable[[AccessRevoked], Awaitable[None]] | None = None,
    ) -> None:
        self.survey = survey
        self.admin = admin
        self.audience = audience
        self.cases = cases
        self.privacy = privacy
        self.home = home
        self.metrics = metrics or Metrics()
        self.revoked = revoked
        """Told when a platform withdraws the bot's access (the wiring pauses sending)."""
        self.targets = targets

    async def store(self, event: ScoreSubmitted | CommentSubmitted) -> Stored:
        """An answer stored in its one transaction, its effects left to run (`bot.inbound`)."""
        cleaned = clean_event(event)
        assert isinstance(cleaned, ScoreSubmitted | CommentSubmitted)
        stored = await self.survey.store(cleaned)
        if stored.outcome.recorded:
            self._count(cleaned)
        return stored

    def _count(self, event: ScoreSubmitted | CommentSubmitted) -> None:
        if isinstance(event, ScoreSubmitted):
            self.metrics.response(score=event.score, platform=event.origin.platform)
        else:
            self.metrics.comments.labels(platform=event.origin.platform).inc()

    async def handle(self, event: Event) -> str | None:
        """Act on the event; return text for the actor, or None when nothing needs saying."""
        event = clean_event(event)
        match event:
            case ScoreSubmitted():
                scored = await self.survey.on_score(event)
                if scored.recorded:
                    self._count(event)
                return scored.tell
            case CommentSubmitted():
                if (await self.survey.on_comment(event)).recorded:
                    self._count(event)
                return None
            case FollowupSkipped():
                return (await self.survey.on_skip(event)).tell
            case OptOutRequested():
                await self.survey.on_opt_out(event)
                return None
            case RemindLater():
                return await self.survey.on_remind_later(event)
            case AdminCommand() if is_report(event.text):
                return await self.home.report(event)
            case AdminCommand():
                return await self.admin.handle(event)
            case Subscribed():
                return await self.audience.subscribe(event)
            case TimezoneSet():
                return await self.audience.set_timezone(event)
            case LanguageSet():
                return await self.audience.set_language(event)
            case HelpRequested():
                return await self.audience.help(event)
            case ForgetRequested():
                return await self.privacy.forget(event)
            case ExportRequested():
                return await self.privacy.export(event)
            case HomeOpened():
                await self.home.opened(event)
                return None
            case AccessRevoked():
                if self.revoked is not None:
                    await self.revoked(event)
                return None
            case Unreachable():
                await self.audience.unreachable(event)
                return None
            case MembershipChanged():
                await self.audience.membership(event)
                return None
            case AlertClaimed():
                return await self.cases.claim(event)
            case AlertReplyStarted():
                return await self.cases.refusal(event)
            case AlertReplied():
                return await self.cases.reply(event)
            case AnnouncementStarted():
                return await self.admin.announcement_refusal(event)
            case AnnouncementWritten():
                return await self.admin.announce(event)
            case CaseResolved():
                return await self.cases.resolve(event)
            case ThreadReplied():
                return await self.cases.thread_reply(event)
            case TargetMigrated():
                await self.targets.migrated(event)
                return None
            case TargetRemoved():
                await self.targets.removed(event)
                return None
