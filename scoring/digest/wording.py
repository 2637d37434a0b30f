"""The digest's sentences, shared by every renderer so Slack, Telegram and the terminal
say the same thing. Markup (bold, tables) is each renderer's business; wording is here."""

from __future__ import annotations

from scoring.digest.model import Digest
from scoring.nps import NpsEstimate
from scoring.segments import SegmentResult
from scoring.themes import Theme


def signed(value: float) -> str:
    """+30, -5, 0: NPS is always shown with its sign."""
    rounded = round(value)
    return f"+{rounded}" if rounded > 0 else str(rounded)


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.0f}%"


def score_text(estimate: NpsEstimate) -> str:
    """`+30 (95% CI +14 to +44)`, or why there is no score."""
    if estimate.display is None:
        return f"no score yet (n = {estimate.n}; a score needs at least 10 answers)"
    level = f"{estimate.level * 100:.0f}%"
    text = (
        f"{signed(estimate.display)} ({level} CI {signed(estimate.low)} to {signed(estimate.high)})"
    )
    if estimate.reliability == "indicative":
        text += ", indicative"
    return text


def headline(digest: Digest) -> str:
    return f"NPS {score_text(digest.estimate)} from {digest.estimate.n} answers"


def change_line(digest: Digest) -> str:
    change = digest.change
    if change is None:
        return "No comparison with last week: one of the two weeks has too few answers."
    verdict = f"p = {change.p_value:.2f}"
    if change.direction == "none":
        return f"No clear change from last week (not significant, {verdict})"
    points = abs(change.display_change)
    size = f"{points} point{'s' if points != 1 else ''}" if points else "less than 1 point"
    word = "Up" if change.direction == "up" else "Down"
    return f"{word} {size} from last week (significant, {verdict})"


def mix_line(digest: Digest) -> str:
    counts = digest.counts
    return (
        f"Promoters {counts.promoters} ({percent(counts.promoter_share)}) · "
        f"Passives {counts.passives} ({percent(counts.passive_share)}) · "
        f"Detractors {counts.detractors} ({percent(counts.detractor_share)})"
    )


def rates_line(digest: Digest) -> str:
    return (
        f"Response rate {percent(digest.response_rate)} of {digest.delivered} delivered · "
        f"comment rate {percent(digest.comment_rate)}"
    )


def sentiment_line(digest: Digest) -> str:
    sentiment = digest.sentiment
    if sentiment.n == 0 or sentiment.mean is None:
        return "No comments this week."
    change = ""
    if digest.sentiment_change is not None:
        change = f" ({digest.sentiment_change:+.2f} vs last week)"
    return (
        f"Comment sentiment {sentiment.mean:+.2f}{change}: {percent(sentiment.negative)} negative, "
        f"{percent(sentiment.neutral)} neutral, {percent(sentiment.positive)} positive "
        f"({sentiment.n} comments; the score category remains the primary signal)"
    )


def theme_mentions(theme: Theme, *, side: str) -> str:
    """`9 detractors (45%) vs 1 promoter (2%)`: counts and shares of each side."""
    sides = {
        "detractor": (theme.count_detractors, theme.detractor_share),
        "promoter": (theme.count_promoters, theme.promoter_share),
    }
    other_side = "promoter" if side == "detractor" else "detractor"
    parts = []
    for name in (side, other_side):
        count, share = sides[name]
        parts.append(f"{count} {name}{'s' if count != 1 else ''} ({percent(share)})")
    return f"{parts[0]} vs {parts[1]}"


def theme_line(theme: Theme, *, side: str) -> str:
    return f"“{theme.term}”: {theme_mentions(theme, side=side)}"


def segment_cells(segment: SegmentResult) -> tuple[str, str, str, str, str]:
    """Name, n, NPS, interval and a flag: one table row."""
    estimate = segment.estimate
    nps = signed(estimate.display) if estimate.display is not None else "–"
    interval = (
        f"{signed(estimate.low)}..{signed(estimate.high)}" if estimate.display is not None else "–"
    )
    flag = ""
    if segment.flagged and segment.comparison is not None:
        flag = "▲ above the rest" if segment.comparison.direction == "up" else "▼ below the rest"
    return f"{segment.dimension}: {segment.value}", str(estimate.n), nps, interval, flag


def title_line(digest: Digest) -> str:
    return f"{digest.title}, week {digest.week_label} (from {digest.week_start:%d %b %Y})"
