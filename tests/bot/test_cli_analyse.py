"""`npsbot analyse` prints the digest's own reading of each comment as JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app


def test_each_line_gets_language_sentiment_and_polarity() -> None:
    lines = "I would not recommend this\nsehr schlecht, nie wieder\n\nno complaints at all\n"
    result = CliRunner().invoke(app, ["analyse", "-"], input=lines)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["language"], r["sentiment"]) for r in rows] == [
        ("en", "negative"),
        ("de", "not analysed"),
        ("en", "positive"),
    ]
    assert rows[1]["polarity"] is None and rows[0]["polarity"] < 0 < rows[2]["polarity"]


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    latin = tmp_path / "comments.txt"
    latin.write_bytes("très déçu\n".encode("latin-1"))
    result = CliRunner().invoke(app, ["analyse", str(latin)])
    assert result.exit_code == 2
    assert "not UTF-8" in result.output and len(result.output.strip().splitlines()) == 1
