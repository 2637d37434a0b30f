"""Block Kit for the weekly digest: markup for each of `scoring.digest.sections`, in order."""

from __future__ import annotations

from typing import Any

from scoring.digest import Digest, Section, sections
from scoring.digest import wording as say

Block = dict[str, Any]
MAX_SECTION = 2900  # Slack allows 3000 characters in a section's text
MAX_HEADER = 150  # and 150 in a header's


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_SECTION]}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_SECTION]}]}


def _escape(text: str) -> str:
    """Slack's three control characters, so a customer's comment cannot mention @channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _themes(section: Section) -> Block:
    lines: list[str] = []
    for group in section.themes:
        lines.append(f"*{group.heading}*")
        for theme in group.themes:
            quote = f"\n> _{_escape(theme.quotes[0])}_" if theme.quotes else ""
            lines.append(f"• {_escape(say.theme_line(theme, side=group.side))}{quote}")
    return _section("\n".join(lines))


def _segments(section: Section) -> Block:
    rows = [
        f"{_escape(name):<28} n={n:<6} NPS {nps:>4}  [{interval}] {flag}".rstrip()
        for name, n, nps, interval, flag in section.segments
    ]
    return _section("*Segments*\n```" + "\n".join(rows) + "```")


def _block(section: Section) -> Block:
    text = "\n".join(section.lines)
    match section.kind:
        case "title":
            return {"type": "header", "text": {"type": "plain_text", "text": text[:MAX_HEADER]}}
        case "headline":
            return _section(f"*{text}*")
        case "notice":
            return _section(f":warning: {text}")
        case "figures" | "footnote":
            return _context(text)
        case "themes":
            return _themes(section)
        case "segments":
            return _segments(section)
        case _:
            return _section(text)


def render_digest_blocks(digest: Digest) -> tuple[str, list[Block]]:
    """The digest as (fallback text, blocks); the chart is uploaded separately."""
    fallback = f"{say.title_line(digest)}: {say.headline(digest)}"
    return fallback, [_block(section) for section in sections(digest)]
