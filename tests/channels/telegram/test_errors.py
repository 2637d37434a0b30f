"""Whose problem a Telegram error is: the workspace's token, a team chat, or one person."""

from __future__ import annotations

import pytest

from bot import wording
from bot.channel import (
    Alert,
    Question,
    Recipient,
    RecipientUnreachable,
    TargetUnavailable,
    WorkspaceUnauthorized,
)
from channels.sandbox.telegram import TelegramSandbox
from channels.telegram import TelegramAdapter
from tests.channels.telegram.conftest import ADMIN, GROUP, JANE
from tests.phrases import EN

QUESTION = Question(
    invitation_id=1,
    text="How likely are you to recommend Acme?",
    low_label="0 = not at all likely",
    high_label="10 = extremely likely",
    opt_out_label="Don't ask me again",
    remind_label="Remind me later",
)
ALERT = Alert(
    response_id=1,
    score=2,
    respondent="Jane",
    labels=wording.alert_labels(EN, score=2, respondent="Jane", owner=None),
)


async def test_a_rejected_token_is_the_workspaces_problem(
    adapter: TelegramAdapter, sandbox: TelegramSandbox
) -> None:
    sandbox.add_user(JANE, started=True)
    sandbox.fail_next("sendMessage", status=401)
    with pytest.raises(WorkspaceUnauthorized, match="rejected the bot token"):
        await adapter.send_question(recipient=Recipient(user_id=str(JANE)), question=QUESTION)


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        (lambda sandbox: sandbox.block(JANE), "blocked by the user"),
        (lambda sandbox: sandbox.world.deactivated.add(JANE), "user is deactivated"),
        (lambda sandbox: sandbox.world.started.discard(JANE), "can't initiate conversation"),
    ],
)
async def test_person_level_403s_mark_only_that_person(
    adapter: TelegramAdapter, sandbox: TelegramSandbox, setup: object, error: str
) -> None:
    sandbox.add_user(JANE, started=True)
    setup(sandbox)  # type: ignore[operator]
    with pytest.raises(RecipientUnreachable, match=error) as caught:
        await adapter.send_question(recipient=Recipient(user_id=str(JANE)), question=QUESTION)
    assert not isinstance(caught.value, TargetUnavailable | WorkspaceUnauthorized)


async def test_a_team_group_the_bot_cannot_post_to(
    adapter: TelegramAdapter, sandbox: TelegramSandbox
) -> None:
    sandbox.remove_bot(GROUP, by=ADMIN)
    with pytest.raises(
        TargetUnavailable, match="bot was kicked from the supergroup chat"
    ) as kicked:
        await adapter.post_alert(chat_id=str(GROUP), alert=ALERT)
    assert "/nps alerts here" in kicked.value.hint
    with pytest.raises(TargetUnavailable, match="Chat not found"):
        await adapter.post_alert(chat_id="-1009999999999", alert=ALERT)
