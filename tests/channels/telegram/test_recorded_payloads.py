"""Recorded Telegram payloads (`payloads/*.json`) through the real PTB stack into our adapter,
and the sandbox's own updates and answers held against them field by field."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import select
from telegram import Bot

from bot import wording
from bot.app import NpsBot
from bot.channel import Alert, RateLimited, RecipientUnreachable, TargetUnavailable
from bot.db import Database
from bot.models import Respondent, Response
from channels.sandbox.telegram import FloodLimits, TelegramSandbox
from channels.telegram.errors import platform_errors
from tests.channels.telegram.conftest import eventually, imported, said
from tests.phrases import EN, phrase

PAYLOADS = Path(__file__).parent / "payloads"
BOT_ID = 7012345678  # the recorded bot, @acme_nps_bot
JANE = 412345678
OSCAR = 398765432
SUPERGROUP = -1001987654321


def recorded(name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())
    return payload


ERRORS = recorded("api_responses_errors")


def shape(value: Any) -> Any:
    """Keys and value types, recursively: what must match between sandbox and recording."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    """The sandbox as the recorded bot, with the recorded people."""
    async with TelegramSandbox(
        token=f"{BOT_ID}:RECORDED", bot_id=BOT_ID, bot_username="acme_nps_bot"
    ) as fake:
        jane = recorded("update_message_start")["message"]["from"]
        fake.add_user(
            JANE,
            first_name=jane["first_name"],
            last_name=jane["last_name"],
            username=jane["username"],
            language_code=jane["language_code"],
        )
        fake.add_user(OSCAR, first_name="Oscar", username="ops_oscar")
        fake.add_group(SUPERGROUP, title="Acme Customer Beta", admins=[], members=[OSCAR])
        yield fake


def jane_row(db: Database) -> Respondent | None:
    with db.session() as session:
        return session.exec(
            select(Respondent).where(Respondent.platform_user_id == str(JANE))
        ).first()


async def test_start_subscribes(bot: NpsBot, sandbox: TelegramSandbox, db: Database) -> None:
    sandbox.enqueue_raw(recorded("update_message_start"))
    await said(sandbox, JANE, "subscribed")
    jane = jane_row(db)
    assert jane is not None and (jane.display_name, jane.locale) == ("Jane", "en")


async def test_score_comment_and_block(bot: NpsBot, sandbox: TelegramSandbox, db: Database) -> None:
    sandbox.world.started.add(JANE)
    respondent_id = imported(bot, JANE, name="Jane", workspace=str(BOT_ID))
    assert (await bot.dispatcher.invite_now(respondent_id=respondent_id)).sent
    question = await said(sandbox, JANE, "How likely")
    invitation = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]

    press = recorded("update_callback_query_nps_score")  # as recorded: an unknown survey id
    sandbox.enqueue_raw(press)
    await sandbox.wait_for_calls("answerCallbackQuery")
    stale = phrase("telegram.stale_button")
    assert sandbox.calls_to("answerCallbackQuery")[-1].params["text"] == stale

    ours = copy.deepcopy(press)
    ours["update_id"] += 10
    ours["callback_query"]["id"] += "0"
    ours["callback_query"]["message"]["message_id"] = question["message_id"]
    ours["callback_query"]["data"] = f"nps:{invitation}:9"
    sandbox.enqueue_raw(ours)
    followup = await said(sandbox, JANE, "/skip")

    reply = recorded("update_message_text_reply")
    reply["update_id"] += 10
    reply["message"]["message_id"] = followup["message_id"] + 1
    reply["message"]["reply_to_message"]["message_id"] = followup["message_id"]
    sandbox.enqueue_raw(reply)

    def stored() -> Response | None:
        with db.session() as session:
            return session.exec(select(Response).where(Response.comment.is_not(None))).first()  # type: ignore[union-attr]

    answer = await eventually(stored)
    assert (answer.score, answer.comment) == (9, "Support resolved my issue within an hour.")

    blocked = recorded("update_my_chat_member_blocked")
    blocked["update_id"] += 10
    sandbox.enqueue_raw(blocked)
    await eventually(lambda: (row := jane_row(db)) is not None and row.unreachable)


async def test_group_command_is_answered_in_the_group(
    bot: NpsBot, sandbox: TelegramSandbox
) -> None:
    sandbox.enqueue_raw(recorded("update_group_command"))
    answer = await said(sandbox, SUPERGROUP, "Unknown command 'results'")
    assert answer["reply_to_message"]["message_id"] == 1187


async def call(sandbox: TelegramSandbox, method: str, **params: Any) -> Any:
    """A raw Bot API call: the JSON `result` as the sandbox put it on the wire."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sandbox.base_url}{sandbox.token}/{method}", json=params) as answer,
    ):
        return (await answer.json())["result"]


async def test_sandbox_updates_have_the_recorded_shapes(sandbox: TelegramSandbox) -> None:
    start = sandbox.send_text(JANE, "/start survey_S2024Q2")
    assert shape(start) == shape(recorded("update_message_start"))

    press = recorded("update_callback_query_nps_score")
    markup = press["callback_query"]["message"]["reply_markup"]
    sent = await call(sandbox, "sendMessage", chat_id=JANE, text="How?", reply_markup=markup)
    ours = sandbox.press_button(JANE, message_id=sent["message_id"], data="nps:S2024Q2:9")
    assert shape(ours) == shape(press)

    question = await call(sandbox, "sendMessage", chat_id=JANE, text="What is the reason?")
    reply = sandbox.send_text(JANE, "Fine.", reply_to_message_id=question["message_id"])
    assert shape(reply) == shape(recorded("update_message_text_reply"))

    assert shape(sandbox.block(JANE)) == shape(recorded("update_my_chat_member_blocked"))

    command = sandbox.send_text(OSCAR, "/nps@acme_nps_bot results", chat_id=SUPERGROUP)
    group_command = recorded("update_group_command")
    assert shape(command) == shape(group_command)
    assert command["message"]["entities"] == group_command["message"]["entities"]

    me = await call(sandbox, "getMe")
    assert shape(me) | shape(ERRORS["getMe_ok"]["body"]["result"]) == shape(me)


@pytest.mark.parametrize(
    ("name", "team", "expected"),
    [
        ("flood_429", False, RateLimited),
        ("blocked_403", False, RecipientUnreachable),
        ("never_started_403", False, RecipientUnreachable),
        ("deactivated_403", False, RecipientUnreachable),
        ("chat_not_found_400", False, RecipientUnreachable),
        ("chat_not_found_400", True, TargetUnavailable),
        ("blocked_403", True, TargetUnavailable),
    ],
)
async def test_recorded_errors_map_to_the_cores_terms(
    sandbox: TelegramSandbox, name: str, team: bool, expected: type[Exception]
) -> None:
    answer = ERRORS[name]
    body = answer["body"]
    sandbox.fail_next(
        "sendMessage",
        status=answer["http_status"],
        description=body["description"],
        parameters=body.get("parameters"),
    )
    async with Bot(sandbox.token, base_url=sandbox.base_url) as bot:
        words = EN if team else None
        with pytest.raises(expected) as caught, platform_errors("send", team=words):
            await bot.send_message(SUPERGROUP if team else JANE, "x")
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after == 35


ALERT = Alert(1, 2, "Jane", labels=wording.alert_labels(EN, score=2, respondent="Jane", owner=None))


async def test_recorded_migration_is_followed(bot: NpsBot, sandbox: TelegramSandbox) -> None:
    answer = ERRORS["group_migrated_400"]
    sandbox.fail_next(
        "sendMessage", status=400, parameters=answer["body"]["parameters"], description=None
    )
    adapter = bot.adapters["telegram"]
    ref = await adapter.post_alert(chat_id="-4000000001", alert=ALERT)
    assert ref is not None and ref.chat_id == str(SUPERGROUP)
    refused = sandbox.calls_to("sendMessage")[0]
    assert refused.error == answer["body"]["description"]


async def test_sandbox_error_answers_have_the_recorded_shapes(sandbox: TelegramSandbox) -> None:
    """The sandbox's own refusals, read off the wire: same status, wording and fields."""
    sandbox.add_group(-4000000002, title="Old", admins=[], members=[])
    sandbox.upgrade_group(-4000000002, by=OSCAR, new_chat_id=SUPERGROUP - 1)
    sandbox.add_user(5)
    sandbox.add_user(6, started=True)
    sandbox.block(6)
    sandbox.add_user(7, started=True)
    sandbox.world.deactivated.add(7)
    cases = {
        "never_started_403": 5,
        "blocked_403": 6,
        "deactivated_403": 7,
        "chat_not_found_400": 999,
        "group_migrated_400": -4000000002,
    }
    async with aiohttp.ClientSession() as http:
        for name, chat in cases.items():
            url = f"{sandbox.base_url}{sandbox.token}/sendMessage"
            async with http.post(url, json={"chat_id": chat, "text": "x"}) as answer:
                body = await answer.json()
            expected = ERRORS[name]
            assert answer.status == expected["http_status"], name
            assert body["description"] == expected["body"]["description"], name
            assert shape(body) == shape(expected["body"]), name
        async with TelegramSandbox(flood=FloodLimits(chat_burst=1), require_start=False) as other:
            other.add_user(JANE)
            url = f"{other.base_url}{other.token}/sendMessage"
            for _ in range(2):
                async with http.post(url, json={"chat_id": JANE, "text": "x"}) as answer:
                    body = await answer.json()
    assert answer.status == 429 and shape(body) == shape(ERRORS["flood_429"]["body"])
    assert (
        body["description"] == f"Too Many Requests: retry after {body['parameters']['retry_after']}"
    )
