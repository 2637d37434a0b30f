"""Telegram's refusals: blocked users are given up on, flood limits are waited out,
a timeout is reported as possibly delivered."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select
from telegram.error import RetryAfter, TimedOut

from bot import store
from bot.app import NpsBot
from bot.channel import ChannelError, DeliveryUncertain, RateLimited
from bot.db import Database
from bot.models import InvitationSource, Respondent
from channels.sandbox.telegram import TelegramSandbox
from channels.telegram.errors import platform_errors
from channels.telegram.http import AiohttpRequest
from tests.channels.telegram.conftest import JANE, respondent, said, subscribe
from tests.phrases import phrase


async def processed_so_far(sandbox: TelegramSandbox, bot: NpsBot) -> None:
    """Every update Telegram holds was confirmed (so recorded as a job), and every job ran."""
    await sandbox.wait_idle()
    await bot.jobs.idle()


async def test_blocked_user_is_unreachable_and_skipped(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    jane = await subscribe(sandbox, db)
    sandbox.blocked.add(JANE)  # blocked just now: the send meets 403 before the update arrives
    result = await bot.dispatcher.invite_now(respondent_id=jane.id or 0)
    assert not result.sent
    assert sandbox.calls_to("sendMessage")[-1].status == 403
    assert respondent(db, JANE).unreachable
    sandbox.block(JANE)  # then Telegram's my_chat_member update, handled without harm
    await processed_so_far(sandbox, bot)
    assert respondent(db, JANE).unreachable

    with db.session() as session:
        row = session.get(Respondent, jane.id)
        assert row is not None
        now = bot.clock.now()
        store.create_invitation(
            session=session, respondent=row, source=InvitationSource.SCHEDULED, due_at=now, now=now
        )
    sends = len(sandbox.calls_to("sendMessage"))
    report = await bot.dispatcher.run_pass()
    assert (report.sent, report.skipped) == (0, {"unreachable": 1})
    assert len(sandbox.calls_to("sendMessage")) == sends

    # The sandbox's unblock update (kicked -> member) lacks old_chat_member.until_date, which
    # PTB cannot parse; lift the block without it, then /start as Telegram's "Restart" does.
    sandbox.blocked.discard(JANE)
    sandbox.send_text(JANE, "/start")
    await said(sandbox, JANE, phrase("start.welcome_back"))
    assert not respondent(db, JANE).unreachable


async def test_block_update_alone_marks_unreachable(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    await subscribe(sandbox, db)
    sandbox.block(JANE)
    await processed_so_far(sandbox, bot)
    jane = respondent(db, JANE)
    assert (jane.unreachable, jane.unreachable_reason) == (True, "blocked the bot")


# PTB's own RetryAfter warns that `retry_after` will become a timedelta (PTB_TIMEDELTA).
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_limit_delays_the_send_once(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    jane = await subscribe(sandbox, db)
    sandbox.fail_next("sendMessage", status=429, retry_after=1)
    loop = asyncio.get_running_loop()
    began = loop.time()
    result = await bot.dispatcher.invite_now(respondent_id=jane.id or 0)
    assert result.sent, result.reason
    assert loop.time() - began >= 1.0
    assert [call.status for call in sandbox.calls_to("sendMessage")][-2:] == [429, 200]
    assert len([m for m in sandbox.sent_messages(JANE) if "How likely" in m["text"]]) == 1
    with db.session() as session:
        assert session.exec(select(Respondent.unreachable)).one() is False


@pytest.mark.parametrize("retry_after", [3, timedelta(seconds=3)])
def test_flood_control_beyond_the_limiter_is_rate_limited(retry_after: int | timedelta) -> None:
    with pytest.raises(RateLimited) as raised, platform_errors("send"):
        raise RetryAfter(retry_after)
    assert raised.value.retry_after == 3.0


def test_a_timeout_is_uncertain_unless_the_request_never_left() -> None:
    with pytest.raises(DeliveryUncertain), platform_errors("send"):
        raise TimedOut() from httpx.ReadTimeout("no answer")
    for cause in (httpx.PoolTimeout("no free connection"), httpx.ConnectTimeout("no route")):
        with pytest.raises(ChannelError) as raised, platform_errors("send"):
            raise TimedOut() from cause
        assert not isinstance(raised.value, DeliveryUncertain)


async def test_the_bot_api_requests_timeouts_say_whether_the_request_left() -> None:
    """Over aiohttp (`channels.telegram.http`): an answer that never comes is uncertain; a
    wait for a free connection that runs out sent nothing, so it may be tried again."""
    silent: list[asyncio.StreamWriter] = []

    async def never_answer(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        silent.append(writer)  # reads nothing, answers nothing, keeps the connection open

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/botX/sendMessage"
    request = AiohttpRequest(connections=1, read_timeout=1.0, connect_timeout=0.1, pool_timeout=0.2)
    await request.initialize()
    try:
        on_the_wire = asyncio.create_task(request.post(url))
        while not silent:
            await asyncio.sleep(0.01)
        with pytest.raises(ChannelError) as waited, platform_errors("send"):
            await request.post(url)  # the one connection is taken
        assert not isinstance(waited.value, DeliveryUncertain)
        with pytest.raises(DeliveryUncertain), platform_errors("send"):
            await on_the_wire
    finally:
        await request.shutdown()
        for writer in silent:
            writer.close()
        server.close()
        await server.wait_closed()
