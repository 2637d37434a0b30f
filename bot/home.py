"""The live Home: who sees the team's report and who sees their own privacy view.

Admins (NPSBOT_ADMINS, workspace admins) and team leads (members of the workspace's
alerts or digest chats, the same people `bot.team_access` lets act on alerts) get the live
report; everyone else what the app is, what it stores about them, and their rights.

Opening the Home is cheap by design: the report comes from `ReportCache` (one build per
workspace a minute), team-chat members are cached as long, and a view is published only
when it differs from the one the person already has, so a team opening the tab all day
stays far inside `views.publish`'s Tier 4 (about 100 a minute per workspace). After every
case step (`case_changed`) the Homes teammates have open are republished where they changed,
within the same budget (`bot.home_refresh`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot import store
from bot.answer import recipient_of, words_for
from bot.channel import Channel, ChannelError, Recipient
from bot.db import Database
from bot.events import AdminCommand, HomeOpened, Origin
from bot.home_refresh import Pace, Viewers
from bot.home_view import HomeView, PersonHome, StoredAbout, TeamHome
from bot.i18n import Catalogue
from bot.report import ReportCache
from bot.settings import Settings
from bot.team_access import TEAM_KINDS

log = logging.getLogger(__name__)

CHART_PATH = "/charts/{chart_id}.png"
MEMBERS_TTL = 60.0
REMEMBERED_VIEWS = 10_000


class Home:
    """Builds and publishes each person's Home; posts the report on `/nps report`."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        channels: dict[str, Channel],
        catalogue: Catalogue,
        reports: ReportCache,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.settings = settings
        self.channels = channels
        self.catalogue = catalogue
        self.reports = reports
        self.monotonic = monotonic
        self._members: dict[tuple[str, str], tuple[float, frozenset[str]]] = {}
        self._published: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self.viewers = Viewers(monotonic=monotonic)
        self.pace = Pace(monotonic=monotonic)
        self._refreshing: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()
        self.refreshed = 0
        """Homes republished after a case changed (for tests and metrics)."""

    # -- the Slack App Home ----------------------------------------------------------------

    async def opened(self, event: HomeOpened) -> None:
        origin = event.origin
        channel = self.channels[origin.platform]
        workspace_id, chats = await self.db.run(self._workspace, origin)
        team_chat = await self._team_chat(channel, chats, origin.user_id)
        admin = event.platform_admin or origin.user_id in self.settings.admin_ids
        view: HomeView
        key = (origin.platform, origin.workspace, origin.user_id)
        if admin or team_chat is not None:
            if event.refresh:
                self.reports.invalidate(workspace_id)
            chat_id = team_chat or next(iter(chats), None)
            view = await self.team_view(workspace_id, chat_id)
            self.viewers.saw(workspace_id, key, chat_id)
        else:
            view = await self.db.run(self._person_view, origin, event.locale)
            self.viewers.left(workspace_id, key)
        if not event.refresh and self._published.get(key) == view.version:
            return
        self.pace.take(workspace_id)  # spent, whatever is left: the person is looking
        await self._publish(channel, key, view)

    async def _publish(self, channel: Channel, key: tuple[str, str, str], view: HomeView) -> None:
        await channel.publish_home(user_id=key[2], home=view)
        self._published[key] = view.version
        self._published.move_to_end(key)
        while len(self._published) > REMEMBERED_VIEWS:
            self._published.popitem(last=False)

    # -- live: a case changed ----------------------------------------------------------

    def case_changed(self, workspace_id: int) -> None:
        """A case of the workspace was opened, claimed, replied to or resolved: the next
        report is built afresh, and the Homes open on it are republished (`bot.home_refresh`)
        in the background; changes arriving meanwhile are caught up by one more round."""
        self.reports.invalidate(workspace_id)
        if not self.viewers.current(workspace_id):
            return
        if workspace_id in self._refreshing:
            self._again.add(workspace_id)
            return
        self._refreshing[workspace_id] = asyncio.create_task(self._refresh(workspace_id))

    async def _refresh(self, workspace_id: int) -> None:
        """Rounds until no change came in during the last one (a background task: whatever
        goes wrong is logged, and the next open publishes anyway)."""
        try:
            while True:
                self._again.discard(workspace_id)
                await self._republish(workspace_id)
                if workspace_id not in self._again:
                    return
        except Exception:
            log.exception("open Homes of workspace %s not refreshed", workspace_id)
        finally:
            self._refreshing.pop(workspace_id, None)

    async def _republish(self, workspace_id: int) -> None:
        viewers = self.viewers.current(workspace_id)
        skipped = 0
        for viewer in viewers:
            view = await self.team_view(workspace_id, viewer.chat_id)
            if self._published.get(viewer.key) == view.version:
                continue
            # Once the budget says no, every older viewer waits too, even if a token came
            # back meanwhile (the publishes take time): the newest are refreshed first.
            if skipped or not self.pace.refresh_allowed(workspace_id):
                skipped += 1
                continue
            try:
                await self._publish(self.channels[viewer.key[0]], viewer.key, view)
            except ChannelError as exc:  # this person's Home (a deactivated user): not others'
                log.warning("the open Home of %s not refreshed: %s", viewer.key[2], exc)
                self.viewers.left(workspace_id, viewer.key)
                continue
            self.refreshed += 1
        if skipped:
            log.info("%d open Home(s) left for their next open: views.publish budget", skipped)

    async def idle(self) -> None:
        """Wait for the refreshes under way (tests)."""
        while self._refreshing:
            await asyncio.gather(*self._refreshing.values(), return_exceptions=True)

    async def stop(self) -> None:
        """At shutdown a refresh is not worth waiting for: the next open publishes anyway."""
        for task in list(self._refreshing.values()):
            task.cancel()
        await asyncio.gather(*self._refreshing.values(), return_exceptions=True)

    async def team_view(self, workspace_id: int, chat_id: str | None) -> TeamHome:
        report = await self.reports.get(workspace_id)
        public = self.settings.public_url
        chart_url = None
        if public and report.chart_png:
            chart_url = public.rstrip("/") + CHART_PATH.format(chart_id=report.chart_id)
        return TeamHome(
            report=report, words=self.catalogue.team, chat_id=chat_id, chart_url=chart_url
        )

    def _workspace(self, session: Session, origin: Origin) -> tuple[int, list[str]]:
        workspace = store.find_workspace(
            session=session, platform=origin.platform, external_id=origin.workspace
        )
        if workspace is None or workspace.id is None:
            raise store.UnknownWorkspace(f"{origin.platform} workspace {origin.workspace}")
        chats = [
            target.chat_id
            for kind in TEAM_KINDS
            for target in store.targets(session=session, workspace_id=workspace.id, kind=kind)
        ]
        return workspace.id, list(dict.fromkeys(chats))

    async def _team_chat(self, channel: Channel, chats: list[str], user_id: str) -> str | None:
        """The first team chat the person is a member of, from a minute-old member list."""
        for chat_id in chats:
            key = (channel.platform, chat_id)
            cached = self._members.get(key)
            if cached is None or self.monotonic() - cached[0] >= MEMBERS_TTL:
                try:
                    members = await channel.member_ids(chat_id=chat_id)
                except ChannelError as exc:
                    log.warning("members of team chat %s unknown: %s", chat_id, exc)
                    continue
                cached = self._members[key] = (self.monotonic(), members)
            if user_id in cached[1]:
                return chat_id
        return None

    def _person_view(self, session: Session, origin: Origin, locale: str | None) -> PersonHome:
        rows = store.respondents_of_user(
            session=session, platform=origin.platform, platform_user_id=origin.user_id
        )
        company = self.settings.company_name
        if not rows:
            recipient = Recipient(user_id=origin.user_id, locale=locale)
            return PersonHome(words_for(self.catalogue, recipient), company, None)
        records = [store.person_record(session=session, respondent=row) for row in rows]
        responses = [response for record in records for response in record["responses"]]
        first = rows[0]
        stored = StoredAbout(
            name=first.display_name,
            timezone=first.timezone,
            language=first.language or first.locale,
            answers=len(responses),
            comments=sum(1 for response in responses if response["comment"]),
            opted_out=all(row.opted_out for row in rows),
        )
        return PersonHome(words_for(self.catalogue, recipient_of(first)), company, stored)

    # -- Telegram's /nps report ------------------------------------------------------------

    async def report(self, event: AdminCommand) -> str | None:
        """Post the live report in a team chat; refused anywhere else (unless an admin)."""
        origin = event.origin
        team = self.catalogue.team
        try:
            workspace_id, chats = await self.db.run(self._workspace, origin)
        except store.UnknownWorkspace:
            return team.t("report.not_team")
        if event.chat_id not in chats and origin.user_id not in self.settings.admin_ids:
            log.warning("/nps report refused in chat %s", event.chat_id)
            return team.t("report.not_team")
        channel = self.channels[origin.platform]
        if not channel.posts_reports:
            return team.t("report.use_home")
        home = await self.team_view(workspace_id, event.chat_id)
        try:
            await channel.post_report(chat_id=event.chat_id, home=home)
        except ChannelError as exc:
            log.warning("report not posted to %s: %s", event.chat_id, exc)
            return team.t("team.command_failed")
        return None


def chart_route(reports: ReportCache) -> Route:
    """`GET /charts/<id>.png`: the trend chart of a cached report, for Slack to fetch.

    Slack shows an image block only from a public URL or a file the viewer can already
    open; the ids are content hashes of charts the bot published (nothing guessable beyond
    aggregate NPS), and a new chart gets a new URL, so Slack's image cache never goes stale.
    """

    async def chart(request: Request) -> Response:
        png = reports.chart(str(request.path_params["chart_id"]))
        if png is None:
            return Response(status_code=404)
        return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=3600"})

    return Route(CHART_PATH.replace("{chart_id}", "{chart_id:str}"), chart, methods=["GET"])
