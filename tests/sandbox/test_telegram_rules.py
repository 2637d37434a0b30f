"""Each rule the Telegram sandbox enforces, shown refusing what Telegram refuses (via PTB)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter

from channels.sandbox.telegram import ApiError, FloodLimits, TelegramSandbox
from channels.sandbox.telegram.flood import FloodControl

JANE = 412345678
ADMIN = 398765432
GROUP = -4012345678  # a basic group: supergroups have -100… ids


@pytest.fixture(autouse=True)
def retry_after_as_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def sandbox() -> AsyncIterator[TelegramSandbox]:
    """Flood limits raised: these tests send faster than a chat allows, to reach other rules."""
    async with TelegramSandbox(flood=FloodLimits.relaxed()) as fake:
        fake.add_user(JANE, first_name="Jane", started=True)
        fake.add_group(GROUP, title="Acme CS", admins=[ADMIN], members=[JANE])
        yield fake


@pytest.fixture
async def bot(sandbox: TelegramSandbox) -> AsyncIterator[Bot]:
    async with Bot(sandbox.token, base_url=sandbox.base_url) as client:
        yield client


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("price < value", 'Unsupported start tag "" at byte offset 6'),
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<br>line", 'Unsupported start tag "br" at byte offset 0'),
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("ok</i>", "Unexpected end tag at byte offset 2"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="https://x.example"', "Unclosed start tag at byte offset 0"),
        ("é<b", "Unclosed start tag at byte offset 2"),  # offsets count UTF-8 bytes
    ],
)
async def test_bad_html_is_refused_in_telegrams_words(
    sandbox: TelegramSandbox, bot: Bot, html: str, error: str
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(JANE, html, parse_mode="HTML")
    [refused] = sandbox.calls_to("sendMessage")
    assert (refused.status, refused.error) == (400, f"Bad Request: can't parse entities: {error}")
    assert sandbox.sent_messages(JANE) == []


async def test_html_is_stored_as_text_and_entities(sandbox: TelegramSandbox, bot: Bot) -> None:
    html = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><del>d</del>"
        '<span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler><a href="https://x.io">a</a>'
        '<code>c</code><pre><code class="language-py">x</code></pre><blockquote expandable>'
        "z</blockquote> &lt;&gt;&amp;&quot;&#39;&#x27; &nbsp; &copy;"
    )
    sent = await bot.send_message(JANE, html, parse_mode="HTML")
    assert sent.text == "bsieunsdpqacxz <>&\"'' &nbsp; &copy;"
    kinds = [(e.type, e.offset, e.length) for e in sent.entities]
    assert kinds[:4] == [("bold", 0, 1), ("bold", 1, 1), ("italic", 2, 1), ("italic", 3, 1)]
    assert [e.type for e in sent.entities][-3:] == ["code", "pre", "expandable_blockquote"]
    assert sent.entities[-2].language == "py"
    assert sandbox.sent_messages(JANE)[-1]["text"] == sent.text


async def test_lengths_count_utf16_units_after_parsing(bot: Bot) -> None:
    await bot.send_message(JANE, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")  # tags are free
    await bot.send_message(JANE, "😀" * 2048)  # 4,096 UTF-16 units
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(JANE, "😀" * 2048 + "x")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(JANE, "<b> </b>", parse_mode="HTML")
    await bot.send_photo(JANE, photo=b"png", caption="&amp;" * 1024, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(JANE, photo=b"png", caption="😀" * 512 + "x")


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([[InlineKeyboardButton("x", callback_data="x" * 65)]], "Button_data_invalid"),
        ([[InlineKeyboardButton("é", callback_data="é" * 33)]], "Button_data_invalid"),  # bytes
        ([[InlineKeyboardButton(str(n), callback_data=str(n)) for n in range(9)]], "too long"),
        ([[InlineKeyboardButton("n", callback_data=f"{r}")] for r in range(101)], "too long"),
        ([[InlineKeyboardButton("just text")]], "Text buttons are unallowed"),
    ],
)
async def test_inline_keyboard_limits(
    bot: Bot, rows: list[list[InlineKeyboardButton]], error: str
) -> None:
    with pytest.raises(BadRequest, match=f"(?i){error}"):
        await bot.send_message(JANE, "pick", reply_markup=InlineKeyboardMarkup(rows))


async def test_flood_control_per_chat_and_per_group() -> None:
    async with TelegramSandbox(require_start=False) as sandbox:
        sandbox.add_user(1)
        sandbox.add_group(GROUP, title="Team", admins=[], members=[1])
        async with Bot(sandbox.token, base_url=sandbox.base_url) as bot:
            for _ in range(3):  # a short burst in one chat passes
                await bot.send_message(1, "hi")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(1, "one too many")
            assert caught.value.retry_after.total_seconds() == 1
            for _ in range(20):
                await bot.send_message(GROUP, "alert")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(GROUP, "the 21st this minute")
            assert caught.value.retry_after.total_seconds() == 3
            await bot.get_me()  # not a send: never throttled
    assert [call.status for call in sandbox.calls_to("sendMessage")].count(429) == 2
    assert sandbox.calls_to("sendMessage")[-1].error == "Too Many Requests: retry after 3"
    assert len(sandbox.sent_messages(1)) == 3 and len(sandbox.sent_messages(GROUP)) == 20


def test_flood_control_overall_30_per_second() -> None:
    now = [100.0]
    flood = FloodControl(FloodLimits(), clock=lambda: now[0])
    for chat_id in range(1, 31):
        flood.check("sendMessage", chat_id)
    with pytest.raises(ApiError) as caught:
        flood.check("sendPhoto", 31)
    assert caught.value.body["parameters"] == {"retry_after": 1}
    now[0] += 0.5  # half a second later, fifteen more may go
    for chat_id in range(32, 47):
        flood.check("sendMessage", chat_id)
    with pytest.raises(ApiError):
        flood.check("sendMessage", 47)
    flood.check("getChat", 47)


async def test_group_upgraded_to_supergroup(sandbox: TelegramSandbox, bot: Bot) -> None:
    new_id = sandbox.upgrade_group(GROUP, by=ADMIN)
    assert str(new_id).startswith("-100")
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(GROUP, "alert")
    assert caught.value.new_chat_id == new_id
    assert sandbox.calls_to("sendMessage")[-1].error == (
        "Bad Request: group chat was upgraded to a supergroup chat"
    )
    updates = await bot.get_updates()
    assert [u.message.migrate_to_chat_id for u in updates] == [new_id, None]
    assert updates[1].message.migrate_from_chat_id == GROUP
    assert (await bot.send_message(new_id, "alert")).chat.type == "supergroup"


async def test_a_reply_must_name_a_message_of_that_chat(sandbox: TelegramSandbox, bot: Bot) -> None:
    alert = await bot.send_message(GROUP, "alert")
    reply = await bot.send_message(GROUP, "relayed", reply_to_message_id=alert.message_id)
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == alert.message_id
    elsewhere = [(await bot.send_message(JANE, "hello")).message_id for _ in range(3)][-1]
    for missing in (elsewhere, 9999):  # Jane's chat has the id, the group does not
        with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
            await bot.send_message(GROUP, "x", reply_to_message_id=missing)


async def test_bot_removed_from_group(sandbox: TelegramSandbox, bot: Bot) -> None:
    update = sandbox.remove_bot(GROUP, by=ADMIN)
    change = update["my_chat_member"]
    assert (change["chat"]["id"], change["new_chat_member"]["status"]) == (GROUP, "kicked")
    [received] = await bot.get_updates()
    assert received.my_chat_member.old_chat_member.status == "member"
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(GROUP, "alert")
    assert (await bot.get_chat_member(GROUP, bot.id)).status == "kicked"


async def test_blocked_deactivated_and_never_started(sandbox: TelegramSandbox, bot: Bot) -> None:
    sandbox.add_user(7)
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(7, "survey")
    sandbox.world.deactivated.add(JANE)
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(JANE, "survey")


async def test_fault_injection_of_any_code_and_parameters(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    sandbox.fail_next("sendMessage", status=400, parameters={"migrate_to_chat_id": -1009})
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(GROUP, "x")
    assert caught.value.new_chat_id == -1009
    sandbox.fail_next("sendMessage", status=403, description="Forbidden: user is deactivated")
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(JANE, "x")
    sandbox.fail_next("sendMessage", status=401)
    with pytest.raises(InvalidToken):
        await bot.send_message(JANE, "x")
    sandbox.fail_next("sendMessage", status=429, parameters={"retry_after": 12})
    with pytest.raises(RetryAfter) as limited:
        await bot.send_message(JANE, "x")
    assert limited.value.retry_after.total_seconds() == 12
    assert sandbox.sent_messages(JANE) == []
    await bot.send_message(JANE, "faults are used up")


async def test_set_webhook_checks_its_parameters(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)max_connections"):
        await bot.set_webhook("https://bot.example/hook", max_connections=101)
    with pytest.raises(BadRequest, match="unallowed characters"):
        await bot.set_webhook("https://bot.example/hook", secret_token="no spaces")


async def test_webhook_pushes_in_parallel_up_to_max_connections(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    in_flight: set[int] = set()
    peak = 0
    three_at_once = asyncio.Event()
    release = asyncio.Event()

    async def receive(request: web.Request) -> web.Response:
        nonlocal peak
        update = await request.json()
        chat = update["message"]["chat"]["id"]
        assert chat not in in_flight, "two updates of one chat were in flight at once"
        in_flight.add(chat)
        peak = max(peak, len(in_flight))
        if len(in_flight) == 3:
            three_at_once.set()
        await release.wait()
        in_flight.discard(chat)
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        for user_id in range(1, 6):
            sandbox.send_text(user_id, f"hello from {user_id}")
            sandbox.send_text(user_id, "and again")
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", max_connections=3)
        await asyncio.wait_for(three_at_once.wait(), 5)
        release.set()
        await sandbox.wait_idle(timeout=5)
    finally:
        await runner.cleanup()
    assert peak == 3
    assert len(sandbox.webhook_attempts) == 10
    order = [a.update_id for a in sorted(sandbox.webhook_attempts, key=lambda a: a.started)]
    for first in range(order[0], order[0] + 10, 2):  # each user's two updates, in order
        assert order.index(first) < order.index(first + 1)


async def test_callback_answers_and_command_lists_are_checked(
    sandbox: TelegramSandbox, bot: Bot
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("9", callback_data="nps:1:9")]])
    sent = await bot.send_message(JANE, "How likely?", reply_markup=keyboard)
    press = sandbox.press_button(JANE, message_id=sent.message_id, data="nps:1:9")
    query_id = press["callback_query"]["id"]
    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="x" * 200)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)  # once only
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("NPS", "Upper case is not allowed")])
    with pytest.raises(BadRequest, match=r"(?i)description is too long"):
        await bot.set_my_commands([("nps", "x" * 257)])
