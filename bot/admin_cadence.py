"""`/nps cadence`: the workspace's survey cadence written from parsed options, and described."""

from __future__ import annotations

from bot.models import Workspace

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
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


def describe_cadence(workspace: Workspace) -> str:
    days = ",".join(DAY_NAMES[int(day)] for day in workspace.send_days.split(",") if day)
    quiet = (
        f"quiet {workspace.quiet_start}-{workspace.quiet_end}"
        if workspace.quiet_start
        else "no quiet hours"
    )
    reminder = (
        f"reminder after {workspace.reminder_after_days}d"
        if workspace.reminder_after_days
        else "no reminder"
    )
    cap = f"daily cap {workspace.daily_cap}" if workspace.daily_cap else "no daily cap"
    return (
        f"every {workspace.cadence_days} days; gaps {workspace.gap_unanswered_days}d "
        "after no answer, "
        f"{workspace.gap_answered_days}d after an answer, trigger cooldown "
        f"{workspace.trigger_cooldown_days}d; window {days} {workspace.window_start}-"
        f"{workspace.window_end} local; {quiet}; {cap}; {reminder}; "
        f"invitations expire after {workspace.expiry_days}d"
    )
