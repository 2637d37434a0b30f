"""The team's group moves or goes: alerts follow a supergroup upgrade, a removal drops targets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import store
from bot.app import NpsBot
from bot.db import Database
from channels.sandbox.telegram import TelegramSandbox
from tests.channels.telegram.conftest import (
    ADMIN,
    GROUP,
    MEMBER,
    eventually,
    imported,
    said,
    texts,
)

BASIC = -4001234567  # a basic group; its supergroup gets a -100… id
CUSTOMERS = (701, 702, 703)


def alert_targets(db: Database) -> list[str]:
    with db.session() as session:
        workspaces = store.list_workspaces(session=session)
        return [
            target.chat_id
            for workspace in workspaces
            for target in store.targets(
                session=session, workspace_id=workspace.id or 0, kind="alerts"
            )
        ]


async def score(bot: NpsBot, sandbox: TelegramSandbox, user_id: int, value: int) -> None:
    """Invite a customer now and have them press `value`."""
    sandbox.add_user(user_id, first_name=f"Customer {user_id}", started=True)
    respondent_id = imported(bot, user_id, name=f"Customer {user_id}")
    assert (await bot.dispatcher.invite_now(respondent_id=respondent_id)).sent
    question = await said(sandbox, user_id, "How likely")
    invitation = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    sandbox.press_button(
        user_id, message_id=question["message_id"], data=f"nps:{invitation}:{value}"
    )


async def alerts_group(bot: NpsBot, sandbox: TelegramSandbox) -> None:
    sandbox.add_group(BASIC, title="Acme CS", admins=[ADMIN], members=[MEMBER])
    sandbox.send_text(ADMIN, "/nps alerts here", chat_id=BASIC)
    await said(sandbox, BASIC, "Detractor alerts will be posted to this chat")


async def test_alerts_follow_a_group_upgraded_mid_week(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    """The bot missed the upgrade's service messages: the next send meets 400 with
    migrate_to_chat_id, is sent again to the supergroup, and the stored target moves."""
    await alerts_group(bot, sandbox)
    await score(bot, sandbox, CUSTOMERS[0], 2)
    await said(sandbox, BASIC, "Detractor alert: score 2/10")

    bot.clock.advance(timedelta(days=2))  # type: ignore[attr-defined]
    supergroup = sandbox.upgrade_group(BASIC, by=ADMIN, announce=False)
    await score(bot, sandbox, CUSTOMERS[1], 4)
    await said(sandbox, supergroup, "Detractor alert: score 4/10")
    refused = [c for c in sandbox.calls_to("sendMessage") if c.params["chat_id"] == BASIC]
    assert refused[-1].status == 400 and "upgraded to a supergroup" in (refused[-1].error or "")
    assert alert_targets(db) == [str(supergroup)]

    sends_to_old = len(refused)
    await score(bot, sandbox, CUSTOMERS[2], 0)
    await said(sandbox, supergroup, "Detractor alert: score 0/10")
    assert len([c for c in sandbox.calls_to("sendMessage") if c.params["chat_id"] == BASIC]) == (
        sends_to_old
    )


async def test_an_alert_from_before_the_upgrade_is_left_and_the_target_moves(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    """A comment after the upgrade refreshes an alert that stays in the old group: the edit
    meets 400 with migrate_to_chat_id, nothing breaks, and the target moves."""
    await alerts_group(bot, sandbox)
    await score(bot, sandbox, CUSTOMERS[0], 2)
    await said(sandbox, BASIC, "Detractor alert: score 2/10")
    followup = await said(sandbox, CUSTOMERS[0], "/skip")
    supergroup = sandbox.upgrade_group(BASIC, by=ADMIN, announce=False)
    sandbox.send_text(CUSTOMERS[0], "too slow", reply_to_message_id=followup["message_id"])
    await eventually(lambda: alert_targets(db) == [str(supergroup)])
    [edit] = sandbox.calls_to("editMessageText")[-1:]
    assert edit.status == 400 and edit.params["chat_id"] == BASIC


@pytest.mark.database
async def test_the_upgrade_service_message_moves_the_target_at_once(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    await alerts_group(bot, sandbox)
    supergroup = sandbox.upgrade_group(BASIC, by=ADMIN)
    await eventually(lambda: alert_targets(db) == [str(supergroup)])
    await score(bot, sandbox, CUSTOMERS[0], 1)
    await said(sandbox, supergroup, "Detractor alert: score 1/10")
    assert all(c.status == 200 for c in sandbox.calls_to("sendMessage"))


@pytest.mark.database  # the only cover of drop_target
async def test_bot_removed_from_the_team_group_drops_its_targets(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    sandbox.send_text(ADMIN, "/nps alerts here", chat_id=GROUP)
    await said(sandbox, GROUP, "Detractor alerts will be posted")
    sandbox.send_text(ADMIN, "/nps digest here", chat_id=GROUP)
    await said(sandbox, GROUP, "Weekly digests will be posted")
    sandbox.remove_bot(GROUP, by=ADMIN)
    await eventually(lambda: not alert_targets(db))
    posts_to_group = sum(c.params.get("chat_id") == GROUP for c in sandbox.calls)

    sandbox.add_group(BASIC, title="Acme leads", admins=[ADMIN], members=[])
    sandbox.send_text(ADMIN, "/nps status", chat_id=BASIC)
    status = await said(sandbox, BASIC, "Problem")
    for kind in ("alerts", "digest"):
        assert (
            f"{kind} could not be posted to {GROUP}: the bot was removed from Acme CS by Oscar"
            f" Ops. Add the bot back, then /nps {kind} here" in status["text"]
        )
    await score(bot, sandbox, CUSTOMERS[0], 3)
    await said(sandbox, CUSTOMERS[0], "/skip")  # the follow-up: the answer was handled
    assert sum(c.params.get("chat_id") == GROUP for c in sandbox.calls) == posts_to_group

    sandbox.add_bot(GROUP, by=ADMIN)  # back in the group, an admin sets it again
    sandbox.send_text(ADMIN, "/nps alerts here", chat_id=GROUP)
    # The second such answer: `said` would find the first one at once, and /nps status (from
    # another chat, so not behind this one) could then run before the target is set again.
    await eventually(lambda: len(texts(sandbox, GROUP, "Detractor alerts will be posted")) == 2)
    sandbox.send_text(ADMIN, "/nps status", chat_id=BASIC)
    await eventually(
        lambda: len([m for m in sandbox.sent_messages(BASIC) if "Status" in m["text"]]) == 2
    )
    now = sandbox.sent_messages(BASIC)[-1]["text"]
    assert "alerts could not be posted" not in now and "digest could not be posted" in now
