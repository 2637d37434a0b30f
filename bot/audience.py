"""Who may be asked: joining, leaving, consenting, time zones, reachability, profiles."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from bot import store
from bot.channel import Channel, ChannelError
from bot.clock import Clock
from bot.db import Database
from bot.events import (
    HelpRequested,
    LanguageSet,
    MembershipChanged,
    Origin,
    Subscribed,
    TimezoneSet,
    Unreachable,
)
from bot.i18n import Catalogue, Words, display_name, normalise, supported_list
from bot.models import Respondent, Workspace

log = logging.getLogger(__name__)

PROFILE_TTL = timedelta(days=7)
FOLLOW_PLATFORM = "auto"
"""`/language auto` drops the explicit choice: the platform's language applies again."""


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
        self,
        *,
        db: Database,
        channels: dict[str, Channel],
        clock: Clock,
        company: str,
        catalogue: Catalogue,
    ) -> None:
        self.db = db
        self.channels = channels
        self.clock = clock
        self.company = company
        self.catalogue = catalogue

    def _workspace(self, session: Session, origin: Origin) -> Workspace:
        return store.get_or_create_workspace(
            session=session,
            platform=origin.platform,
            external_id=origin.workspace,
            now=self.clock.now(),
        )

    async def subscribe(self, event: Subscribed) -> str:
        """Consent: add or re-add the person, remember their chat and deep-link attributes."""
        now = self.clock.now()

        def write(session: Session) -> tuple[bool, int, Words]:
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
            return returning, workspace.cadence_days, self._words(respondent)

        returning, days, words = await self.db.run(write)
        if returning:
            return words.t("start.welcome_back")
        if event.name:
            return words.t("start.consent_named", name=event.name, company=self.company, days=days)
        return words.t("start.consent", company=self.company, days=days)

    def _words(self, respondent: Respondent | None, locale: str | None = None) -> Words:
        """The person's language; `locale` (from the update) for someone not yet known."""
        if respondent is None:
            return self.catalogue.words(locale)
        return self.catalogue.for_person(
            explicit=respondent.language, platform=respondent.locale or locale
        )

    async def _known(self, origin: Origin) -> Respondent | None:
        return await self.db.run(
            lambda session: store.respondent_at(
                session=session,
                platform=origin.platform,
                external_id=origin.workspace,
                platform_user_id=origin.user_id,
            )
        )

    async def help(self, event: HelpRequested) -> str:
        words = self._words(await self._known(event.origin), event.locale)
        return words.t("help.respondent", company=self.company)

    async def set_language(self, event: LanguageSet) -> str:
        """Store an explicit language; an unknown code gets a one-line list of the known ones."""
        respondent = await self._known(event.origin)
        words = self._words(respondent, event.locale)
        requested = event.language.strip()
        if not requested:
            current = words.language
            return words.t(
                "language.usage", language=display_name(current), languages=supported_list()
            )
        chosen = None if requested.lower() == FOLLOW_PLATFORM else normalise(requested)
        if chosen is None and requested.lower() != FOLLOW_PLATFORM:
            return words.t("language.unknown", code=requested[:20], languages=supported_list())
        if respondent is None:
            return words.t("language.not_subscribed")
        respondent_id = respondent.id

        def write(session: Session) -> Respondent:
            stored = session.get(Respondent, respondent_id)
            assert stored is not None
            stored.language = chosen
            session.add(stored)
            return stored

        words = self._words(await self.db.run(write), event.locale)
        return words.t("language.set", language=display_name(words.language))

    async def set_timezone(self, event: TimezoneSet) -> str:
        words = self._words(await self._known(event.origin), event.locale)
        if not event.timezone:
            return words.t("timezone.usage")
        if not valid_timezone(event.timezone):
            return words.t("timezone.unknown", timezone=event.timezone[:64])

        def write(session: Session) -> None:
            workspace = self._workspace(session, event.origin)
            store.upsert_respondent(
                session=session,
                workspace=workspace,
                platform_user_id=event.origin.user_id,
                now=self.clock.now(),
                timezone=event.timezone,
            )

        await self.db.run(write)
        return words.t("timezone.set", timezone=event.timezone)

    async def unreachable(self, event: Unreachable) -> None:
        await self.db.run(self._mark_unreachable, event)

    def _mark_unreachable(self, session: Session, event: Unreachable) -> None:
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
        if not await self.db.run(self._synced, event):
            return
        if event.joined:
            profile = await self.channels[event.origin.platform].fetch_profile(
                user_id=event.origin.user_id
            )
            if profile is not None and not profile.is_human:
                return
        await self.db.run(self._record_membership, event)

    def _synced(self, session: Session, event: MembershipChanged) -> bool:
        workspace = self._workspace(session, event.origin)
        return store.is_audience_source(
            session=session, workspace_id=workspace.id or 0, chat_id=event.chat_id
        )

    def _record_membership(self, session: Session, event: MembershipChanged) -> None:
        """A join adds the person, unless they had their data deleted (`/forget`): joining a
        channel is not asking to be surveyed again."""
        workspace = self._workspace(session, event.origin)
        if event.joined:
            if store.forgotten_among(
                session=session,
                workspace_id=workspace.id or 0,
                platform=event.origin.platform,
                user_ids=[event.origin.user_id],
            ):
                return
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
        cached = await self.db.run(lambda session: session.get(Respondent, respondent_id))
        if cached is None:
            return None
        fresh = cached.profile_refreshed_at and now - cached.profile_refreshed_at < PROFILE_TTL
        if fresh and not force:
            return cached
        profile = await self.channels[cached.platform].fetch_profile(
            user_id=cached.platform_user_id
        )

        def write(session: Session) -> Respondent:
            # Locked (PostgreSQL): a forget committing between a plain read and the UPDATE
            # would have its erased row given the name and e-mail back.
            respondent = session.get(Respondent, respondent_id, with_for_update=True)
            assert respondent is not None
            if respondent.platform_user_id != cached.platform_user_id:
                return respondent  # forgotten while the profile was fetched: write nothing back
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

        return await self.db.run(write)

    async def refresh_stale(self, *, limit: int = 50) -> int:
        """Refresh the profiles most out of date (never fetched first), a few per pass."""
        cutoff = self.clock.now() - PROFILE_TTL
        ids = await self.db.run(
            lambda session: store.stale_profiles(session=session, cutoff=cutoff, limit=limit)
        )
        for respondent_id in ids:
            try:
                await self.refresh_profile(respondent_id, force=True)
            except ChannelError:
                log.warning("profile of respondent %s could not be refreshed", respondent_id)
        return len(ids)
