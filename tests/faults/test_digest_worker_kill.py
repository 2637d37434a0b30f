"""A bot killed outright (SIGKILL) takes its digest worker with it.

`npsbot run` starts the digest worker at start-up to warm it (unless NPSBOT_PRELOAD_MODELS is
false, so this bot preloads); a killed bot cannot stop its pool, so the worker notices its
parent is gone and exits, rather than waiting for work forever with the bot's stdout and
stderr held open.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from bot.db import Database
from channels.sandbox.telegram import TelegramSandbox
from tests.ops.process import Npsbot, environment


def workers_of(pid: int) -> list[int]:
    """The digest worker processes (spawned by multiprocessing) whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if ppid == pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


async def test_a_killed_bots_digest_worker_exits_too(db: Database, tmp_path: Path) -> None:
    async with TelegramSandbox() as sandbox:
        env = environment(
            TELEGRAM_BOT_TOKEN=sandbox.token,
            NPSBOT_TELEGRAM_API_URL=sandbox.base_url,
            NPSBOT_DATABASE_URL=db.url,
            NPSBOT_PRELOAD_MODELS="true",
        )
        bot = await Npsbot.start(env, tmp_path)
        try:
            await bot.url()
            async with asyncio.timeout(30):
                while not (workers := workers_of(bot.process.pid)):
                    await asyncio.sleep(0.05)
        finally:
            async with asyncio.timeout(60):  # the output ends once no process holds it
                await bot.kill()
    assert bot.process.returncode == -9
    async with asyncio.timeout(10):
        while any(alive(pid) for pid in workers):
            await asyncio.sleep(0.05)
