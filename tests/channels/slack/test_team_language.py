"""NPSBOT_TEAM_LANGUAGE=de through bolt: every `/nps` reply a team reads is German, none of
the English catalogue's wording is left (the command syntax itself stays as typed)."""

from __future__ import annotations

from bot.admin_parse import USAGE
from tests.channels.slack.conftest import StartBot
from tests.channels.slack.harness import SlackHarness
from tests.phrases import english_left, phrase

PEOPLE = [f"UK{i:02d}" for i in range(52)]
"""More than `/nps audience list` names (50), so it counts the rest."""

OLD_ENGLISH = (
    "every 90 days",
    "Cadence",
    "Unknown command",
    "Usage:",
    "respondent(s)",
    "(opted out)",
    "more",
    "see /nps status",
    "mover alerts",
    "follow-up",
    "quiet hours",
    "daily cap",
    "reminder",
    "never",
    "could not be posted",
    "archived",
    "choose another",
)
"""Wording that was hard-coded in English before the catalogues said it."""


async def _replies(slack: SlackHarness, *commands: str) -> dict[str, str]:
    return {text: await slack.command(text, user_id="UADMIN") for text in commands}


def _no_english(replies: dict[str, str], language: str) -> None:
    """Neither the catalogue's English nor the old hard-coded English, once the command
    syntax quoted in usage lines (`reminder N|off`) is set aside."""
    for command, said in replies.items():
        reply = said
        for usage in USAGE.values():
            reply = reply.replace(usage, "")
        assert not english_left(reply, language), (command, reply, english_left(reply, language))
        for english in OLD_ENGLISH:
            assert english not in reply, (command, english, reply)


async def test_a_german_team_reads_every_nps_reply_in_german(start_bot: StartBot) -> None:
    slack = await start_bot(NPSBOT_TEAM_LANGUAGE="de")
    for user_id in PEOPLE:
        slack.sandbox.add_user(user_id, name=f"kunde{user_id[2:]}")
    slack.sandbox.add_channel("C0KUNDEN", [*PEOPLE, "U0BOT"])
    gone = slack.sandbox.add_channel("C0ALT", ["UADMIN", "U0BOT"], name="alt")

    setup = await _replies(
        slack,
        "audience add <#C0KUNDEN|kunden>",
        "optout <@UK00|kunde00>",
        "digest channel <#C0ALT>",
    )
    assert setup["audience add <#C0KUNDEN|kunden>"] == "52 Befragte hinzugefügt."
    gone.is_archived = True  # the digest channel goes: a problem the next replies carry
    posted = await slack.command("digest now", user_id="UADMIN", timeout=60)

    replies = await _replies(
        slack,
        "status",
        "cadence",
        "cadence days 30 quiet 22:00-07:00 daily-cap 40 reminder 3",
        "frobnicate",
        "send",
        "cadence days x",
        "cadence colour blue",
        "cadence window Mxx-Fri 10:00-17:00",
        "cadence quiet 25:00-07:00",
        "cadence quiet 10:00-10:00",
        "cadence window Mon-Fri 18:00-09:00",
        "audience list",
        "send <@UK00|kunde00>",
    )
    replies |= {**setup, "digest now": posted}

    assert replies["status"].startswith("*Status*: läuft\n*Rhythmus*: alle 90 Tage; ")
    assert "Mo.,Di.,Mi.,Do.,Fr." in replies["status"]
    assert "*Letzter Bericht*: nie" not in replies["status"]  # the digest ran just now
    assert "*Den Kreis schließen*: Veränderungs-Alerts " in replies["status"]
    assert "C0ALT" in replies["status"]  # the problem, in the status
    assert replies["cadence"].startswith("Rhythmus: alle 90 Tage; ")
    updated = replies["cadence days 30 quiet 22:00-07:00 daily-cap 40 reminder 3"]
    assert updated.startswith("Rhythmus geändert: alle 30 Tage; ")
    assert "Ruhezeit 22:00-07:00; Tageslimit 40; Erinnerung nach 3 T." in updated
    assert replies["frobnicate"].startswith("Unbekannter Befehl 'frobnicate'.")
    assert replies["send"] == "Verwendung: /nps send @user [--force]"
    assert replies["cadence days x"].startswith("'days' braucht eine ganze Zahl")
    assert replies["cadence colour blue"].startswith("Unbekannte Rhythmus-Einstellung 'colour'")
    listed = replies["audience list"]
    first_line = listed.split("\n")[0]
    assert first_line.startswith("52 Befragte: ") and first_line.endswith(" und 2 weitere")
    assert phrase("admin.audience_opted_out", "de", name="kunde00") in listed
    assert replies["send <@UK00|kunde00>"].startswith(
        "Nicht an <@UK00> gesendet: die Person hat sich von Umfragen abgemeldet."
    )
    problem = phrase(
        "problem.digest_target", "de", chat="C0ALT", hint=phrase("hint.slack_archived", "de")
    )
    assert problem in replies["status"]
    assert replies["digest now"] == problem  # not "no digest channel is set": it is, and failed
    for command in ("cadence", "audience list", "send <@UK00|kunde00>"):  # each carries it
        assert replies[command].endswith(f"\n:warning: {problem} (siehe /nps status)"), command
    _no_english(replies, "de")
