"""The digest's line on how detractors were followed up (the cases of `bot.cases`)."""

from __future__ import annotations

from scoring.digest.model import Digest
from scoring.digest.wording import percent
from scoring.phrases import Phrases


def duration(words: Phrases, seconds: float) -> str:
    """`45 min`, `2 h 5 min`, `3 d 4 h`: a wait as a team lead reads it."""
    minutes = round(seconds / 60)
    if minutes < 60:
        return words.t("digest.wait_minutes", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return words.t("digest.wait_hours", hours=hours, minutes=minutes)
    days, hours = divmod(hours, 24)
    return words.t("digest.wait_days", days=days, hours=hours)


def followup_line(words: Phrases, digest: Digest) -> str:
    """Detractors followed up: claimed and replied shares, the median wait, the backlog."""
    f = digest.followup
    parts = []
    if f.alerted:
        parts.append(
            words.t(
                "digest.followed_up",
                alerted=f.alerted,
                claimed=f.claimed,
                claimed_share=percent(words, f.claimed / f.alerted),
                replied=f.replied,
                replied_share=percent(words, f.replied / f.alerted),
            )
        )
    if f.median_reply_seconds is not None:
        wait = duration(words, f.median_reply_seconds)
        parts.append(words.t("digest.first_reply", wait=wait))
    parts.append(words.t("digest.open_cases", count=f.open_cases))
    return " · ".join(parts)
