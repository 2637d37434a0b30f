"""Block Kit for the weekly digest; the wording comes from `scoring.digest_text`."""

from __future__ import annotations

from channels.slack.blocks import SECTION_LIMIT, Block, context, header, section
from channels.slack.text import escape, fit
from scoring import digest_text as say
from scoring.digest import Digest

THEMES_PER_SIDE = 3
QUOTE_LIMIT = 300
SEGMENTS_LIMIT = SECTION_LIMIT - 40
"""Room left in the segments section for its title and the code fence around the rows."""


def _themes(digest: Digest) -> list[Block]:
    lines: list[str] = []
    for side, found, title in (
        ("detractor", digest.themes.detractor_themes, "*What detractors raise*"),
        ("promoter", digest.themes.promoter_themes, "*What promoters value*"),
    ):
        if not found:
            continue
        lines.append(title)
        for theme in found[:THEMES_PER_SIDE]:
            quote = f"\n> _{escape(fit(theme.quotes[0], QUOTE_LIMIT))}_" if theme.quotes else ""
            lines.append(f"• {escape(say.theme_line(theme, side=side))}{quote}")
    return [section("\n".join(lines))] if lines else []


def _segments(digest: Digest) -> list[Block]:
    if not digest.segments:
        return []
    rows: list[str] = []
    for segment in digest.segments:
        name, n, nps, interval, flag = say.segment_cells(segment)
        name = escape(fit(name, 60))
        row = f"{name:<28} n={n:<6} NPS {nps:>4}  [{interval}] {flag}".rstrip()
        if sum(len(r) + 1 for r in rows) + len(row) > SEGMENTS_LIMIT:
            rows.append(f"… and {len(digest.segments) - len(rows)} more segment(s)")
            break
        rows.append(row)
    return [section("*Segments*\n```" + "\n".join(rows) + "```")]


def render_digest_blocks(digest: Digest) -> tuple[str, list[Block]]:
    """The digest as (fallback text, blocks); the chart is uploaded separately."""
    blocks: list[Block] = [
        header(say.title_line(digest)),
        section(f"*{say.headline(digest)}*"),
    ]
    if digest.notice:
        blocks.append(section(f":warning: {digest.notice}"))
    if digest.estimate.n:
        blocks.append(section(say.change_line(digest)))
        blocks.append(context(f"{say.mix_line(digest)}\n{say.rates_line(digest)}"))
        blocks.append(section(say.sentiment_line(digest)))
        blocks.extend(_themes(digest))
        blocks.extend(_segments(digest))
    blocks.append(context("Intervals are adjusted-Wald; small segments are hidden for privacy."))
    return escape(f"{say.title_line(digest)}: {say.headline(digest)}"), blocks
