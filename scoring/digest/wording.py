"""The digest's sentences, shared by every renderer so Slack, Telegram and the terminal
say the same thing. Markup (bold, tables) is each renderer's business; wording is here.

Each fact is said once: the headline carries the score and the number of answers, the
notice why there are none, and the detail's headings the span it rests on.
"""

from __future__ import annotations

from scoring.digest.model import Digest
from scoring.digest.scope import PlatformFigures
from scoring.nps import NpsEstimate
from scoring.segments import SegmentResult
from scoring.themes import Theme

PLATFORM_NAMES = {"slack": "Slack", "telegram": "Telegram"}


def signed(value: float) -> str:
    """+30, -5, 0: NPS is always shown with its sign."""
    rounded = round(value)
    return f"+{rounded}" if rounded > 0 else str(rounded)


def percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.0f}%"


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def title(digest: Digest) -> str:
    """`Acme NPS`: the company's name heads every digest, chart and fallback text."""
    return f"{digest.company} NPS"


def chart_title(digest: Digest) -> str:
    """The name of the chart's upload, where a platform lists files by name."""
    return f"{title(digest)} trend"


def title_line(digest: Digest) -> str:
    return f"{title(digest)}, week {digest.week_label} (from {digest.week_start:%d %b %Y})"


def score_text(estimate: NpsEstimate) -> str:
    """`+30 (95% CI +14 to +44)`; only for an estimate with a score."""
    assert estimate.display is not None
    level = f"{estimate.level * 100:.0f}%"
    text = (
        f"{signed(estimate.display)} ({level} CI {signed(estimate.low)} to {signed(estimate.high)})"
    )
    if estimate.reliability == "indicative":
        text += ", indicative"
    return text


def headline(digest: Digest) -> str:
    """The score and how many answers it rests on, or why there is none (said once)."""
    estimate = digest.estimate
    if estimate.n == 0:
        return "No NPS this week: nobody answered."
    if estimate.display is None:
        return (
            f"No NPS yet: {plural(estimate.n, 'answer', 'answers')} this week, "
            f"a score needs at least {digest.min_answers}."
        )
    return f"NPS {score_text(estimate)} from {plural(estimate.n, 'answer', 'answers')}"


def notice(digest: Digest) -> str | None:
    """Why a week has no answer: nothing delivered, answers still to come, or a stall."""
    if digest.status == "stalled":
        if digest.quiet_delivered == 0:
            return (
                f"The survey looks stalled: no invitations were delivered in the last "
                f"{digest.quiet_weeks} weeks. Check that surveys are not paused and that the "
                "audience is not empty (/nps status)."
            )
        return (
            f"The survey looks stalled: {digest.quiet_delivered} invitations were delivered "
            f"in the last {digest.quiet_weeks} weeks but none was answered. Check that people "
            "can see the bot's messages."
        )
    if digest.status == "empty":
        if digest.quiet_delivered:
            sent = plural(digest.quiet_delivered, "invitation was", "invitations were")
            return f"{sent} delivered; answers may still come."
        return "No invitations were delivered."
    return None


def change_line(digest: Digest) -> str:
    change = digest.change
    if change is None:
        answers = plural(digest.previous.n, "answer", "answers")
        return f"No comparison with last week: it had {answers}, too few for a score."
    verdict = f"p = {change.p_value:.2f}"
    if change.direction == "none":
        return f"No clear change from last week (not significant, {verdict})"
    points = abs(change.display_change)
    size = plural(points, "point", "points") if points else "less than 1 point"
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
    if not digest.delivered:
        return f"No invitations delivered · comment rate {percent(digest.comment_rate)}"
    return (
        f"Response rate {percent(digest.response_rate)} of {digest.delivered} delivered · "
        f"comment rate {percent(digest.comment_rate)}"
    )


def _platform(figures: PlatformFigures) -> str:
    name = PLATFORM_NAMES.get(figures.platform, figures.platform)
    return (
        f"{name}: {percent(figures.response_rate)} of {figures.delivered} invitations answered, "
        f"{percent(figures.comment_rate)} of answers commented"
    )


def platforms_line(digest: Digest) -> str | None:
    """Response and comment rate per platform; None with one platform (the overall line
    already says it)."""
    if len(digest.platforms) < 2:
        return None
    return "By platform: " + " · ".join(_platform(figures) for figures in digest.platforms)


def window(digest: Digest) -> str | None:
    """`the last 4 weeks` when the detail rests on the rolling window, else None: a weekly
    digest's detail is the week's, and saying so under every heading only repeats it."""
    return None if digest.detail_weeks == 1 else f"the last {digest.detail_weeks} weeks"


def _of_window(digest: Digest, what: str) -> str:
    span = window(digest)
    return f"{what} of {span}" if span else what


def sentiment_line(digest: Digest) -> str:
    sentiment = digest.sentiment
    skipped = ""
    if sentiment.not_analysed:
        skipped = (
            f"; {plural(sentiment.not_analysed, 'comment', 'comments')} in a language "
            "the analyser does not read, not analysed"
        )
    if sentiment.n == 0 or sentiment.mean is None:
        if sentiment.not_analysed:
            return f"{_of_window(digest, 'Comment sentiment')}: none analysed{skipped}."
        return "No comments in " + (window(digest) or "the week") + "."
    change = ""
    if digest.sentiment_change is not None:
        before = (
            "last week" if digest.detail_weeks == 1 else f"the {digest.detail_weeks} weeks before"
        )
        change = f" ({digest.sentiment_change:+.2f} vs {before})"
    return (
        f"{_of_window(digest, 'Comment sentiment')} {sentiment.mean:+.2f}{change}: "
        f"{percent(sentiment.negative)} negative, {percent(sentiment.neutral)} neutral, "
        f"{percent(sentiment.positive)} positive "
        f"({plural(sentiment.n, 'comment', 'comments')}{skipped}; "
        "the score category remains the primary signal)"
    )


def theme_heading(side: str) -> str:
    return "What detractors raise" if side == "detractor" else "What promoters value"


def themes_title() -> str:
    return "What sets detractors and promoters apart"


def themes_window(digest: Digest) -> str:
    """`Themes of the last 4 weeks`, or "" for the week's themes."""
    span = window(digest)
    return f"Themes of {span}" if span else ""


def segments_heading(digest: Digest) -> str:
    return _of_window(digest, "Segments")


def more_segments(count: int) -> str:
    return f"… and {plural(count, 'more segment', 'more segments')}"


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
        parts.append(f"{plural(count, name, name + 's')} ({percent(share)})")
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
