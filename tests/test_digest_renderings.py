"""Golden renderings of one digest: Slack Block Kit, Telegram HTML, terminal.

Regenerate after an intended change:
`NPSBOT_UPDATE_GOLDEN=1 pytest tests/test_digest_renderings.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rich.console import Console

from bot.digest.terminal import render
from channels.slack.digest_blocks import render_digest_blocks
from channels.telegram.digest_html import render_digest_html
from channels.telegram.html_split import CAPTION_LIMIT, split_html
from tests.digest_sample import sample_digest
from tests.phrases import EN

GOLDEN = Path(__file__).parent / "golden"


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("NPSBOT_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_slack_blocks_golden() -> None:
    fallback, blocks = render_digest_blocks(sample_digest(), EN)
    assert len(blocks) <= 50
    assert all(len(json.dumps(block)) < 3100 for block in blocks)
    check("digest_slack.json", json.dumps({"text": fallback, "blocks": blocks}, indent=1) + "\n")


def test_telegram_html_golden() -> None:
    caption, body = render_digest_html(sample_digest(), EN)
    assert len(caption) <= CAPTION_LIMIT
    assert all(len(part) <= 4096 for part in split_html(body))
    check("digest_telegram.html", f"{caption}\n---\n{body}\n")


def test_terminal_golden() -> None:
    console = Console(record=True, width=100, color_system=None)
    console.print(render(sample_digest(), EN))
    check("digest_terminal.txt", console.export_text())


def test_small_segments_and_escaping() -> None:
    _, blocks = render_digest_blocks(sample_digest(), EN)
    text = json.dumps(blocks)
    caption, body = render_digest_html(sample_digest(), EN)
    for rendered in (text, caption + body):
        assert "enterprise" not in rendered
        assert "&lt;!channel&gt; slow checkout &amp; co" in rendered
        assert "<!channel>" not in rendered
