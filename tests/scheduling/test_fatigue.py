"""The fatigue policy: windows across DST, quiet hours, gaps on every path."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.models import Workspace
from scheduling.fatigue import History, Policy, Reason, RespondentState, decide
from scheduling.send_window import in_window, next_send_time
from tests.scheduling.helpers import utc

WEEKDAYS_10_17 = Policy()
EVERY_DAY = Policy(send_days=frozenset(range(7)))


def _sweep(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    moments, moment = [], start
    while moment < end:
        moments.append(moment)
        moment += step
    return moments


@pytest.mark.parametrize(
    ("tz", "start", "end"),
    [
        ("Europe/Berlin", utc(2025, 3, 24), utc(2025, 4, 5)),  # clocks forward 30 March
        ("Europe/Berlin", utc(2025, 10, 20), utc(2025, 11, 1)),  # clocks back 26 October
        ("America/New_York", utc(2025, 3, 3), utc(2025, 3, 15)),  # forward 9 March
        ("America/New_York", utc(2025, 10, 27), utc(2025, 11, 8)),  # back 2 November
    ],
)
def test_next_send_time_stays_in_local_window_across_dst(
    tz: str, start: datetime, end: datetime
) -> None:
    local = ZoneInfo(tz)
    for after in _sweep(start, end, timedelta(minutes=37)):
        sent = next_send_time(policy=WEEKDAYS_10_17, tz=tz, after=after)
        wall = sent.astimezone(local)
        assert sent >= after
        assert sent.tzinfo is not None and sent.utcoffset() == timedelta(0)
        assert wall.weekday() < 5
        assert time(10) <= wall.time() < time(17), (after, wall)
        # Earliest: either right away, or exactly when the local window opens.
        assert sent == after or wall.time() == time(10)


def test_window_opens_at_ten_local_on_both_sides_of_the_switch() -> None:
    before = next_send_time(policy=WEEKDAYS_10_17, tz="Europe/Berlin", after=utc(2025, 3, 28))
    after = next_send_time(policy=WEEKDAYS_10_17, tz="Europe/Berlin", after=utc(2025, 3, 31))
    assert before == utc(2025, 3, 28, 9)  # CET, UTC+1
    assert after == utc(2025, 3, 31, 8)  # CEST, UTC+2
    autumn = next_send_time(policy=WEEKDAYS_10_17, tz="Europe/Berlin", after=utc(2025, 10, 27))
    assert autumn == utc(2025, 10, 27, 9)
    new_york = next_send_time(policy=WEEKDAYS_10_17, tz="America/New_York", after=utc(2025, 3, 10))
    assert new_york == utc(2025, 3, 10, 14)  # EDT, UTC-4


def test_window_inside_the_skipped_hour_opens_when_clocks_jump() -> None:
    policy = Policy(send_days=frozenset(range(7)), window_start=time(2, 30), window_end=time(4))
    spring = next_send_time(policy=policy, tz="Europe/Berlin", after=utc(2025, 3, 29, 23))
    assert spring == utc(2025, 3, 30, 1)  # 03:00 CEST, the first moment past 02:30
    autumn = next_send_time(policy=policy, tz="Europe/Berlin", after=utc(2025, 10, 25, 23))
    assert autumn == utc(2025, 10, 26, 0, 30)  # the first 02:30, still CEST


def test_weekend_waits_for_monday_and_unknown_zone_means_utc() -> None:
    saturday = utc(2025, 6, 7, 12)
    assert next_send_time(policy=WEEKDAYS_10_17, tz=None, after=saturday) == utc(2025, 6, 9, 10)
    assert next_send_time(policy=WEEKDAYS_10_17, tz="Mars/Olympus", after=saturday) == utc(
        2025, 6, 9, 10
    )


def test_quiet_hours_wrapping_midnight() -> None:
    policy = Policy(
        send_days=frozenset(range(7)),
        window_start=time(0),
        window_end=time(23, 59),
        quiet_start=time(22),
        quiet_end=time(8),
    )
    assert not in_window(policy, "UTC", utc(2025, 6, 2, 23))
    assert not in_window(policy, "UTC", utc(2025, 6, 2, 3))
    assert in_window(policy, "UTC", utc(2025, 6, 2, 8))
    assert next_send_time(policy=policy, tz="UTC", after=utc(2025, 6, 2, 22, 30)) == utc(
        2025, 6, 3, 8
    )
    tokyo = next_send_time(policy=policy, tz="Asia/Tokyo", after=utc(2025, 6, 2, 14))  # 23:00
    assert tokyo == utc(2025, 6, 2, 23)  # 08:00 JST


def test_quiet_hours_cut_a_hole_in_the_window() -> None:
    policy = Policy(quiet_start=time(12), quiet_end=time(13, 30))
    assert next_send_time(policy=policy, tz="UTC", after=utc(2025, 6, 2, 12, 15)) == utc(
        2025, 6, 2, 13, 30
    )
    assert in_window(policy, "UTC", utc(2025, 6, 2, 11, 59))


def test_policy_from_workspace_reads_every_column() -> None:
    workspace = Workspace(
        platform="slack",
        external_id="T",
        cadence_days=60,
        send_days="1,3",
        window_start="09:30",
        window_end="24:00",
        quiet_start="22:00",
        quiet_end="07:00",
        daily_cap=50,
        reminder_after_days=None,
        paused=True,
    )
    policy = Policy.from_workspace(workspace)
    assert policy.cadence_days == 60
    assert policy.send_days == frozenset({1, 3})
    assert policy.window_start == time(9, 30) and policy.window_end == time.max
    assert policy.quiet_start == time(22) and policy.quiet_end == time(7)
    assert policy.daily_cap == 50 and policy.reminder_after_days is None and policy.paused
    defaults = Policy.from_workspace(Workspace(platform="slack", external_id="T"))
    assert defaults == Policy()


NOW = utc(2025, 6, 4, 11)  # a Wednesday, inside the window
FREE = RespondentState()


def _decide(history: History, **kwargs: object):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {
        "policy": EVERY_DAY,
        "respondent_state": FREE,
        "now": NOW,
        "source": "scheduled",
    }
    options.update(kwargs)
    return decide(history=history, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("source", ["scheduled", "triggered", "manual"])
def test_gap_after_unanswered_is_thirty_days(source: str) -> None:
    recent = History(
        last_sent_at=NOW - timedelta(days=29), last_unanswered_sent_at=NOW - timedelta(days=29)
    )
    refused = _decide(recent, source=source, event="deploy")
    assert (refused.allowed, refused.reason) == (False, Reason.MINIMUM_GAP)
    assert refused.not_before == NOW + timedelta(days=1)
    old = History(
        last_sent_at=NOW - timedelta(days=30), last_unanswered_sent_at=NOW - timedelta(days=30)
    )
    assert _decide(old, source=source, event="deploy").allowed


@pytest.mark.parametrize("source", ["scheduled", "triggered", "manual"])
def test_gap_after_answer_is_ninety_days(source: str) -> None:
    answered = History(
        last_sent_at=NOW - timedelta(days=60), last_answered_at=NOW - timedelta(days=60)
    )
    refused = _decide(answered, source=source, event="deploy")
    assert refused.reason == Reason.MINIMUM_GAP
    assert refused.not_before == NOW + timedelta(days=30)
    later = History(
        last_sent_at=NOW - timedelta(days=91), last_answered_at=NOW - timedelta(days=90)
    )
    assert _decide(later, source=source, event="deploy").allowed


def test_force_bypasses_gaps_for_manual_only_and_never_opt_out() -> None:
    recent = History(last_sent_at=NOW - timedelta(days=1), last_answered_at=NOW - timedelta(days=1))
    assert _decide(recent, source="manual", force=True).allowed
    assert _decide(recent, source="scheduled", force=True).reason == Reason.MINIMUM_GAP
    assert _decide(recent, source="triggered", force=True).reason == Reason.MINIMUM_GAP
    opted_out = _decide(
        History(), source="manual", force=True, respondent_state=RespondentState(opted_out=True)
    )
    assert (opted_out.allowed, opted_out.reason, opted_out.not_before) == (
        False,
        Reason.OPTED_OUT,
        None,
    )


def test_vetoes_come_before_gaps() -> None:
    recent = History(last_unanswered_sent_at=NOW - timedelta(days=1))
    both = RespondentState(opted_out=True, unreachable=True)
    assert _decide(recent, respondent_state=both).reason == Reason.OPTED_OUT
    assert (
        _decide(recent, respondent_state=RespondentState(unreachable=True)).reason
        == Reason.UNREACHABLE
    )
    paused = Policy(send_days=frozenset(range(7)), paused=True)
    assert _decide(recent, policy=paused).reason == Reason.PAUSED


def test_trigger_cooldown_is_per_event_type() -> None:
    history = History(last_triggered_at={"deploy": NOW - timedelta(days=10)})
    refused = _decide(history, source="triggered", event="deploy")
    assert (refused.reason, refused.not_before) == (
        Reason.TRIGGER_COOLDOWN,
        NOW + timedelta(days=20),
    )
    assert _decide(history, source="triggered", event="ticket closed").allowed
    assert _decide(history, source="scheduled").allowed


def test_daily_cap_points_to_the_next_day() -> None:
    capped = Policy(send_days=frozenset(range(7)), daily_cap=10)
    refused = _decide(History(), policy=capped, sent_today=10)
    assert (refused.reason, refused.not_before) == (Reason.DAILY_CAP, utc(2025, 6, 5, 10))
    assert _decide(History(), policy=capped, sent_today=9).allowed


def test_outside_window_is_deferrable_not_a_refusal() -> None:
    night = _decide(History(), now=utc(2025, 6, 4, 20))
    assert night.reason == Reason.OUTSIDE_WINDOW and night.deferrable
    assert night.not_before == utc(2025, 6, 5, 10)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError):
        next_send_time(policy=WEEKDAYS_10_17, tz="UTC", after=datetime(2025, 6, 4))
    assert utc(2025, 1, 1).tzinfo is UTC
