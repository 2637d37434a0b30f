"""`npsbot analyse`: the digest's reading of comments, one JSON line each, to check it on yours."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_support import fail, friendly, readable_file, say


def analyse(
    source: Annotated[
        str, typer.Argument(help="A UTF-8 file with one comment per line, or - for stdin.")
    ] = "-",
) -> None:
    """Write {"text", "language", "sentiment", "polarity"} for each comment, as JSON lines.

    The same analysis the digest uses: "not analysed" marks a language the analyser does not
    handle (never counted as neutral), and "und" a language too short or mixed to tell.
    """
    with friendly():
        from scoring.language import UNDETERMINED
        from scoring.sentiment import analyse_many

        if source == "-":
            text = sys.stdin.read()
        else:
            path = Path(source)
            readable_file(path)
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as exc:
                fail(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8")
        comments = [line.strip() for line in text.splitlines() if line.strip()]
        for comment, reading in zip(comments, analyse_many(comments), strict=True):
            row = {
                "text": comment,
                "language": reading.language or UNDETERMINED,
                "sentiment": reading.label,
                "polarity": None if reading.polarity is None else round(reading.polarity, 4),
            }
            say(json.dumps(row, ensure_ascii=False))
