"""The Telegram sandbox, driven by the real python-telegram-bot stack."""

from __future__ import annotations

import asyncio
import datetime as dtm
import socket
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from channels.sandbox.telegram import FloodLimits, TelegramSandbox

JANE = 412345678
GROUP = -1001987654321
_SCORES = [InlineKeyboardButton(str(n), callback_data=f"nps:S1:{n}") for n in range(11)]
KEYBOARD = InlineKeyboardMarkup([_SCORES[:6], _SCORES[6:]])  # at most 8 buttons a row
GROUP_COMMAND_FIXTURE = {
    "update_id": 583920105,
    "message": {
        "message_id": 1187,
        "from": {"id": 398765432, "is_bot": False, "first_name": "Oscar"},
        "chat": {"id": GROUP, "title": "Acme Customer Beta", "type": "supergroup"},
        "date": 1718041000,
        "text": "/nps@npsbot_sandbox_bot results",
        "entities": [{"offset": 0, "length": 23, "type": "bot_command"}],
    },
}


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    async with TelegramSandbox(webhook_retry_delay=0.01) as fake:
        fake.add_user(JANE, first_name="Jane", username="janedoe")
        yield fake


@pytest.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[Bot]:
    async with Bot(
        sandbox.token, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
    ) as client:
        yield client


def _build_app(sandbox: TelegramSandbox) -> Application:
    builder = ApplicationBuilder().token(sandbox.token).base_url(sandbox.base_url)
    return builder.base_file_url(sandbox.base_file_url).build()


async def _run_polling(app: Application, body: Any) -> None:
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            await body
        finally:
            await app.updater.stop()
            await app.stop()


async def test_start_command_reply_through_polling(sandbox: TelegramSandbox) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(f"plan={context.args[0]}")

    app = _build_app(sandbox)
    app.add_handler(CommandHandler("start", start))

    async def scenario() -> None:
        update = sandbox.send_text(JANE, "/start plan-pro")
        assert update["message"]["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
        await sandbox.wait_for_calls("sendMessage")
        await sandbox.wait_idle()

    await _run_polling(app, scenario())
    [reply] = sandbox.sent_messages(JANE)
    assert reply["text"] == "plan=plan-pro"
    assert reply["from"]["username"] == "npsbot_sandbox_bot"
    assert reply["message_id"] == 2  # ids grow per chat, shared with the user's own message
    assert JANE in sandbox.started


async def test_button_press_reaches_callback_handler(sandbox: TelegramSandbox, bot: Bot) -> None:
    sandbox.add_user(JANE, first_name="Jane", started=True)
    sent = await bot.send_message(JANE, "How likely…?", reply_markup=KEYBOARD)
    received: list[str] = []

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        received.append(query.data)
        await query.answer("Thanks!")
        await query.edit_message_text(f"You chose {query.data}")

    app = _build_app(sandbox)
    app.add_handler(CallbackQueryHandler(on_press))

    async def scenario() -> None:
        sandbox.press_button(JANE, message_id=sent.message_id, data="nps:S1:9")
        await sandbox.wait_for_calls("editMessageText")

    await _run_polling(app, scenario())
    assert received == ["nps:S1:9"]
    assert sandbox.calls_to("answerCallbackQuery")[0].status == 200
    [message] = sandbox.sent_messages(JANE)
    assert message["text"] == "You chose nps:S1:9"
    assert "reply_markup" not in message  # an edit without reply_markup drops the keyboard
    with pytest.raises(ValueError, match="no button"):
        sandbox.press_button(JANE, message_id=sent.message_id, data="nps:S1:9")


async def test_wire_format_of_recorded_calls(sandbox: TelegramSandbox, bot: Bot) -> None:
    sandbox.add_user(JANE, started=True)
    await bot.send_message(JANE, "<b>Hi</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    call = sandbox.calls_to("sendMessage")[0]
    assert call.params["chat_id"] == JANE
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"]["inline_keyboard"][1][3]["callback_data"] == "nps:S1:9"
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_text(
            "<b>Hi</b>", chat_id=JANE, message_id=1, parse_mode="HTML", reply_markup=KEYBOARD
        )
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(JANE, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "hello?")
    assert await bot.delete_message(JANE, 1)
    assert sandbox.sent_messages(JANE) == []


async def test_429_from_fault_and_from_flood_control(
    sandbox: TelegramSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # RetryAfter.retry_after as a timedelta
    sandbox.add_user(JANE, started=True)
    sandbox.fail_next("sendMessage", status=429, retry_after=7)
    async with Bot(sandbox.token, base_url=sandbox.base_url) as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(JANE, "first")
        assert caught.value.retry_after == dtm.timedelta(seconds=7)
        assert sandbox.sent_messages(JANE) == []
        await bot.send_message(JANE, "second")
    assert [m["text"] for m in sandbox.sent_messages(JANE)] == ["second"]

    async with TelegramSandbox(
        flood=FloodLimits(overall_rate=2, overall_burst=2), require_start=False
    ) as limited:
        limited.add_user(JANE)
        async with Bot(limited.token, base_url=limited.base_url) as bot:
            await bot.send_message(JANE, "1")
            await bot.send_message(JANE, "2")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(JANE, "3")
            assert caught.value.retry_after == dtm.timedelta(seconds=1)
            await bot.get_me()  # not a send method: never throttled
        assert limited.count_429 == 1
        assert [call.status for call in limited.calls_to("sendMessage")] == [200, 200, 429]


async def test_block_start_and_group_rules(sandbox: TelegramSandbox, bot: Bot) -> None:
    with pytest.raises(Forbidden, match=r"(?i)can't initiate conversation"):
        await bot.send_message(JANE, "survey")
    sandbox.send_text(JANE, "/start")
    await bot.send_message(JANE, "survey")
    update = sandbox.block(JANE)
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(JANE, "reminder")

    updates = await bot.get_updates()
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"
    sandbox.fail_next("getChat", status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.get_chat(JANE)
    assert (await bot.get_chat(JANE)).first_name == "Jane"

    sandbox.add_group(GROUP, title="Beta", admins=[JANE], members=[7], creator=8)
    statuses = [(await bot.get_chat_member(GROUP, uid)).status for uid in (JANE, 7, 8)]
    assert statuses == ["administrator", "member", "creator"]
    sandbox.send_text(7, "/nps@npsbot_sandbox_bot status", chat_id=GROUP)
    sandbox.send_text(7, "chatter the bot must not see", chat_id=GROUP)
    updates = await bot.get_updates(offset=updates[-1].update_id + 1)
    assert [u.message.text for u in updates] == ["/nps@npsbot_sandbox_bot status"]
    assert updates[0].effective_chat.type == "supergroup"


async def test_get_updates_offset_limit_timeout_and_replay(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    for text in ("a", "b", "c"):
        sandbox.send_text(JANE, text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first] == ["a", "b"]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest] == ["c"]

    loop = asyncio.get_running_loop()
    loop.call_later(0.05, sandbox.send_text, JANE, "late")
    started = loop.time()
    late = await bot.get_updates(offset=rest[-1].update_id + 1, timeout=3)
    assert [u.message.text for u in late] == ["late"]
    assert loop.time() - started < 1

    replayed = sandbox.enqueue_raw(GROUP_COMMAND_FIXTURE)
    sandbox.enqueue_raw(GROUP_COMMAND_FIXTURE)
    again = await bot.get_updates(offset=late[-1].update_id + 1)
    assert [u.update_id for u in again] == [replayed["update_id"]] * 2
    await bot.send_message(GROUP, "learnt from the fixture")
    await bot.get_updates(offset=again[-1].update_id + 1, timeout=0)
    await sandbox.wait_idle(timeout=1)


async def test_send_photo_stores_bytes(sandbox: TelegramSandbox, bot: Bot) -> None:
    sandbox.add_user(JANE, started=True)
    png = b"\x89PNG\r\n\x1a\nfake-chart"
    message = await bot.send_photo(JANE, photo=png, caption="Weekly NPS")
    [photo] = sandbox.photos
    assert (photo.data, photo.caption, photo.chat_id) == (png, "Weekly NPS", JANE)
    assert message.photo[-1].file_id == photo.file_id
    file = await bot.get_file(photo.file_id)
    assert bytes(await file.download_as_bytearray()) == png
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(JANE, photo=png, caption="x" * 1025)


async def test_webhook_push_with_secret_and_retry(sandbox: TelegramSandbox, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    answers = [500]  # the first delivery fails, the retry succeeds

    async def receive(request: web.Request) -> web.Response:
        assert request.content_type == "application/json"  # as recorded from Telegram
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=answers.pop() if answers else 200)

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        url = f"http://127.0.0.1:{port}/hook"
        assert await bot.set_webhook(url, secret_token="s3cret")
        update = sandbox.send_text(JANE, "/start")
        await sandbox.wait_idle(timeout=2)
        assert [secret for secret, _ in received] == ["s3cret", "s3cret"]
        assert received[-1][1] == update
        assert [a.status for a in sandbox.webhook_attempts] == [500, 200]
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count) == (url, 0)
        with pytest.raises(Conflict):
            await bot.get_updates()
        assert await bot.delete_webhook()
        assert await bot.get_updates() == ()
    finally:
        await runner.cleanup()


async def test_tokens_methods_and_commands(sandbox: TelegramSandbox, bot: Bot) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=sandbox.base_url):
            pass
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{sandbox.base_url}{sandbox.token}/sendCarrierPigeon") as answer:
            assert answer.status == 404
            assert await answer.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.get(f"{sandbox.base_url}{sandbox.token}/getme") as answer:
            assert (await answer.json())["result"]["username"] == "npsbot_sandbox_bot"
        markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]}
        body = {"chat_id": str(JANE), "text": "JSON body", "reply_markup": markup}
        sandbox.add_user(JANE, started=True)
        async with http.post(f"{sandbox.base_url}{sandbox.token}/sendMessage", json=body) as answer:
            assert (await answer.json())["result"]["reply_markup"] == markup
    assert (await bot.get_me()).id == 123456
    assert await bot.set_my_commands([("nps", "Survey status"), ("start", "Begin")])
    assert [c.command for c in await bot.get_my_commands()] == ["nps", "start"]
