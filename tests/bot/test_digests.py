"""The digest from the database: SQL aggregation, composition and the terminal rendering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from bot import store
from bot.clock import FakeClock
from bot.db import Database
from bot.digest import Digests
from bot.digest.terminal import render
from bot.models import InvitationStatus, Response
from bot.settings import Settings
from scoring.digest import wording as say
from scoring.nps import Counts, estimate
from tests.phrases import EN

DETRACTOR_SAYS = (
    "Slow checkout, took forever",
    "slow checkout and the app crashed",
    "Please fix the slow checkout",
    "Support never answered my emails",
    "slow checkout every single time",
)
PROMOTER_SAYS = (
    "Friendly staff helped me",
    "friendly staff and fast delivery",
    "The friendly staff is great",
    "Great prices on everything",
    "friendly staff, always",
)
WEEK_48 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday of ISO week 2026-W48


def seed(
    db: Database,
    answers: list[tuple[datetime, int, str | None, dict[str, str]]],
    *,
    platform: str = "slack",
) -> None:
    """One respondent, invitation and response per answer."""
    with db.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform=platform, external_id=f"{platform}-1", now=WEEK_48
        )
        for index, (moment, score, comment, attributes) in enumerate(answers):
            respondent = store.upsert_respondent(
                session=session,
                workspace=workspace,
                platform_user_id=f"U{index}",
                now=moment,
                attributes=attributes,
                display_name=f"Person {index}",
            )
            invitation = store.create_invitation(
                session=session,
                respondent=respondent,
                source="scheduled",
                due_at=moment,
                now=moment,
            )
            invitation.status = InvitationStatus.ANSWERED
            invitation.sent_at = moment - timedelta(hours=1)
            session.add(invitation)
            session.flush()
            session.add(
                Response(
                    invitation_id=invitation.id or 0,
                    workspace_id=workspace.id or 0,
                    respondent_id=respondent.id or 0,
                    platform=platform,
                    score=score,
                    attributes=attributes,
                    comment=comment,
                    polarity=-0.5 if comment and score <= 6 else (0.6 if comment else None),
                    subjectivity=0.5 if comment else None,
                    answered_at=moment,
                )
            )


def week_of_answers(start: datetime, promoters: int, passives: int, detractors: int):
    scores = [10] * promoters + [7] * passives + [3] * detractors
    rows = []
    for index, score in enumerate(scores):
        comment = None
        if score <= 6 and index % 2 == 0:
            comment = DETRACTOR_SAYS[index % 5]
        elif score >= 9 and index % 2 == 0:
            comment = PROMOTER_SAYS[index % 5]
        plan = "pro" if index % 3 else "free"
        rows.append((start + timedelta(minutes=7 * index), score, comment, {"plan": plan}))
    return rows


@pytest.fixture
def digests(db: Database, settings: Settings) -> Digests:
    clock = FakeClock(WEEK_48 + timedelta(days=7))
    return Digests(db=db, channels={}, settings=settings, clock=clock)


def test_digest_counts_match_recorded_responses(db: Database, digests: Digests) -> None:
    seed(
        db,
        week_of_answers(WEEK_48, 50, 30, 20)
        + week_of_answers(WEEK_48 - timedelta(days=7), 30, 30, 40),
    )
    digest, chart = digests.build(digests.week_of())
    assert digest.week_label == "2026-W48"
    assert digest.counts == Counts(50, 30, 20)
    assert digest.estimate.display == 30
    assert digest.estimate == estimate(Counts(50, 30, 20))
    assert digest.previous.display == -10
    assert digest.change is not None and digest.change.significant
    assert digest.response_rate == 1.0
    assert digest.comment_rate == pytest.approx(35 / 100)
    assert digest.sentiment.n == 35
    assert digest.themes.detractor_themes[0].term == "slow checkout"
    assert digest.themes.promoter_themes[0].term == "friendly staff"
    plans = {s.value: s.estimate.n for s in digest.segments if s.dimension == "plan"}
    assert plans == {"free": 34, "pro": 66}
    assert [s.value for s in digest.segments if s.dimension == "platform"] == ["slack"]
    assert len(digest.trend) == 12 and digest.trend[-1].n == 100
    assert chart.startswith(b"\x89PNG")


def test_small_segments_are_never_shown(db: Database, digests: Digests) -> None:
    rows = week_of_answers(WEEK_48, 10, 5, 5)
    rows[0] = (rows[0][0], rows[0][1], None, {"plan": "enterprise"})
    seed(db, rows)
    digest, _ = digests.build(digests.week_of())
    assert "enterprise" not in {s.value for s in digest.segments}


def test_empty_then_stalled(db: Database, digests: Digests) -> None:
    seed(db, week_of_answers(WEEK_48 - timedelta(days=28), 5, 5, 5))
    digest, _ = digests.build(digests.week_of("2026-W46"))
    assert digest.status == "empty" and say.notice(EN, digest) == "No invitations were delivered."
    digest, _ = digests.build(digests.week_of())
    assert digest.status == "stalled"
    assert "no invitations were delivered in the last 4 weeks" in (say.notice(EN, digest) or "")


def test_week_label_is_validated(digests: Digests) -> None:
    with pytest.raises(ValueError, match="2026-W48"):
        digests.week_of("last week")


def test_terminal_rendering_golden(db: Database, digests: Digests) -> None:
    seed(
        db,
        week_of_answers(WEEK_48, 50, 30, 20)
        + week_of_answers(WEEK_48 - timedelta(days=7), 30, 30, 40),
    )
    digest, _ = digests.build(digests.week_of())
    console = Console(record=True, width=110, color_system=None)
    console.print(render(digest, EN))
    text = console.export_text()
    for line in (
        "Acme NPS, week 2026-W48 (from 2026-11-23)",
        "NPS +30 (95% CI +14 to +44) from 100 answers",
        "Up 39 points from last week (significant, p = 0.00)",  # adjusted: 29.1 - (-9.7)
        "Promoters 50 (50%) · Passives 30 (30%) · Detractors 20 (20%)",
        "Response rate 100% of 100 delivered · comment rate 35%",
        "slow checkout",
        "friendly staff",
        "plan: pro",
    ):
        assert line in text, line


def test_a_small_week_widens_its_detail_to_four_weeks(db: Database, digests: Digests) -> None:
    window = week_of_answers(WEEK_48, 4, 2, 2)
    for weeks_back in (1, 2, 3):
        window += week_of_answers(WEEK_48 - timedelta(weeks=weeks_back), 10, 5, 5)
    seed(db, window + week_of_answers(WEEK_48 - timedelta(weeks=4), 40, 0, 0))  # 4: outside
    digest, _ = digests.build(digests.week_of())
    assert digest.counts.n == 8 and digest.detail_weeks == 4
    assert digest.sentiment.n == sum(1 for row in window if row[2])
    assert sum(s.estimate.n for s in digest.segments if s.dimension == "plan") == 8 + 3 * 20
    assert say.segments_heading(EN, digest) == "Segments of the last 4 weeks"
    assert say.sentiment_line(EN, digest).startswith("Comment sentiment of the last 4 weeks")


def test_a_full_week_keeps_its_own_detail(db: Database, digests: Digests) -> None:
    seed(db, week_of_answers(WEEK_48 - timedelta(weeks=1), 10, 5, 5))
    seed(db, week_of_answers(WEEK_48, 20, 10, 10))
    digest, _ = digests.build(digests.week_of())
    assert digest.detail_weeks == 1 and digest.sentiment.n == 15  # 10 promoters, 5 detractors
    assert say.segments_heading(EN, digest) == "Segments"


def test_rates_per_platform(db: Database, digests: Digests) -> None:
    seed(db, week_of_answers(WEEK_48, 20, 10, 10))
    seed(db, week_of_answers(WEEK_48, 5, 5, 10), platform="telegram")
    digest, _ = digests.build(digests.week_of())
    slack, telegram = digest.platforms
    figures = (slack.platform, slack.delivered, slack.answered, slack.commented)
    assert figures == ("slack", 40, 40, 15)
    assert (telegram.platform, telegram.delivered, telegram.commented) == ("telegram", 20, 8)
    assert telegram.response_rate == 1.0 and telegram.comment_rate == pytest.approx(0.4)
    assert "Telegram: 100% of 20 invitations answered, 40% of answers commented" in (
        say.platforms_line(EN, digest) or ""
    )


def test_weekly_counts_group_each_week_as_its_own_query_would(db: Database) -> None:
    """One grouped scan: answers on a week's first instant count in that week, an empty week
    counts zero, and answers outside the weeks are left out."""
    weeks = [WEEK_48 - timedelta(days=7 * back) for back in (3, 2, 1, 0)]
    seed(
        db,
        week_of_answers(weeks[0] - timedelta(minutes=1), 1, 1, 1)  # starts before the first week
        + week_of_answers(weeks[1], 4, 2, 1)  # the first answer on the week's first instant
        + week_of_answers(weeks[3] + timedelta(days=6, hours=23), 2, 0, 3),  # some after it
    )
    spans = [store.Span(start, start + timedelta(days=7)) for start in weeks]
    with db.session() as session:
        grouped = store.weekly_counts(session=session, spans=spans)
        one_by_one = [store.week_counts(session=session, span=span) for span in spans]
        assert grouped == one_by_one
        assert grouped[1] == Counts(4, 2, 1) and grouped[2] == Counts(0, 0, 0)
        assert sum(c.n for c in grouped) < 3 + 7 + 5
        with pytest.raises(ValueError, match="consecutive"):
            store.weekly_counts(session=session, spans=[spans[0], spans[2]])
