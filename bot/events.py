"""Platform-neutral events: what adapters hand the core after reading a payload."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Platform(StrEnum):
    """The chat platforms npsbot speaks; the value is what `platform` fields and columns hold."""

    SLACK = "slack"
    TELEGRAM = "telegram"


@dataclass(frozen=True, slots=True)
class Origin:
    """Who acted, where, and which delivery carried it (for deduplication)."""

    platform: str
    workspace: str
    user_id: str
    delivery_id: str | None = None


@dataclass(frozen=True, slots=True)
class ScoreSubmitted:
    origin: Origin
    invitation_id: int
    score: int
    shown_chat: str | None = None
    shown_message: str | None = None
    """The message the button was pressed on: the platform shows it before the bot hears
    back from its send, so a click may come before the invitation knows where it lives."""


@dataclass(frozen=True, slots=True)
class CommentSubmitted:
    origin: Origin
    text: str


@dataclass(frozen=True, slots=True)
class FollowupSkipped:
    """Skip the comment; without an invitation id, the newest answer still awaiting one."""

    origin: Origin
    invitation_id: int | None = None


@dataclass(frozen=True, slots=True)
class OptOutRequested:
    origin: Origin
    invitation_id: int | None = None


@dataclass(frozen=True, slots=True)
class AdminCommand:
    """`/nps ...` from an admin surface; `platform_admin` is what the platform says of them."""

    origin: Origin
    chat_id: str
    text: str
    platform_admin: bool = False


@dataclass(frozen=True, slots=True)
class RemindLater:
    """The person asked to be asked again in a day or two instead."""

    origin: Origin
    invitation_id: int
    days: int = 1


@dataclass(frozen=True, slots=True)
class Subscribed:
    """Telegram `/start`: the person agrees to be asked, with deep-link segment attributes."""

    origin: Origin
    chat_id: str
    attributes: dict[str, str]
    name: str | None = None
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class TimezoneSet:
    """`/timezone Europe/Berlin`; an empty `timezone` asks how to use it."""

    origin: Origin
    timezone: str
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class LanguageSet:
    """`/language fr` (`auto` follows the platform again; empty asks what is set)."""

    origin: Origin
    language: str
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class HelpRequested:
    """A respondent's `/help`; `locale` is the platform's language for someone not yet known."""

    origin: Origin
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class ForgetRequested:
    """ "Delete my data": unconfirmed, the core asks to confirm; confirmed, it erases."""

    origin: Origin
    confirmed: bool = False
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class ExportRequested:
    """ "Export my data": the core sends the person a JSON file of what is stored."""

    origin: Origin
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class HomeOpened:
    """Slack's App Home was opened (or should be redrawn after an action taken there).

    `platform_admin` is what the platform says of the person; `refresh` asks for a view
    built afresh and published even when it looks unchanged (after a claim, an opt-out).
    """

    origin: Origin
    platform_admin: bool = False
    refresh: bool = False
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class Unreachable:
    """The platform says the person cannot be messaged (blocked the bot, deleted)."""

    origin: Origin
    reason: str


@dataclass(frozen=True, slots=True)
class AccessRevoked:
    """The platform withdrew the bot's access to a whole workspace (Slack `app_uninstalled`,
    `tokens_revoked`): sending there should pause, and nobody's reachability changes."""

    origin: Origin
    reason: str


@dataclass(frozen=True, slots=True)
class MembershipChanged:
    """Someone joined or left a channel that feeds the audience."""

    origin: Origin
    chat_id: str
    joined: bool


@dataclass(frozen=True, slots=True)
class AlertClaimed:
    """A teammate pressed "I'll follow up" on a detractor alert.

    `chat_id` is the chat the press came from and `member` what the platform says of the
    presser there; the core accepts team actions only from its own team chats (or admins).
    """

    origin: Origin
    response_id: int
    name: str | None = None
    chat_id: str | None = None
    member: bool = False


@dataclass(frozen=True, slots=True)
class AlertReplyStarted:
    """A teammate pressed "Reply" or "Resolved": the adapter asks for their words (the
    reply, the resolution note) only if the core agrees they may act on the alert."""

    origin: Origin
    response_id: int
    chat_id: str | None = None
    member: bool = False


@dataclass(frozen=True, slots=True)
class AlertReplied:
    """A teammate's reply to a detractor, to be relayed to them by the bot."""

    origin: Origin
    response_id: int
    text: str
    name: str | None = None
    chat_id: str | None = None
    member: bool = False


@dataclass(frozen=True, slots=True)
class CaseResolved:
    """A teammate marked an alert's case resolved, with an optional note (Telegram asks for
    the note after the press: a second event with the note adds it)."""

    origin: Origin
    response_id: int
    note: str | None = None
    name: str | None = None
    chat_id: str | None = None
    member: bool = False


@dataclass(frozen=True, slots=True)
class ThreadReplied:
    """A teammate answered in a team chat by replying to one of the bot's messages there
    (Telegram); the core finds the case whose alert or relayed turn that message is."""

    origin: Origin
    chat_id: str
    message_id: str
    text: str
    name: str | None = None
    member: bool = False


@dataclass(frozen=True, slots=True)
class TargetMigrated:
    """A team chat got a new id (a Telegram group upgraded to a supergroup); posts move."""

    platform: str
    workspace: str
    old_chat_id: str
    new_chat_id: str


@dataclass(frozen=True, slots=True)
class TargetRemoved:
    """The bot was removed from a team chat, so digests and alerts can no longer go there."""

    platform: str
    workspace: str
    chat_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class AnnouncementStarted:
    """An admin asked to write a "you said, we did" announcement on a phrase: the adapter
    asks for the message (a modal, a forced reply) only if the core agrees."""

    origin: Origin
    phrase: str
    platform_admin: bool = False


@dataclass(frozen=True, slots=True)
class AnnouncementWritten:
    """The announcement's message, to be sent to everyone whose comments mention `phrase`."""

    origin: Origin
    phrase: str
    text: str
    name: str | None = None
    platform_admin: bool = False


Audited = AdminCommand | AnnouncementWritten
"""What an admin did that the audit log records, with the words they used (`text`)."""

ActorEvent = (
    ScoreSubmitted
    | CommentSubmitted
    | FollowupSkipped
    | OptOutRequested
    | AdminCommand
    | RemindLater
    | Subscribed
    | TimezoneSet
    | LanguageSet
    | HelpRequested
    | ForgetRequested
    | ExportRequested
    | HomeOpened
    | Unreachable
    | AccessRevoked
    | MembershipChanged
    | AlertClaimed
    | AlertReplyStarted
    | AlertReplied
    | AnnouncementStarted
    | AnnouncementWritten
    | CaseResolved
    | ThreadReplied
)
"""What a person did: each carries the `Origin` it is deduplicated and laned by."""

Event = ActorEvent | TargetMigrated | TargetRemoved
"""Everything the router handles; the target events are the platform's, with no actor."""
