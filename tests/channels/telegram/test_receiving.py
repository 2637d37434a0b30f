"""How updates arrive: only Telegram (holding the secret) gets in, and each update counts once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import select

from bot.app import NpsBot
from bot.db import Database
from bot.models import Respondent
from channels.sandbox.telegram import TelegramSandbox
from channels.telegram.webhook import PATH, SECRET_HEADER
from tests.channels.telegram.conftest import JANE, SECRET, said, texts
from tests.phrases import phrase

START = json.loads((Path(__file__).parent / "payloads" / "update_message_start.json").read_text())


def command_update(update_id: int, command: str) -> dict[str, Any]:
    """Jane's next message in the private chat, a bare command."""
    message = {**START["message"], "message_id": 2, "text": command}
    message["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


@pytest.mark.parametrize("bot", ["webhook"], indirect=True)
@pytest.mark.database
async def test_secret_json_and_replays(bot: NpsBot, sandbox: TelegramSandbox, db: Database) -> None:
    url = f"http://127.0.0.1:{bot.port}{PATH}"
    sandbox.started.add(JANE)  # these updates bypass the sandbox, which would have seen /start
    async with aiohttp.ClientSession() as http:

        async def post(body: Any, secret: str | None = SECRET) -> int:
            headers = {SECRET_HEADER: secret} if secret is not None else {}
            data = body if isinstance(body, str) else json.dumps(body)
            headers["Content-Type"] = "application/json"
            async with http.post(url, data=data, headers=headers) as answer:
                return answer.status

        assert await post(START, secret=None) == 403
        assert await post(START, secret="wrong") == 403
        assert await post(START, secret=SECRET[:-1]) == 403
        with db.session() as session:
            assert session.exec(select(Respondent)).all() == []
        assert await post("{not json") == 400
        assert await post({"message": START["message"]}) == 400

        assert await post(START) == 200
        assert await post(START) == 200  # Telegram's retry of the same update_id
        assert await post(command_update(START["update_id"] + 1, "/help")) == 200

    await said(sandbox, JANE, "/timezone Europe/Berlin - set")  # updates run in order
    assert len(texts(sandbox, JANE, "subscribed")) == 1
    with db.session() as session:
        [jane] = session.exec(select(Respondent)).all()
    assert (jane.platform_user_id, jane.display_name) == (str(JANE), "Jane")
    [registered] = sandbox.calls_to("setWebhook")
    assert registered.params["secret_token"] == SECRET
    assert registered.params["url"] == url
    assert set(registered.params["allowed_updates"]) == {
        "message",
        "callback_query",
        "my_chat_member",
    }


@pytest.mark.database
async def test_polling_replay_is_processed_once(
    bot: NpsBot, sandbox: TelegramSandbox, db: Database
) -> None:
    sandbox.enqueue_raw(START)
    sandbox.enqueue_raw(START)
    sandbox.enqueue_raw(command_update(START["update_id"] + 1, "/timezone"))
    await said(sandbox, JANE, phrase("timezone.usage"))  # updates run in order
    assert len(texts(sandbox, JANE, "subscribed")) == 1
    sandbox.send_text(JANE, "/skip")
    await said(sandbox, JANE, phrase("survey.nothing_to_skip"))
    cleared = sandbox.calls_to("deleteWebhook")
    assert cleared and not any(call.params.get("drop_pending_updates") for call in cleared)
