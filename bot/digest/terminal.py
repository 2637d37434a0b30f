"""The digest in a terminal (Rich), for `npsbot digest` and the demo."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from scoring import digest_text as say
from scoring.digest import Digest


def _themes(digest: Digest) -> RenderableType:
    table = Table(title="What sets detractors and promoters apart", expand=True, show_lines=False)
    table.add_column("Theme")
    table.add_column("Mentions")
    table.add_column("Example")
    for side, found in (
        ("detractor", digest.themes.detractor_themes),
        ("promoter", digest.themes.promoter_themes),
    ):
        for theme in found[:3]:
            mentions = say.theme_line(theme, side=side).split(": ", 1)[1]
            quote = f"“{theme.quotes[0]}”" if theme.quotes else ""
            table.add_row(f"[bold]{theme.term}[/] ({side}s)", mentions, quote)
    return table


def _segments(digest: Digest) -> RenderableType:
    table = Table(title="Segments (this week)", expand=True)
    for header in ("Segment", "n", "NPS", "Interval", ""):
        table.add_column(header)
    for segment in digest.segments:
        table.add_row(*say.segment_cells(segment))
    return table


def render(digest: Digest) -> RenderableType:
    """One panel with everything the chat digests show."""
    parts: list[RenderableType] = [Text(say.headline(digest), style="bold")]
    if digest.notice:
        parts.append(Text(digest.notice, style="yellow"))
    if digest.estimate.n:
        parts += [
            Text(say.change_line(digest)),
            Text(say.mix_line(digest)),
            Text(say.rates_line(digest)),
            Text(say.sentiment_line(digest)),
        ]
        if digest.themes.detractor_themes or digest.themes.promoter_themes:
            parts.append(_themes(digest))
        if digest.segments:
            parts.append(_segments(digest))
    return Panel(Group(*parts), title=say.title_line(digest), expand=True)


def print_digest(digest: Digest, console: Console) -> None:
    console.print(render(digest))
