"""The weekly digest as Block Kit: one block per section, each built to fit Slack's limits."""

from __future__ import annotations

from channels.slack.blocks import SECTION_LIMIT, Block, context, header, section
from channels.slack.text import escape, fit
from scoring.digest import Digest, Phrases, Section, sections
from scoring.digest import wording as say

THEMES_PER_SIDE = 3
QUOTE_LIMIT = 300
SEGMENTS_LIMIT = SECTION_LIMIT - 40
"""Room left in the segments section for its title and the code fence around the rows."""


def _themes(part: Section, words: Phrases) -> Block:
    lines = [f"*{escape(part.heading)}*"] if part.heading else []
    for group in part.themes:
        lines.append(f"*{group.heading}*")
        for theme in group.themes[:THEMES_PER_SIDE]:
            quote = f"\n> _{escape(fit(theme.quotes[0], QUOTE_LIMIT))}_" if theme.quotes else ""
            lines.append(f"• {escape(say.theme_line(words, theme, side=group.side))}{quote}")
    return section("\n".join(lines))


def _segments(part: Section, words: Phrases) -> Block:
    rows: list[str] = []
    for name, n, nps, interval, flag in part.segments:
        row = f"{escape(fit(name, 60)):<28} n={n:<6} NPS {nps:>4}  [{interval}] {flag}".rstrip()
        if sum(len(r) + 1 for r in rows) + len(row) > SEGMENTS_LIMIT:
            rows.append(words.t("digest.more_segments", count=len(part.segments) - len(rows)))
            break
        rows.append(row)
    return section(f"*{escape(part.heading)}*\n```" + "\n".join(rows) + "```")


def _block(part: Section, words: Phrases) -> Block:
    text = "\n".join(part.lines)
    match part.kind:
        case "title":
            return header(text)
        case "headline":
            return section(f"*{text}*")
        case "notice":
            return section(f":warning: {text}")
        case "figures" | "footnote":
            return context(text)
        case "themes":
            return _themes(part, words)
        case "segments":
            return _segments(part, words)
        case _:
            return section(text)


def render_digest_blocks(digest: Digest, words: Phrases) -> tuple[str, list[Block]]:
    """The digest as (fallback text, blocks) in the team's words; the chart is uploaded
    separately."""
    fallback = escape(f"{say.title_line(words, digest)}: {say.headline(words, digest)}")
    return fallback, [_block(part, words) for part in sections(digest, words)]
