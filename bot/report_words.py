"""The live report's sentences, worded once for every renderer (Slack Home, Telegram HTML).

Everything returned is plain text the renderer escapes for its platform; numbers follow the
digest's rules: no score below n = 10, "indicative" below n = 30 or with a wide interval.
"""

from __future__ import annotations

from bot.home_view import StoredAbout
from bot.i18n import Words
from bot.report import CaseLine, Report
from scoring.nps import NpsEstimate, SamplePolicy, display_nps
from scoring.trend import TrendPoint


def signed(value: float) -> str:
    shown = display_nps(value)
    return f"+{shown}" if shown > 0 else str(shown)


def week_line(report: Report, words: Words) -> str:
    """ "This week so far (2026-W49): NPS +32, 95% interval +12 to +50, n = 41"."""
    week = report.week
    if week.display is None:
        return words.t(
            "home.week_too_few", week=report.week_label, n=week.n, min_n=SamplePolicy().min_n
        )
    line = words.t(
        "home.week_nps",
        week=report.week_label,
        nps=signed(week.display),
        level=round(week.level * 100),
        low=signed(week.low),
        high=signed(week.high),
        n=week.n,
    )
    if week.reliability == "indicative":
        line += " " + words.t("home.indicative")
    return line


def trend_line(point: TrendPoint) -> str:
    """One week of the trend as text ("W48  +12  n=34"), for surfaces without the chart."""
    estimate: NpsEstimate = point.estimate
    score = signed(estimate.display) if estimate.display is not None else "–"
    return f"{point.label}  {score:>4}  n={point.n}"


def case_line(case: CaseLine, words: Words) -> str:
    who = case.who or words.t("alert.anonymous")
    line = f"{case.score}/10 · {who}"
    if case.comment:
        line += f": “{case.comment}”"
    return line


def owner_line(case: CaseLine, words: Words) -> str | None:
    return words.t("alert.owner_line", owner=case.owner) if case.owner else None


def stored_lines(stored: StoredAbout | None, words: Words) -> list[str]:
    """What is kept about the person, one fact a line."""
    if stored is None:
        return [words.t("home.stored_none")]
    unknown = words.t("home.not_stored")
    lines = [
        words.t("home.stored_name", name=stored.name or unknown),
        words.t("home.stored_timezone", timezone=stored.timezone or unknown),
        words.t("home.stored_language", language=stored.language or unknown),
        words.t("home.stored_answers", answers=stored.answers, comments=stored.comments),
    ]
    if stored.opted_out:
        lines.append(words.t("home.opted_out"))
    return lines
