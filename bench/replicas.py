"""More npsbot replicas, each the real bot in a process of its own, on one PostgreSQL.

Past what one process can answer, npsbot scales as it is deployed: several replicas behind
one URL, sharing the database that holds the claims, leases and dedupe marks. A bench asks
this for the extra replicas beside the bot it hosts, and spreads the clicks over them all as
a round-robin load balancer would.

    async with serving(settings, db=db) as bot:     # one warm replica, in this process
        ...
    async with Replicas(settings_kwargs, count=1, spool=tmp) as extra:
        ... extra.urls ...                 # each replica's /slack/events
        spent = await extra.cpu()          # CPU seconds the replicas used so far, summed
        await extra.idle()                 # until no replica runs a job
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
from collections.abc import AsyncIterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Self

from bot.app import NpsBot
from bot.db import Database
from bot.settings import Settings


@contextlib.asynccontextmanager
async def serving(settings: Settings, *, db: Database | None = None) -> AsyncIterator[NpsBot]:
    """The real bot serving Slack on a free port, its models loaded (their loading is no
    request's CPU), until the block ends; then stopped as a SIGTERM stops `npsbot run`."""
    bot = NpsBot(settings, db=db, platforms=["slack"])
    task = asyncio.create_task(bot.serve(port=0))
    try:
        await bot.wait_started()
        await bot.warmed_up()
        yield bot
    finally:
        bot.begin_shutdown()
        await bot.stop()
        await task


class Replicas:
    """`count` spawned processes, each serving `NpsBot(Settings(**settings))` on its own port."""

    def __init__(self, settings: dict[str, Any], *, count: int, spool: Path) -> None:
        self._settings = settings
        self._count = count
        self._spool = spool
        self._children: list[tuple[Connection, multiprocessing.process.BaseProcess]] = []
        self.urls: list[str] = []

    async def __aenter__(self) -> Self:
        context = multiprocessing.get_context("spawn")  # the parent has a loop and threads
        for n in range(self._count):
            conn, child_conn = multiprocessing.Pipe()
            # Each its own spool: a spool is one process's, on its host's disk.
            settings = {**self._settings, "NPSBOT_SPOOL_DIR": str(self._spool / f"replica-{n}")}
            child = context.Process(target=_serve, args=(settings, child_conn), daemon=True)
            child.start()
            self._children.append((conn, child))
        ports = await asyncio.gather(*(self._ask(n, None) for n in range(self._count)))
        self.urls = [f"http://127.0.0.1:{port}/slack/events" for port in ports]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for conn, child in self._children:
            conn.send("stop")
            await asyncio.to_thread(child.join, 30)
            conn.close()

    async def cpu(self) -> float:
        """CPU seconds all replicas have used, all threads (their own clocks, summed)."""
        return sum(await asyncio.gather(*(self._ask(n, "cpu") for n in range(self._count))))

    async def idle(self) -> None:
        """Until no replica runs a job (the clicks' follow-ups are done)."""
        await asyncio.gather(*(self._ask(n, "idle") for n in range(self._count)))

    async def _ask(self, n: int, command: str | None) -> Any:
        conn, child = self._children[n]
        if command is not None:
            conn.send(command)

        def receive() -> Any:
            while not conn.poll(0.1):
                if not child.is_alive():
                    raise RuntimeError(f"replica {n} died; see its traceback above")
            return conn.recv()

        return await asyncio.to_thread(receive)


def _serve(settings: dict[str, Any], conn: Connection) -> None:
    async def serve() -> None:
        async with serving(Settings(**settings)) as bot:
            conn.send(bot.port)
            loop = asyncio.get_running_loop()
            while (command := await loop.run_in_executor(None, conn.recv)) != "stop":
                if command == "cpu":
                    conn.send(time.process_time())
                elif command == "idle":
                    await bot.jobs.idle(timeout=120)
                    conn.send(None)

    asyncio.run(serve())
