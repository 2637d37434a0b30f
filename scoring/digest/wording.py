"""The digest's sentences, shared by every renderer so Slack, Telegram and the terminal
say the same thing, in the team's language. Markup (bold, tables) is each renderer's
business; wording is here, its phrases in the catalogue (`digest.*` keys in `bot/locales`).

Each fact is said once: the headline carries the score and the number of answers, the
notice why there are none, and the detail's headings the span it rests on.
"""

from __future__ import annotations

from collections.abc import Callable

from scoring.digest.model import Digest
from scoring.digest.scope import PlatformFigures
from scoring.nps import NpsEstimate
from scoring.phrases import Phrases
from scoring.segments import SegmentResult
from scoring.themes import Theme

PLATFORM_NAMES = {"slack": "Slack", "telegram": "Telegram"}


def signed(value: float) -> str:
    """+30, -5, 0: NPS is always shown with its sign."""
    rounded = round(value)
    return f"+{rounded}" if rounded > 0 else str(rounded)


def percent(words: Phrases, share: float | None) -> str:
    return words.t("digest.n_a") if share is None else f"{share * 100:.0f}%"


def counted(words: Phrases, count: int, noun: str) -> str:
    """`1 answer`, `12 answers`: the catalogue's singular and plural of `noun` (each key
    written out, so `make i18n` finds it)."""
    forms: dict[str, tuple[Callable[[], str], Callable[[], str]]] = {
        "answers": (
            lambda: words.t("digest.answers_one", count=count),
            lambda: words.t("digest.answers_many", count=count),
        ),
        "comments": (
            lambda: words.t("digest.comments_one", count=count),
            lambda: words.t("digest.comments_many", count=count),
        ),
        "points": (
            lambda: words.t("digest.points_one", count=count),
            lambda: words.t("digest.points_many", count=count),
        ),
        "detractors": (
            lambda: words.t("digest.detractors_one", count=count),
            lambda: words.t("digest.detractors_many", count=count),
        ),
        "promoters": (
            lambda: words.t("digest.promoters_one", count=count),
            lambda: words.t("digest.promoters_many", count=count),
        ),
    }
    one, many = forms[noun]
    return one() if count == 1 else many()


def title(digest: Digest) -> str:
    """`Acme NPS`: the company's name heads every digest, chart and fallback text."""
    return company_title(digest.company)


def company_title(company: str) -> str:
    """`title` before the digest exists (its chart is drawn while the week is read)."""
    return f"{company} NPS"


def chart_title(words: Phrases, digest: Digest) -> str:
    """The name of the chart's upload, where a platform lists files by name."""
    return words.t("digest.chart_title", title=title(digest))


def title_line(words: Phrases, digest: Digest) -> str:
    return words.t(
        "digest.title_line",
        title=title(digest),
        week=digest.week_label,
        start=digest.week_start.isoformat(),
    )


def score_text(words: Phrases, estimate: NpsEstimate) -> str:
    """`+30 (95% CI +14 to +44)`; only for an estimate with a score."""
    assert estimate.display is not None
    indicative = words.t("digest.indicative") if estimate.reliability == "indicative" else ""
    level = f"{estimate.level * 100:.0f}%"
    return words.t(
        "digest.score",
        nps=signed(estimate.display),
        level=level,
        low=signed(estimate.low),
        high=signed(estimate.high),
        indicative=indicative,
    )


def headline(words: Phrases, digest: Digest) -> str:
    """The score and how many answers it rests on, or why there is none (said once)."""
    estimate = digest.estimate
    if estimate.n == 0:
        return words.t("digest.headline_none")
    answers = counted(words, estimate.n, "answers")
    if estimate.display is None:
        return words.t("digest.headline_few", answers=answers, min=digest.min_answers)
    return words.t("digest.headline", score=score_text(words, estimate), answers=answers)


def notice(words: Phrases, digest: Digest) -> str | None:
    """Why a week has no answer: nothing delivered, answers still to come, or a stall."""
    weeks, sent = digest.quiet_weeks, digest.quiet_delivered
    if digest.status == "stalled":
        if sent == 0:
            return words.t("digest.stalled_unsent", weeks=weeks)
        return words.t("digest.stalled_unanswered", weeks=weeks, sent=sent)
    if digest.status == "empty":
        if sent:
            return words.t("digest.empty_delivered", count=sent)
        return words.t("digest.empty_unsent")
    return None


def change_line(words: Phrases, digest: Digest) -> str:
    change = digest.change
    if change is None:
        answers = counted(words, digest.previous.n, "answers")
        return words.t("digest.no_comparison", answers=answers)
    p = f"{change.p_value:.2f}"
    if change.direction == "none":
        return words.t("digest.no_clear_change", p=p)
    points = abs(change.display_change)
    size = counted(words, points, "points") if points else words.t("digest.less_than_a_point")
    if change.direction == "up":
        return words.t("digest.up", size=size, p=p)
    return words.t("digest.down", size=size, p=p)


def mix_line(words: Phrases, digest: Digest) -> str:
    counts = digest.counts
    return words.t(
        "digest.mix",
        promoters=counts.promoters,
        promoter_share=percent(words, counts.promoter_share),
        passives=counts.passives,
        passive_share=percent(words, counts.passive_share),
        detractors=counts.detractors,
        detractor_share=percent(words, counts.detractor_share),
    )


def rates_line(words: Phrases, digest: Digest) -> str:
    comments = percent(words, digest.comment_rate)
    if not digest.delivered:
        return words.t("digest.rates_undelivered", comment_rate=comments)
    return words.t(
        "digest.rates",
        response_rate=percent(words, digest.response_rate),
        delivered=digest.delivered,
        comment_rate=comments,
    )


def _platform(words: Phrases, figures: PlatformFigures) -> str:
    return words.t(
        "digest.platform",
        platform=PLATFORM_NAMES.get(figures.platform, figures.platform),
        response_rate=percent(words, figures.response_rate),
        delivered=figures.delivered,
        comment_rate=percent(words, figures.comment_rate),
    )


def platforms_line(words: Phrases, digest: Digest) -> str | None:
    """Response and comment rate per platform; None with one platform (the overall line
    already says it)."""
    if len(digest.platforms) < 2:
        return None
    each = " · ".join(_platform(words, figures) for figures in digest.platforms)
    return words.t("digest.by_platform", platforms=each)


def windowed(digest: Digest) -> bool:
    """Whether the detail rests on the rolling window rather than the week alone (a weekly
    digest's detail is the week's, and saying so under every heading only repeats it)."""
    return digest.detail_weeks > 1


def told_line(words: Phrases, digest: Digest) -> str | None:
    """How many people heard back on what they raised ("you said, we did"); None when
    nobody was told this week."""
    return words.t("digest.told", count=digest.told) if digest.told else None


def sentiment_line(words: Phrases, digest: Digest) -> str:
    sentiment = digest.sentiment
    skipped = ""
    if sentiment.not_analysed:
        comments = counted(words, sentiment.not_analysed, "comments")
        skipped = words.t("digest.not_analysed", comments=comments)
    weeks = digest.detail_weeks
    what = (
        words.t("digest.sentiment_what_window", weeks=weeks)
        if windowed(digest)
        else words.t("digest.sentiment_what")
    )
    if sentiment.n == 0 or sentiment.mean is None:
        if skipped:
            return words.t("digest.sentiment_none_analysed", what=what, skipped=skipped)
        if windowed(digest):
            return words.t("digest.no_comments_window", weeks=weeks)
        return words.t("digest.no_comments")
    change = ""
    if digest.sentiment_change is not None:
        value = f"{digest.sentiment_change:+.2f}"
        change = (
            words.t("digest.sentiment_vs_window", change=value, weeks=weeks)
            if windowed(digest)
            else words.t("digest.sentiment_vs", change=value)
        )
    mean = f"{sentiment.mean:+.2f}"
    skipped = f"; {skipped}" if skipped else ""
    return words.t(
        "digest.sentiment",
        what=what,
        mean=mean,
        change=change,
        negative=percent(words, sentiment.negative),
        neutral=percent(words, sentiment.neutral),
        positive=percent(words, sentiment.positive),
        comments=counted(words, sentiment.n, "comments"),
        skipped=skipped,
    )


def theme_heading(words: Phrases, side: str) -> str:
    if side == "detractor":
        return words.t("digest.detractor_themes")
    return words.t("digest.promoter_themes")


def side_name(words: Phrases, side: str) -> str:
    """`detractors` or `promoters`, as a label beside a theme."""
    if side == "detractor":
        return words.t("digest.side_detractor")
    return words.t("digest.side_promoter")


def themes_window(words: Phrases, digest: Digest) -> str:
    """`Themes of the last 4 weeks`, or "" for the week's themes."""
    return words.t("digest.themes_window", weeks=digest.detail_weeks) if windowed(digest) else ""


def segments_heading(words: Phrases, digest: Digest) -> str:
    if windowed(digest):
        return words.t("digest.segments_window", weeks=digest.detail_weeks)
    return words.t("digest.segments")


def theme_mentions(words: Phrases, theme: Theme, *, side: str) -> str:
    """`9 detractors (45%) vs 1 promoter (2%)`: counts and shares of each side."""
    sides = {
        "detractor": (theme.count_detractors, theme.detractor_share),
        "promoter": (theme.count_promoters, theme.promoter_share),
    }
    other_side = "promoter" if side == "detractor" else "detractor"
    (first, first_share), (second, second_share) = sides[side], sides[other_side]
    return words.t(
        "digest.mentions",
        first=counted(words, first, f"{side}s"),
        first_share=percent(words, first_share),
        second=counted(words, second, f"{other_side}s"),
        second_share=percent(words, second_share),
    )


def theme_line(words: Phrases, theme: Theme, *, side: str) -> str:
    return f"“{theme.term}”: {theme_mentions(words, theme, side=side)}"


def segment_cells(words: Phrases, segment: SegmentResult) -> tuple[str, str, str, str, str]:
    """Name, n, NPS, interval and a flag: one table row."""
    estimate = segment.estimate
    nps = signed(estimate.display) if estimate.display is not None else "–"
    interval = (
        f"{signed(estimate.low)}..{signed(estimate.high)}" if estimate.display is not None else "–"
    )
    flag = ""
    if segment.flagged and segment.comparison is not None:
        up = segment.comparison.direction == "up"
        flag = words.t("digest.above") if up else words.t("digest.below")
    return f"{segment.dimension}: {segment.value}", str(estimate.n), nps, interval, flag
