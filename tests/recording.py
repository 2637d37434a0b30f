"""A channel that records what the core asked it to do: the test double for core tests.

Adapters are tested against the platform sandboxes instead; this stands in only where the
platform is beside the point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Any

from bot.app import NpsBot
from bot.channel import (
    Alert,
    Channel,
    Followup,
    MessageRef,
    Profile,
    Question,
    Recipient,
    RecipientUnreachable,
)
from bot.clock import Clock
from bot.db import Database
from bot.settings import Settings

PLATFORMS = ("slack", "telegram")


@dataclass
class RecordingChannel(Channel):
    platform: str = "slack"
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)
    profiles: dict[str, Profile] = field(default_factory=dict)
    _ids: count = field(default_factory=lambda: count(1))

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [payload for name, payload in self.sent if name == kind]

    async def send_question(self, *, recipient: Recipient, question: Question) -> MessageRef:
        if recipient.user_id in self.unreachable:
            raise RecipientUnreachable("Forbidden: bot was blocked by the user")
        ref = MessageRef(chat_id=f"D{recipient.user_id}", message_id=str(next(self._ids)))
        self.sent.append(("question", {"to": recipient.user_id, "question": question, "ref": ref}))
        return ref

    async def show_score(self, *, ref: MessageRef, question: Question, score: int) -> None:
        self.sent.append(("show_score", {"ref": ref, "score": score}))

    async def ask_followup(
        self, *, recipient: Recipient, ref: MessageRef, followup: Followup
    ) -> None:
        self.sent.append(("followup", {"to": recipient.user_id, "text": followup.text}))

    async def send_text(self, *, recipient: Recipient, text: str) -> None:
        self.sent.append(("text", {"to": recipient.user_id, "text": text}))

    async def post_digest(self, *, chat_id: str, digest: Any, chart_png: bytes) -> None:
        self.sent.append(("digest", {"chat": chat_id, "digest": digest, "png": chart_png}))

    async def fetch_profile(self, *, user_id: str) -> Profile | None:
        return self.profiles.get(user_id)

    async def channel_members(self, *, chat_id: str) -> list[Profile]:
        return list(self.profiles.values())

    async def post_alert(self, *, chat_id: str, alert: Alert) -> MessageRef | None:
        self.sent.append(("alert", {"chat": chat_id, "alert": alert}))
        return MessageRef(chat_id=chat_id, message_id=str(next(self._ids)))

    async def update_alert(self, *, ref: MessageRef, alert: Alert) -> None:
        self.sent.append(("alert_update", {"ref": ref, "alert": alert}))


def recording_bot(
    settings: Settings, *, db: Database, clock: Clock, platforms: tuple[str, ...] = PLATFORMS
) -> tuple[NpsBot, RecordingChannel]:
    """The core with no adapter: every service talks to one recording channel instead."""
    bot = NpsBot(settings, db=db, clock=clock, platforms=[])
    channel = RecordingChannel()
    for service in (bot.survey, bot.dispatcher, bot.digests, bot.audience, bot.alerts, bot.admin):
        for platform in platforms:
            service.channels[platform] = channel
    return bot, channel
