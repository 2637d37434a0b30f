"""`/nps cadence`: the workspace's survey cadence written from parsed options, and described
in the team's language (`cadence.*` keys)."""

from __future__ import annotations

from babel.dates import get_day_names

from bot.i18n import Words
from bot.models import Workspace

CADENCE_COLUMNS = {
    "days": "cadence_days",
    "gap-unanswered": "gap_unanswered_days",
    "gap-answered": "gap_answered_days",
    "cooldown": "trigger_cooldown_days",
    "expiry": "expiry_days",
    "daily-cap": "daily_cap",
    "reminder": "reminder_after_days",
    "send-days": "send_days",
}


def apply_cadence(workspace: Workspace, options: dict[str, str]) -> None:
    """Write parsed cadence options onto the workspace row."""
    for key, value in options.items():
        if key == "window":
            workspace.window_start, workspace.window_end = value.split("-")
        elif key == "quiet":
            workspace.quiet_start, workspace.quiet_end = (
                (None, None) if value == "off" else value.split("-")
            )
        elif key in {"daily-cap", "reminder"}:
            setattr(workspace, CADENCE_COLUMNS[key], None if value == "off" else int(value))
        elif key == "send-days":
            workspace.send_days = value
        else:
            setattr(workspace, CADENCE_COLUMNS[key], int(value))


def describe_cadence(workspace: Workspace, words: Words) -> str:
    """The cadence in one line of the team's language, the days as its calendar writes them."""
    names = get_day_names("abbreviated", locale=words.language)
    days = ",".join(names[int(day)] for day in workspace.send_days.split(",") if day)
    quiet = (
        words.t("cadence.quiet", start=workspace.quiet_start, end=workspace.quiet_end)
        if workspace.quiet_start
        else words.t("cadence.no_quiet")
    )
    reminder = (
        words.t("cadence.reminder", days=workspace.reminder_after_days)
        if workspace.reminder_after_days
        else words.t("cadence.no_reminder")
    )
    cap = (
        words.t("cadence.cap", cap=workspace.daily_cap)
        if workspace.daily_cap
        else words.t("cadence.no_cap")
    )
    return words.t(
        "cadence.summary",
        every=workspace.cadence_days,
        gap_unanswered=workspace.gap_unanswered_days,
        gap_answered=workspace.gap_answered_days,
        cooldown=workspace.trigger_cooldown_days,
        days=days,
        start=workspace.window_start,
        end=workspace.window_end,
        quiet=quiet,
        cap=cap,
        reminder=reminder,
        expiry=workspace.expiry_days,
    )
