"""Who may be asked: joining, leaving, consenting, time zones, reachability, profiles."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import store
from bot.channel import Channel, ChannelError
from bot.clock import Clock
from bot.db import Database
from bot.events import MembershipChanged, Origin, Subscribed, TimezoneSet, Unreachable
from bot.models import Respondent

log = logging.getLogger(__name__)

PROFILE_TTL = timedelta(days=7)
CONSENT = (
    "Hi{name}! You're subscribed to short feedback surveys from {company}: one question "
    "(0-10) and an optional comment, at most once every {days} days. "
    "Send /stop at any time to opt out, /timezone Europe/Berlin to set your time zone, "
    "/help for more."
)
WELCOME_BACK = "Welcome back! You're subscribed to surveys again. Send /stop to opt out."


def parse_deep_link(payload: str) -> dict[str, str]:
    """`plan-pro_region-eu` -> {"plan": "pro", "region": "eu"}.

    Telegram deep links allow only A-Z, a-z, 0-9, _ and -, up to 64 characters: pairs are
    separated by `_`, and a key from its value by the first `-`.
    """
    attributes: dict[str, str] = {}
    for pair in payload.split("_"):
        key, sep, value = pair.partition("-")
        if sep and key and value:
            attributes[key.lower()] = value
    return attributes


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"


class Audience:
    """Keeps respondents in step with what the platforms tell us."""

    def __init__(
        self, *, db: Database, channels: dict[str, Channel], clock: Clock, company: str
    ) -> None:
        self.db = db
        self.channels = channels
        self.clock = clock
        self.company = company

    def _workspace(self, session: store.Session, origin: Origin) -> store.Workspace:
        return store.get_or_create_workspace(
            session=session,
            platform=origin.platform,
            external_id=origin.workspace,
            now=self.clock.now(),
        )

    async def subscribe(self, event: Subscribed) -> str:
        """Consent: add or re-add the person, remember their chat and deep-link attributes."""
        now = self.clock.now()
        with self.db.session() as session:
            workspace = self._workspace(session, event.origin)
            existing = store.find_respondent(
                session=session,
                workspace_id=workspace.id or 0,
                platform_user_id=event.origin.user_id,
            )
            returning = existing is not None and (existing.opted_out or existing.unreachable)
            respondent = store.upsert_respondent(
                session=session,
                workspace=workspace,
                platform_user_id=event.origin.user_id,
                now=now,
                attributes=event.attributes,
                dm_channel=event.chat_id,
                display_name=event.name,
                locale=event.locale,
                active=True,
                unreachable=False,
                unreachable_reason=None,
            )
            respondent.unreachable_reason = None
            if respondent.opted_out:
                store.set_opted_out(
                    session=session, respondent=respondent, opted_out=False, now=now
                )
            days = workspace.cadence_days
        if returning:
            return WELCOME_BACK
        name = f" {event.name}" if event.name else ""
        return CONSENT.format(name=name, company=self.company, days=days)

    async def set_timezone(self, event: TimezoneSet) -> str:
        if not valid_timezone(event.timezone):
            return (
                f"'{event.timezone}' is not a time zone I know. "
                "Use a name like Europe/Berlin or America/New_York."
            )
        with self.db.session() as session:
            workspace = self._workspace(session, event.origin)
            store.upsert_respondent(
                session=session,
                workspace=workspace,
                platform_user_id=event.origin.user_id,
                now=self.clock.now(),
                timezone=event.timezone,
            )
        return f"Time zone set to {event.timezone}. Surveys will arrive in your working hours."

    async def unreachable(self, event: Unreachable) -> None:
        with self.db.session() as session:
            workspace = self._workspace(session, event.origin)
            respondent = store.find_respondent(
                session=session,
                workspace_id=workspace.id or 0,
                platform_user_id=event.origin.user_id,
            )
            if respondent is None:
                return
            respondent.unreachable = True
            respondent.unreachable_reason = event.reason[:200]
            session.add(respondent)
            store.withdraw_pending(
                session=session, respondent_id=respondent.id or 0, reason="unreachable"
            )

    async def membership(self, event: MembershipChanged) -> None:
        """Channel joins and leaves keep the audience of a synced channel current."""
        with self.db.session() as session:
            workspace = self._workspace(session, event.origin)
            if not store.is_audience_source(
                session=session, workspace_id=workspace.id or 0, chat_id=event.chat_id
            ):
                return
        if event.joined:
            profile = await self.channels[event.origin.platform].fetch_profile(
                user_id=event.origin.user_id
            )
            if profile is not None and not profile.is_human:
                return
        with self.db.session() as session:
            workspace = self._workspace(session, event.origin)
            if event.joined:
                store.upsert_respondent(
                    session=session,
                    workspace=workspace,
                    platform_user_id=event.origin.user_id,
                    now=self.clock.now(),
                    active=True,
                )
                return
            leaving = store.find_respondent(
                session=session,
                workspace_id=workspace.id or 0,
                platform_user_id=event.origin.user_id,
            )
            if leaving is not None:
                leaving.active = False
                session.add(leaving)

    async def refresh_profile(
        self, respondent_id: int, *, force: bool = False
    ) -> Respondent | None:
        """Fetch name, time zone and locale from the platform when the cache is stale."""
        now = self.clock.now()
        with self.db.session() as session:
            respondent = session.get(Respondent, respondent_id)
            if respondent is None:
                return None
            fresh = (
                respondent.profile_refreshed_at
                and now - respondent.profile_refreshed_at < PROFILE_TTL
            )
            if fresh and not force:
                return respondent
            platform, user_id = respondent.platform, respondent.platform_user_id
        profile = await self.channels[platform].fetch_profile(user_id=user_id)
        with self.db.session() as session:
            respondent = session.get(Respondent, respondent_id)
            assert respondent is not None
            if profile is not None:
                respondent.display_name = profile.display_name or respondent.display_name
                respondent.timezone = profile.timezone or respondent.timezone
                respondent.locale = profile.locale or respondent.locale
                if profile.email:
                    respondent.email = profile.email
                    respondent.person_key = respondent.person_key or profile.email.lower()
                if profile.deleted:
                    respondent.unreachable = True
                    respondent.unreachable_reason = "account deactivated"
            respondent.profile_refreshed_at = now
            session.add(respondent)
            return respondent

    async def refresh_stale(self, *, limit: int = 50) -> int:
        """Refresh the profiles most out of date (never fetched first), a few per pass."""
        cutoff = self.clock.now() - PROFILE_TTL
        with self.db.session() as session:
            ids = store.stale_profiles(session=session, cutoff=cutoff, limit=limit)
        for respondent_id in ids:
            try:
                await self.refresh_profile(respondent_id, force=True)
            except ChannelError:
                log.warning("profile of respondent %s could not be refreshed", respondent_id)
        return len(ids)
