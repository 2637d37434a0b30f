"""The one small interface every chat platform implements.

The core speaks only these types; each adapter turns them into Block Kit or inline
keyboards at the edge, and turns platform payloads into `bot.events` on the way in.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.channel_errors import ChannelError as ChannelError
from bot.channel_errors import DeliveryUncertain as DeliveryUncertain
from bot.channel_errors import HistoryUnavailable as HistoryUnavailable
from bot.channel_errors import RateLimited as RateLimited
from bot.channel_errors import RecipientUnreachable as RecipientUnreachable
from bot.channel_errors import TargetUnavailable as TargetUnavailable
from bot.channel_errors import WorkspaceUnauthorized as WorkspaceUnauthorized

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from bot.clock import Clock
    from bot.events import Event
    from bot.home_view import HomeView, TeamHome
    from bot.i18n import Catalogue
    from scoring.digest import Digest

Handler = Callable[["Event"], Awaitable[str | None]]
"""The core's entry point: takes a neutral event, returns text for the actor (or None)."""


@dataclass(frozen=True, slots=True)
class Recipient:
    """Whom to message: the platform user, and their direct-message chat when known."""

    user_id: str
    chat_id: str | None = None
    name: str | None = None
    locale: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Where a sent message lives, so it can be edited in place later."""

    chat_id: str
    message_id: str


@dataclass(frozen=True, slots=True)
class Question:
    """The NPS question as the platform should show it, worded in the person's language."""

    invitation_id: int
    text: str
    low_label: str
    high_label: str
    opt_out_label: str
    remind_label: str
    answered: str = ""
    """What replaces the buttons once a score is chosen (set for `show_score`)."""


@dataclass(frozen=True, slots=True)
class Followup:
    """The open question after the score, with the ways to answer or skip it."""

    invitation_id: int
    text: str
    skip_label: str
    reply_hint: str
    """How to answer without buttons (Telegram: reply, or send /skip)."""
    placeholder: str


@dataclass(frozen=True, slots=True)
class Profile:
    """What a platform tells us about a person."""

    user_id: str
    display_name: str | None = None
    timezone: str | None = None
    locale: str | None = None
    email: str | None = None
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False

    @property
    def is_human(self) -> bool:
        return not (self.is_bot or self.deleted)


@dataclass(frozen=True, slots=True)
class AlertLabels:
    """An alert's words in the team's language (NPSBOT_TEAM_LANGUAGE), worded by the core."""

    title: str
    heading: str
    """The title with the score, e.g. "Detractor alert: score 3/10", or a mover's move
    ("Mover alert: 10 -> 7")."""
    notification: str
    """One line naming who and the score: the push notification and fallback text."""
    who: str
    """The respondent's name, or the word for an anonymous one."""
    score: str
    respondent: str
    segment: str
    comment: str
    no_comment: str
    following_up: str
    owner_line: str
    """"Mia is following up", empty while nobody is."""
    reply_sent: str
    claim: str
    reply: str
    previously: str = ""
    """A detractor's previous score ("previously 4"), empty when there is none."""
    resolve: str = ""
    state_line: str = ""
    """Where the case stands: "Open", "Replied to by Mia", "Resolved by Mia: refunded"."""


@dataclass(frozen=True, slots=True)
class Alert:
    """A detractor (or mover) alert for the team's alerts channel."""

    response_id: int
    score: int
    respondent: str | None
    attributes: dict[str, str] = field(default_factory=dict)
    comment: str | None = None
    owner: str | None = None
    reply: str | None = None
    labels: AlertLabels = field(kw_only=True)
    resolved: bool = False


@dataclass(frozen=True, slots=True)
class ThreadNote:
    """A line posted under an alert (its Slack thread, a Telegram reply to it): a customer's
    relayed message, or the SLA reminder. `reply` labels a button that answers the customer."""

    response_id: int
    text: str
    reply: str | None = None


class Channel(ABC):
    """A chat platform, seen from the core."""

    platform: str
    posts_reports = False
    """Whether `post_report` posts into team chats (Telegram); Slack shows it on the Home."""
    reads_history = False
    """Whether `find_question` can tell an uncertain send that arrived from one that did not."""

    @abstractmethod
    async def send_question(self, *, recipient: Recipient, question: Question) -> MessageRef:
        """Deliver the NPS question with its 0-10 buttons."""

    @abstractmethod
    async def show_score(self, *, ref: MessageRef, question: Question, score: int) -> None:
        """Replace the buttons with the chosen score, so the message records the answer."""

    @abstractmethod
    async def ask_followup(
        self, *, recipient: Recipient, ref: MessageRef, followup: Followup
    ) -> None:
        """Ask the open question that follows the score, with a way to skip it."""

    @abstractmethod
    async def send_text(self, *, recipient: Recipient, text: str) -> None:
        """A plain message to the person: thanks, a closed survey, a reply from the team."""

    @abstractmethod
    async def post_digest(self, *, chat_id: str, digest: Digest, chart_png: bytes) -> None:
        """Post the weekly digest with its chart to a team channel."""

    @abstractmethod
    async def fetch_profile(self, *, user_id: str) -> Profile | None:
        """The person's name, time zone and locale, or None when the platform cannot say."""

    async def find_question(
        self, *, recipient: Recipient, invitation_id: int, since: datetime, until: datetime
    ) -> MessageRef | None:
        """Where the invitation's question sits in the person's chat, if it arrived between
        `since` and `until`; None when the chat's history shows it did not. Platforms that
        cannot read a chat's history (`reads_history` False) raise `HistoryUnavailable`."""
        raise HistoryUnavailable(f"{self.platform} cannot read a chat's history")

    async def busy_until(self, *, user_id: str) -> datetime | None:
        """Until when the person asked not to be disturbed (Slack's DND), None when free."""
        return None

    async def check_can_post(self, *, chat_id: str) -> None:
        """Make sure the bot can post to a team chat (joining it if it may), or raise
        `TargetUnavailable` with a hint for the admin. Platforms that cannot tell do nothing."""
        return None

    async def send_file(
        self, *, recipient: Recipient, filename: str, data: bytes, caption: str
    ) -> None:
        """A file to the person (their data export); platforms that cannot send files say so."""
        raise ChannelError(f"{self.platform} cannot send files")

    async def publish_home(self, *, user_id: str, home: HomeView) -> None:
        """Show the person their own Home (Slack's App Home); platforms without one say so."""
        raise ChannelError(f"{self.platform} has no home tab")

    async def post_report(self, *, chat_id: str, home: TeamHome) -> None:
        """Post the live report into a team chat (Telegram's `/nps report`)."""
        raise ChannelError(f"{self.platform} shows the report on its home tab")

    async def member_ids(self, *, chat_id: str) -> frozenset[str]:
        """Who is in a team chat, to tell team leads from everyone else."""
        raise ChannelError(f"{self.platform} cannot list the members of a chat")

    async def channel_members(self, *, chat_id: str) -> list[Profile]:
        """Everyone in a team channel, for `/nps audience add #channel`."""
        raise ChannelError(f"{self.platform} cannot list the members of a chat")

    async def post_alert(self, *, chat_id: str, alert: Alert) -> MessageRef | None:
        """Post a detractor alert; platforms without alerts ignore it."""
        return None

    async def update_alert(self, *, ref: MessageRef, alert: Alert) -> None:
        """Refresh an alert after a comment, a claim or a reply."""
        return None

    async def post_under_alert(self, *, alert: MessageRef, note: ThreadNote) -> MessageRef | None:
        """Post a note under an alert; platforms without alerts ignore it."""
        return None


@dataclass(frozen=True, slots=True)
class Identity:
    """Whose token this is: the workspace every event of the platform is filed under."""

    workspace: str
    """Slack's team id, Telegram's bot id."""
    name: str = ""


class Adapter(Channel):
    """A channel that also runs: connects to its platform and feeds events to the core."""

    def __init__(self, *, handle: Handler, clock: Clock, catalogue: Catalogue) -> None:
        self.handle = handle
        self.clock = clock
        self.observe_429: Callable[[str], None] = lambda method: None
        """Told the API method of every 429 the platform answers (wired to `/metrics`)."""
        self.catalogue = catalogue

    @abstractmethod
    async def start(self) -> None:
        """Connect (Socket Mode, long polling, webhook registration) and begin listening."""

    @abstractmethod
    async def stop(self) -> None:
        """Disconnect cleanly, letting work in flight finish."""

    @abstractmethod
    async def identify(self) -> Identity:
        """Ask the platform whose token this is (Slack `auth.test`, Telegram `getMe`)."""

    def routes(self) -> list[BaseRoute]:
        """HTTP routes this adapter serves on the shared web server (none by default)."""
        return []

    async def connection_problem(self) -> str | None:
        """Why the adapter cannot receive right now (for `/readyz`), or None when it can."""
        return None
