"""The weekly digest as Telegram HTML: a photo caption and the text that follows it.

The caption holds the title and headline; the body walks the rest of
`scoring.digest.sections` in order, every piece escaped and a long quote cut with "…";
`post_digest` splits the body to Telegram's sizes.
"""

from __future__ import annotations

from html import escape

from channels.telegram.fitting import cut
from scoring.digest import Digest, Phrases, Section, sections
from scoring.digest import wording as say

QUOTE_LIMIT = 300


def _themes(section: Section, words: Phrases) -> list[str]:
    lines = [f"\n<b>{escape(section.heading)}</b>"] if section.heading else []
    for group in section.themes:
        lines.append(f"\n<b>{escape(group.heading)}</b>")
        for theme in group.themes:
            lines.append(f"• {escape(say.theme_line(words, theme, side=group.side))}")
            if theme.quotes:
                lines.append(f"  <i>“{escape(cut(theme.quotes[0], QUOTE_LIMIT))}”</i>")
    return lines


def _segments(section: Section) -> list[str]:
    rows = [
        f"{name:<24} n={n:<5} {nps:>4} [{interval}] {flag}".rstrip()
        for name, n, nps, interval, flag in section.segments
    ]
    return [f"\n<b>{escape(section.heading)}</b>", f"<pre>{escape(chr(10).join(rows))}</pre>"]


def _body(section: Section, words: Phrases) -> list[str]:
    match section.kind:
        case "notice":
            return [f"⚠️ {escape(section.lines[0])}"]
        case "themes":
            return _themes(section, words)
        case "segments":
            return _segments(section)
        case "footnote":
            return [f"\n<i>{escape(section.lines[0])}</i>"]
        case _:
            return [escape(line) for line in section.lines]


def render_digest_html(digest: Digest, words: Phrases) -> tuple[str, str]:
    """(caption for the chart, HTML body) in the team's words; every piece is escaped."""
    caption: list[str] = []
    lines: list[str] = []
    for section in sections(digest, words):
        if section.kind == "title":
            caption.append(f"<b>{escape(section.lines[0])}</b>")
        elif section.kind == "headline":
            caption.append(escape(section.lines[0]))
        else:
            lines += _body(section, words)
    return "\n".join(caption), "\n".join(lines)
