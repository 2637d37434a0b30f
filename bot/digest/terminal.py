"""The digest in a terminal (Rich), for `npsbot digest` and the demo.

It walks `scoring.digest.sections` like the chat renderers do: the title frames the panel,
themes and segments become tables, and the footnote is left to the chat digests.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from scoring.digest import Digest, Phrases, Section, sections
from scoring.digest import wording as say


def _themes(section: Section, words: Phrases) -> RenderableType:
    table = Table(
        title=words.t("digest.themes_title"),
        caption=section.heading or None,
        expand=True,
        show_lines=False,
    )
    table.add_column(words.t("digest.column_theme"))
    table.add_column(words.t("digest.column_mentions"))
    table.add_column(words.t("digest.column_example"))
    for group in section.themes:
        side = say.side_name(words, group.side)
        for theme in group.themes:
            quote = f"“{theme.quotes[0]}”" if theme.quotes else ""
            mentions = say.theme_mentions(words, theme, side=group.side)
            table.add_row(Text.assemble((theme.term, "bold"), f" ({side})"), mentions, quote)
    return table


def _segments(section: Section, words: Phrases) -> RenderableType:
    table = Table(title=section.heading, expand=True)
    segment, interval = words.t("digest.column_segment"), words.t("digest.column_interval")
    for header in (segment, "n", "NPS", interval, ""):
        table.add_column(header)
    for cells in section.segments:
        table.add_row(*cells)
    return table


def _parts(section: Section, words: Phrases) -> list[RenderableType]:
    match section.kind:
        case "title" | "footnote":
            return []
        case "headline":
            return [Text(section.lines[0], style="bold")]
        case "notice":
            return [Text(section.lines[0], style="yellow")]
        case "themes":
            return [_themes(section, words)]
        case "segments":
            return [_segments(section, words)]
        case _:
            return [Text(line) for line in section.lines]


def render(digest: Digest, words: Phrases) -> RenderableType:
    """One panel with everything the chat digests show, in the team's words."""
    parts = [part for section in sections(digest, words) for part in _parts(section, words)]
    return Panel(Group(*parts), title=say.title_line(words, digest), expand=True)


def print_digest(digest: Digest, words: Phrases, console: Console) -> None:
    console.print(render(digest, words))
