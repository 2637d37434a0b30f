"""Who has the team's Home open, and how fast their Homes may be published again.

A claim, reply or resolution made from an alert (or by another admin) must show on the Home
of every teammate looking at it, not a minute later when the report's cache runs out. The
Home remembers who was shown the team's view in the last `RECENT_SECONDS`, and after a case
changes `bot.home.Home` rebuilds the report once and republishes the views that differ.

Slack allows `views.publish` about 100 calls a minute per workspace (Tier 4), shared by
people opening the tab and these refreshes. `Pace` is that budget as a token bucket: an open
always publishes (the person is looking), a refresh only while more than `KEPT_FOR_OPENS`
tokens are left, newest viewers first. A Home a refresh skipped keeps its recorded version,
so it is published at the person's next open (the report was rebuilt) or at the next change.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

RECENT_SECONDS = 15 * 60.0
"""A Home opened within this long counts as open: Slack says when a tab opens, not when
it closes, and a teammate who left it open is usually back within minutes."""
PUBLISHES_PER_MINUTE = 100.0
"""Slack's Tier 4 for `views.publish`, per workspace."""
KEPT_FOR_OPENS = 20.0
"""Refreshes spend the budget down to this many calls, kept for people opening the tab."""

ViewKey = tuple[str, str, str]
"""(platform, workspace's external id, user id): whose Home."""


@dataclass(slots=True)
class Viewer:
    key: ViewKey
    chat_id: str | None
    """The team chat their claims count from (part of their view)."""
    seen: float


class Viewers:
    """The people shown the team's Home lately, per workspace, newest first."""

    def __init__(self, *, monotonic: Callable[[], float], recent: float = RECENT_SECONDS) -> None:
        self.monotonic = monotonic
        self.recent = recent
        self._by_workspace: dict[int, OrderedDict[ViewKey, Viewer]] = {}

    def saw(self, workspace_id: int, key: ViewKey, chat_id: str | None) -> None:
        viewers = self._by_workspace.setdefault(workspace_id, OrderedDict())
        viewers[key] = Viewer(key, chat_id, self.monotonic())
        viewers.move_to_end(key)

    def left(self, workspace_id: int, key: ViewKey) -> None:
        """They were shown another view (no longer a team member): nothing to refresh."""
        self._by_workspace.get(workspace_id, OrderedDict()).pop(key, None)

    def current(self, workspace_id: int) -> list[Viewer]:
        """Who opened it within `recent`, newest first (older ones are forgotten)."""
        viewers = self._by_workspace.get(workspace_id)
        if not viewers:
            return []
        oldest = self.monotonic() - self.recent
        while viewers and next(iter(viewers.values())).seen < oldest:
            viewers.popitem(last=False)
        return list(reversed(viewers.values()))


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class Pace:
    """`views.publish`'s budget per workspace: `per_minute` tokens, refilled continuously."""

    def __init__(
        self, *, monotonic: Callable[[], float], per_minute: float = PUBLISHES_PER_MINUTE
    ) -> None:
        self.monotonic = monotonic
        self.per_minute = per_minute
        self._buckets: dict[int, _Bucket] = {}

    def take(self, workspace_id: int, *, keep: float = 0.0) -> bool:
        """Spend a token if more than `keep` of the budget's tokens would be left; an open
        passes `keep=0` and publishes whatever this answers."""
        now = self.monotonic()
        bucket = self._buckets.setdefault(workspace_id, _Bucket(self.per_minute, now))
        refill = (now - bucket.updated) * self.per_minute / 60.0
        bucket.tokens = min(self.per_minute, bucket.tokens + refill)
        bucket.updated = now
        if bucket.tokens - 1 < keep:
            return False
        bucket.tokens -= 1
        return True

    def refresh_allowed(self, workspace_id: int) -> bool:
        """A refresh's publish, within its share of the budget."""
        return self.take(workspace_id, keep=KEPT_FOR_OPENS)
