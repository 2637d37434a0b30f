"""Privacy a person can exercise: "Delete my data" and "Export my data", from the chat
(Telegram `/forget`, `/mydata`; Slack's respondent help) or by an admin on the CLI.

One core operation per right, so every surface (chat, App Home, CLI) does the same thing:
`forget_person` erases identity, comments and conversations in every workspace and keeps
anonymous scores; `export_person` gathers what is stored as one JSON document.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import store
from bot.alerts import Alerts
from bot.answer import recipient_of, words_for
from bot.channel import Channel, ChannelError, Recipient
from bot.clock import Clock
from bot.db import Database
from bot.events import ExportRequested, ForgetRequested, Origin
from bot.i18n import Catalogue, Words
from bot.models import Workspace

log = logging.getLogger(__name__)

EXPORT_NAME = "npsbot-my-data.json"


@dataclass(frozen=True, slots=True)
class Forgotten:
    """How many rows (one per workspace) were erased, and which alerts to redraw."""

    people: int
    alerted: list[int]


def forget_person(
    *, db: Database, platform: str, user_id: str, actor: str, now: datetime
) -> Forgotten:
    """Erase one platform user everywhere; each workspace's audit log records that it
    happened (never whom)."""
    alerted: list[int] = []
    with db.session() as session:
        rows = store.respondents_of_user(
            session=session, platform=platform, platform_user_id=user_id
        )
        for respondent in rows:
            alerted += store.forget_respondent(session=session, respondent=respondent, now=now)
            store.audit(
                session=session,
                workspace_id=respondent.workspace_id,
                actor=actor if actor != f"{platform}:{user_id}" else "the person",
                action="privacy forget",
                detail=f"a person's data was erased ({respondent.platform_user_id})",
                now=now,
            )
    return Forgotten(people=len(rows), alerted=alerted)


def export_person(*, db: Database, platform: str, user_id: str) -> dict[str, Any] | None:
    """Everything stored about one platform user, per workspace; None when nothing is."""
    with db.session() as session:
        rows = store.respondents_of_user(
            session=session, platform=platform, platform_user_id=user_id
        )
        if not rows:
            return None
        workspaces = []
        for respondent in rows:
            workspace = session.get(Workspace, respondent.workspace_id)
            record = store.person_record(session=session, respondent=respondent)
            workspaces.append({"workspace": workspace.name if workspace else "", **record})
    return {"platform": platform, "user_id": user_id, "workspaces": workspaces}


def export_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


class Privacy:
    """The chat side of the two rights: confirm, erase, redraw alerts; gather and send."""

    def __init__(self, *, alerts: Alerts) -> None:
        """Forgetting redraws the person's alerts, so this shares the alert service's
        database, channels, clock and catalogue."""
        self.alerts = alerts
        self.db: Database = alerts.db
        self.channels: dict[str, Channel] = alerts.channels
        self.clock: Clock = alerts.clock
        self.catalogue: Catalogue = alerts.catalogue

    async def _words(self, origin: Origin, locale: str | None) -> tuple[Words, Recipient]:
        return await self.db.call(self._words_now, origin, locale)

    def _words_now(self, origin: Origin, locale: str | None) -> tuple[Words, Recipient]:
        with self.db.session() as session:
            respondent = store.respondent_at(
                session=session,
                platform=origin.platform,
                external_id=origin.workspace,
                platform_user_id=origin.user_id,
            )
            if respondent is None:
                recipient = Recipient(user_id=origin.user_id, locale=locale)
            else:
                recipient = recipient_of(respondent)
        return words_for(self.catalogue, recipient), recipient

    async def forget(self, event: ForgetRequested) -> str:
        words, _ = await self._words(event.origin, event.locale)
        if not event.confirmed:
            return words.t("privacy.forget_confirm")
        origin = event.origin
        forgotten = await self.db.call(
            forget_person,
            db=self.db,
            platform=origin.platform,
            user_id=origin.user_id,
            actor=f"{origin.platform}:{origin.user_id}",
            now=self.clock.now(),
        )
        for response_id in forgotten.alerted:
            await self.alerts.score_changed(response_id)
        log.info("a person's data was erased on request (%d row(s))", forgotten.people)
        return words.t("privacy.forgotten")

    async def export(self, event: ExportRequested) -> str | None:
        """Sends the file itself; returns text only when there is nothing or it failed."""
        words, recipient = await self._words(event.origin, event.locale)
        origin = event.origin
        document = await self.db.call(
            export_person, db=self.db, platform=origin.platform, user_id=origin.user_id
        )
        if document is None:
            return words.t("privacy.nothing_stored")
        try:
            await self.channels[origin.platform].send_file(
                recipient=recipient,
                filename=EXPORT_NAME,
                data=export_bytes(document),
                caption=words.t("privacy.export_caption"),
            )
        except ChannelError as exc:
            log.warning("data export could not be sent: %s", exc)
            return words.t("privacy.export_failed")
        return None
