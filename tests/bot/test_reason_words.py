"""Stored reasons said in the team's language: every code the scheduler and the store write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.invites import InviteResult
from bot.reason_words import reason_text, send_reply
from bot.store.claims import CRASHED_WHILE_SENDING, LOST_AGAIN, NO_ANSWER, RESENT
from bot.store.reconcile import FOUND, GAVE_UP, RELEASED
from scheduling.dispatch import BOUNCED
from scheduling.explain import INACTIVE
from scheduling.fatigue import Reason
from scheduling.journal import DO_NOT_DISTURB
from scheduling.single_sends import OPEN_INVITATION
from tests.phrases import CATALOGUE, english_left

CODES = [
    *(reason.value for reason in Reason),
    DO_NOT_DISTURB,
    NO_ANSWER,
    BOUNCED,
    CRASHED_WHILE_SENDING,
    RESENT,
    LOST_AGAIN,
    FOUND,
    GAVE_UP,
    RELEASED,
    OPEN_INVITATION,
    INACTIVE,
    "forgotten",
    "unreachable or inactive",
]
AT = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("language", ["de", "ja"])
def test_every_stored_reason_has_the_team_language_words(language: str) -> None:
    words = CATALOGUE.words(language)
    for code in CODES:
        assert reason_text(words, code) != code, code
    assert reason_text(words, None) == words.t("status.other")
    assert reason_text(words, "Slack: not_in_channel") == "Slack: not_in_channel"  # as given


def test_send_replies_say_why_and_when_in_the_team_language() -> None:
    de = CATALOGUE.words("de")
    window = InviteResult(False, "outside…", AT, why="outside window", next_possible=AT)
    capped = InviteResult(False, "daily cap…", why="daily cap", next_possible=AT)
    dnd = InviteResult(False, "do not disturb…", AT, why=DO_NOT_DISTURB)
    platform = InviteResult(False, "Slack: account_inactive", why="")
    replies = {
        "window": send_reply(de, "<@U1>", window),
        "capped": send_reply(de, "<@U1>", capped),
        "dnd": send_reply(de, "<@U1>", dnd),
        "platform": send_reply(de, "<@U1>", platform),
        "sent": send_reply(de, "<@U1>", InviteResult(True)),
    }
    assert replies["window"] == (
        "Umfrage für <@U1>: außerhalb des Sendefensters der Person; geplant für"
        " 2026-12-02 10:00 UTC."
    )
    assert replies["capped"].startswith(
        "Nicht an <@U1> gesendet: Tageslimit (frühestens 2026-12-02 10:00 UTC)."
    )
    assert replies["dnd"] == "Umfrage für <@U1>: nicht stören; geplant für 2026-12-02 10:00 UTC."
    assert "Slack: account_inactive" in replies["platform"]
    for name, reply in replies.items():
        if name == "platform":
            continue  # the platform's own error text is shown as it gave it
        assert not english_left(reply, "de", prefixes=("admin.", "reason.", "send.")), name
