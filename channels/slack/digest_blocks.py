"""Block Kit for the weekly digest; the wording comes from `scoring.digest_text`."""

from __future__ import annotations

from typing import Any

from scoring import digest_text as say
from scoring.digest import Digest

Block = dict[str, Any]
MAX_SECTION = 2900  # Slack allows 3000 characters in a section's text


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_SECTION]}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_SECTION]}]}


def _escape(text: str) -> str:
    """Slack's three control characters, so a customer's comment cannot mention @channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _themes(digest: Digest) -> list[Block]:
    lines: list[str] = []
    for side, found, title in (
        ("detractor", digest.themes.detractor_themes, "*What detractors raise*"),
        ("promoter", digest.themes.promoter_themes, "*What promoters value*"),
    ):
        if not found:
            continue
        lines.append(title)
        for theme in found[:3]:
            quote = f"\n> _{_escape(theme.quotes[0])}_" if theme.quotes else ""
            lines.append(f"• {_escape(say.theme_line(theme, side=side))}{quote}")
    return [_section("\n".join(lines))] if lines else []


def _segments(digest: Digest) -> list[Block]:
    if not digest.segments:
        return []
    rows = []
    for segment in digest.segments:
        name, n, nps, interval, flag = say.segment_cells(segment)
        rows.append(f"{_escape(name):<28} n={n:<6} NPS {nps:>4}  [{interval}] {flag}".rstrip())
    return [_section("*Segments*\n```" + "\n".join(rows) + "```")]


def render_digest_blocks(digest: Digest) -> tuple[str, list[Block]]:
    """The digest as (fallback text, blocks); the chart is uploaded separately."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": say.title_line(digest)[:150]}},
        _section(f"*{say.headline(digest)}*"),
    ]
    if digest.notice:
        blocks.append(_section(f":warning: {digest.notice}"))
    if digest.estimate.n:
        blocks.append(_section(say.change_line(digest)))
        blocks.append(_context(f"{say.mix_line(digest)}\n{say.rates_line(digest)}"))
        blocks.append(_section(say.sentiment_line(digest)))
        blocks.extend(_themes(digest))
        blocks.extend(_segments(digest))
    blocks.append(_context("Intervals are adjusted-Wald; small segments are hidden for privacy."))
    return f"{say.title_line(digest)}: {say.headline(digest)}", blocks
