"""What a channel raises: the failures the core tells apart (re-exported by `bot.channel`).

Each says what the dispatcher should do next: retry later, stop asking the person, pause the
workspace, wait out a rate limit, or leave a send that may have arrived to be checked.
"""

from __future__ import annotations


class ChannelError(Exception):
    """A send failed for a reason that may pass (the platform was down, rate limits ran out)."""


class RecipientUnreachable(ChannelError):
    """The person cannot be messaged at all (blocked the bot, deleted, never started it)."""


class WorkspaceUnauthorized(ChannelError):
    """The bot's token for the whole workspace is dead (revoked, uninstalled, deactivated).

    Nothing about the person addressed is learnt from it: sending on that workspace should
    pause until a valid token is back, and no respondent may be marked unreachable for it.
    """


class TargetUnavailable(ChannelError):
    """A team chat (alerts, digests) cannot be posted to: the bot is not in it, or it is gone.

    `hint` is one line an admin can act on, e.g. "invite the bot with /invite @npsbot".
    """

    def __init__(self, message: str, *, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


class RateLimited(ChannelError):
    """The platform said 429 and the adapter's own retries ran out; nothing was sent.

    The dispatcher waits `retry_after` seconds and slows the platform's pace, rather than
    treating it as a failed attempt, so a burst of them delays a pass but loses nobody.
    """

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DeliveryUncertain(ChannelError):
    """The request may have reached the platform but no answer came back (a timeout).

    Sending again could ask the person twice, which is worse than not asking: the dispatcher
    marks the invitation `uncertain` instead of retrying it.
    """


class HistoryUnavailable(ChannelError):
    """The platform cannot say whether a message arrived: it has no history to read (the
    Telegram Bot API), or this chat's history is closed to the bot (a missing scope, a DM
    it cannot open). An uncertain send then stays uncertain, with this as its reason."""
