"""Hostile and odd input is answered in one line and stored safely, never a traceback."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.admin_parse import UsageError, parse
from bot.app import NpsBot
from bot.db import Database
from bot.events import AdminCommand, Origin, Subscribed
from bot.models import Respondent, Workspace
from bot.sanitize import MAX_ATTRIBUTES, clean_event, merge_attributes


async def admin(bot: NpsBot, text: str) -> str | None:
    origin = Origin(platform="slack", workspace="T1", user_id="UADMIN")
    return await bot.handle(AdminCommand(origin, "C1", text))


@pytest.mark.parametrize("number", ["²", "⑤", "٣", "1²", "1" * 12])
def test_only_ascii_digits_are_numbers(number: str) -> None:
    with pytest.raises(UsageError, match="whole number of days"):
        parse(f"cadence days {number}")


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("cadence window Mon-Fri 17:00-10:00", "wrap past midnight"),
        ("cadence window Mon-Fri 10:00-10:00", "same time"),
        ("cadence quiet 08:00-08:00", "same time"),
        ("cadence window Mon-Fri 1O:00-17:00", "Times look like"),
    ],
)
def test_a_typo_in_the_window_is_refused_with_a_hint(text: str, hint: str) -> None:
    with pytest.raises(UsageError, match=hint):
        parse(text)


def test_quiet_hours_may_wrap_midnight() -> None:
    assert parse("cadence quiet 22:00-08:00").options == {"quiet": "22:00-08:00"}


@pytest.mark.parametrize("who", ["@" + "U" * 65, "@U1\x00", "@U<!here>", "²"])
def test_ids_out_of_format_are_usage_errors(who: str) -> None:
    with pytest.raises(UsageError, match="Usage: /nps send"):
        parse(f"send {who}")


async def test_typoed_window_changes_nothing(bot: NpsBot, db: Database) -> None:
    await admin(bot, "status")  # the workspace exists, with the default window
    reply = await admin(bot, "cadence window Mon-Fri 17:00-10:00")
    assert reply is not None and "wrap past midnight" in reply
    with db.session() as session:
        workspace = session.exec(select(Workspace)).one()
    assert (workspace.window_start, workspace.window_end) == ("10:00", "17:00")


async def test_control_characters_never_reach_the_database(bot: NpsBot, db: Database) -> None:
    origin = Origin(platform="telegram", workspace="42", user_id="7\x00")
    attributes = {f"k{i}\x00": f"v\x07{i}" for i in range(10)}
    await bot.handle(Subscribed(origin, chat_id="7", attributes=attributes, name="Ann\x00e"))
    with db.session() as session:
        person = session.exec(select(Respondent)).one()
    assert person.platform_user_id == "7" and person.display_name == "Anne"
    assert person.attributes == {f"k{i}": f"v{i}" for i in range(10)}


async def test_deep_links_cannot_grow_attributes_without_end(bot: NpsBot, db: Database) -> None:
    origin = Origin(platform="telegram", workspace="42", user_id="7")
    for link in range(10):
        attributes = {f"key{link}-{i}": "x" * 500 for i in range(400)}
        await bot.handle(Subscribed(origin, chat_id="7", attributes=attributes))
    with db.session() as session:
        person = session.exec(select(Respondent)).one()
    assert len(person.attributes) == MAX_ATTRIBUTES
    assert all(len(value) <= 200 for value in person.attributes.values())


def test_known_attributes_still_update_at_the_cap() -> None:
    full = {f"k{i}": "old" for i in range(MAX_ATTRIBUTES)}
    merged = merge_attributes(full, {"k0": "new", "extra": "dropped"})
    assert merged["k0"] == "new" and "extra" not in merged


def test_clean_event_keeps_line_breaks_and_tabs() -> None:
    origin = Origin(platform="slack", workspace="T1", user_id="U1")
    event = clean_event(AdminCommand(origin, "C1", "status\n\tnow\x00\x1b"))
    assert event.text == "status\n\tnow"


async def test_a_workspace_problem_is_shown_to_its_admins(bot: NpsBot, db: Database) -> None:
    await admin(bot, "status")
    with db.session() as session:
        workspace = session.exec(select(Workspace)).one()
        workspace.problems = {"planning": "the send window must start before"}
        session.add(workspace)
    status = await admin(bot, "status")
    assert status is not None and "*Problem*: planning failed" in status
    paused = await admin(bot, "pause")
    assert paused is not None and paused.endswith("(see /nps status)")
