"""The digest in a terminal (Rich), for `npsbot digest` and the demo.

It walks `scoring.digest.sections` like the chat renderers do: the title frames the panel,
themes and segments become tables, and the footnote is left to the chat digests.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from scoring.digest import Digest, Section, sections
from scoring.digest import wording as say


def _themes(section: Section) -> RenderableType:
    table = Table(
        title=say.themes_title(), caption=section.heading or None, expand=True, show_lines=False
    )
    table.add_column("Theme")
    table.add_column("Mentions")
    table.add_column("Example")
    for group in section.themes:
        for theme in group.themes:
            quote = f"“{theme.quotes[0]}”" if theme.quotes else ""
            mentions = say.theme_mentions(theme, side=group.side)
            table.add_row(f"[bold]{theme.term}[/] ({group.side}s)", mentions, quote)
    return table


def _segments(section: Section) -> RenderableType:
    table = Table(title=section.heading, expand=True)
    for header in ("Segment", "n", "NPS", "Interval", ""):
        table.add_column(header)
    for cells in section.segments:
        table.add_row(*cells)
    return table


def _parts(section: Section) -> list[RenderableType]:
    match section.kind:
        case "title" | "footnote":
            return []
        case "headline":
            return [Text(section.lines[0], style="bold")]
        case "notice":
            return [Text(section.lines[0], style="yellow")]
        case "themes":
            return [_themes(section)]
        case "segments":
            return [_segments(section)]
        case _:
            return [Text(line) for line in section.lines]


def render(digest: Digest) -> RenderableType:
    """One panel with everything the chat digests show."""
    parts = [part for section in sections(digest) for part in _parts(section)]
    return Panel(Group(*parts), title=say.title_line(digest), expand=True)


def print_digest(digest: Digest, console: Console) -> None:
    console.print(render(digest))
