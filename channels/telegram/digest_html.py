"""The weekly digest as Telegram HTML: a photo caption and the text that follows it.

Wording comes from `scoring.digest_text`; `post_digest` splits the body to Telegram's sizes.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from scoring import digest_text as say

if TYPE_CHECKING:
    from scoring.digest import Digest


def _themes(digest: Digest) -> list[str]:
    lines: list[str] = []
    for side, found, title in (
        ("detractor", digest.themes.detractor_themes, "What detractors raise"),
        ("promoter", digest.themes.promoter_themes, "What promoters value"),
    ):
        if not found:
            continue
        lines.append(f"\n<b>{title}</b>")
        for theme in found[:3]:
            lines.append(f"• {escape(say.theme_line(theme, side=side))}")
            if theme.quotes:
                lines.append(f"  <i>“{escape(theme.quotes[0])}”</i>")
    return lines


def _segments(digest: Digest) -> list[str]:
    if not digest.segments:
        return []
    rows = []
    for segment in digest.segments:
        name, n, nps, interval, flag = say.segment_cells(segment)
        rows.append(f"{name:<24} n={n:<5} {nps:>4} [{interval}] {flag}".rstrip())
    return ["\n<b>Segments</b>", f"<pre>{escape(chr(10).join(rows))}</pre>"]


def render_digest_html(digest: Digest) -> tuple[str, str]:
    """(caption for the chart, HTML body); every piece of text is escaped."""
    caption = f"<b>{escape(say.title_line(digest))}</b>\n{escape(say.headline(digest))}"
    lines: list[str] = []
    if digest.notice:
        lines.append(f"⚠️ {escape(digest.notice)}")
    if digest.estimate.n:
        lines += [
            escape(say.change_line(digest)),
            escape(say.mix_line(digest)),
            escape(say.rates_line(digest)),
            escape(say.sentiment_line(digest)),
            *_themes(digest),
            *_segments(digest),
        ]
    lines.append("\n<i>Intervals are adjusted-Wald; small segments are hidden for privacy.</i>")
    return caption, "\n".join(lines)
