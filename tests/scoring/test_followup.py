"""The digest's follow-up line: shares, the median wait, the backlog; absent when idle."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rich.console import Console

from bot.digest.terminal import render
from channels.slack.digest_blocks import render_digest_blocks
from channels.telegram.digest_html import render_digest_html
from scoring.digest import FollowUp, compose, sections
from scoring.digest.followup_wording import duration, followup_line
from tests.digest_sample import sample_input
from tests.phrases import EN


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (20, "0 min"),
        (45 * 60, "45 min"),
        (7200, "2 h 0 min"),
        (7500, "2 h 5 min"),
        (4 * 86400, "4 d 0 h"),
        (3 * 86400 + 4 * 3600 + 59, "3 d 4 h"),
    ],
)
def test_durations_read_at_a_glance(seconds: float, shown: str) -> None:
    assert duration(EN, seconds) == shown


def test_the_line_counts_shares_median_and_open_cases() -> None:
    followup = FollowUp(alerted=4, claimed=3, replied=2, reply_seconds=(600, 3000), open_cases=2)
    digest = compose(replace(sample_input(), followup=followup))
    assert followup_line(EN, digest) == (
        "Detractors followed up: 3 of 4 claimed (75%), 2 of 4 replied to (50%)"
        " · median time to first reply 30 min · open cases: 2"
    )
    console = Console(record=True, width=200, color_system=None)
    console.print(render(digest, EN))
    for shown in (
        str(render_digest_blocks(digest, EN)[1]),
        render_digest_html(digest, EN)[1],
        console.export_text(),
    ):
        assert "3 of 4 claimed (75%)" in shown


def test_a_week_without_alerts_or_open_cases_has_no_follow_up_section() -> None:
    digest = compose(sample_input())
    assert "followup" not in [section.kind for section in sections(digest, EN)]
    backlog = compose(replace(sample_input(), followup=FollowUp(open_cases=1)))
    assert followup_line(EN, backlog) == "open cases: 1"
