"""Why an invitation did not go out, said in the team's language.

Reasons are stored and served as stable codes (`opted out`, `daily cap`: the values of
`scheduling.fatigue.Reason` and the few the dispatcher and the store add), which the API, the
metrics and the CLI show as they are. `/nps status` and `/nps send` say them in the team's
words; a reason no code names (a platform's own error text) is shown as the platform gave it.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.clock import when
from bot.i18n import Words
from bot.invites import InviteResult
from bot.store.claims import CRASHED_WHILE_SENDING, LOST_AGAIN, NO_ANSWER, RESENT
from bot.store.reconcile import FOUND, GAVE_UP, RELEASED


def _known(words: Words) -> dict[str, Callable[[], str]]:
    """Each key written out, so `make i18n` finds it."""
    return {
        "opted out": lambda: words.t("reason.opted_out"),
        "unreachable": lambda: words.t("reason.unreachable"),
        "paused": lambda: words.t("reason.paused"),
        "minimum gap": lambda: words.t("reason.minimum_gap"),
        "trigger cooldown": lambda: words.t("reason.trigger_cooldown"),
        "daily cap": lambda: words.t("reason.daily_cap"),
        "outside window": lambda: words.t("reason.outside_window"),
        "a survey is already open": lambda: words.t("reason.open_invitation"),
        "do not disturb": lambda: words.t("reason.do_not_disturb"),
        "rate limited": lambda: words.t("reason.rate_limited"),
        "forgotten": lambda: words.t("reason.forgotten"),
        "inactive": lambda: words.t("reason.inactive"),
        "unreachable or inactive": lambda: words.t("reason.unreachable_or_inactive"),
        CRASHED_WHILE_SENDING: lambda: words.t("reason.crashed"),
        NO_ANSWER: lambda: words.t("reason.uncertain"),
        RESENT: lambda: words.t("reason.resent"),
        LOST_AGAIN: lambda: words.t("reason.lost_again"),
        FOUND: lambda: words.t("reason.found"),
        GAVE_UP: lambda: words.t("reason.gave_up"),
        RELEASED: lambda: words.t("reason.released"),
        "unknown respondent": lambda: words.t("reason.unknown_respondent"),
        "they opted out of surveys": lambda: words.t("reason.opted_out_of_surveys"),
        "the platform says they cannot be messaged": lambda: words.t("reason.cannot_be_messaged"),
    }


def reason_text(words: Words, reason: str | None) -> str:
    """A stored reason in the team's words; None is "other", an unknown text stays as is."""
    if not reason:
        return words.t("status.other")
    say = _known(words).get(reason)
    return say() if say is not None else reason


def token_problem(words: Words, platform: str, reason: str) -> str:
    """The workspace's problem while its platform refuses the bot's token."""
    name = {"slack": "Slack", "telegram": "Telegram"}.get(platform, platform)
    return words.t("problem.token", platform=name, reason=reason)


def send_reply(words: Words, person: str, result: InviteResult) -> str:
    """The answer to `/nps send @person`: sent, scheduled for when, or not sent and why."""
    if result.sent:
        return words.t("admin.sent", person=person)
    reason = reason_text(words, result.why) if result.why else result.reason
    if result.scheduled_for is not None:
        at = when(result.scheduled_for)
        if result.why == "outside window":
            later = words.t("send.window_scheduled", at=at)
        else:
            later = words.t("send.scheduled_after", reason=reason, at=at)
        return words.t("admin.scheduled", person=person, reason=later)
    if result.next_possible is not None:
        reason = words.t("send.next_possible", reason=reason, at=when(result.next_possible))
    return words.t("admin.not_sent", person=person, reason=reason)


def problem_text(words: Words, kind: str, problem: str) -> str:
    """A workspace problem as its admins read it. A job's failure (`scheduling.workspace_guard`)
    is stored as the error's own text and said here as "<job> failed: <error>"; every other
    problem was written in the team's words already."""
    jobs = {
        "planning": lambda: words.t("job.planning"),
        "reminders": lambda: words.t("job.reminders"),
        "announcements": lambda: words.t("job.announcements"),
    }
    job = jobs.get(kind)
    return words.t("problem.job_failed", job=job(), error=problem) if job else problem
