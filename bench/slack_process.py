"""Slack's sandbox in a process of its own, as Slack is: answering the bot's Web API calls
is not the bot's CPU, so a bench that measures the bot must not host it.

    async with SlackProcess(setup, arg) as slack:   # setup(sandbox, arg) runs in the child
        ... slack.api_url, slack.bot_token, slack.team ...
        sent = await slack.ask(count_dms)            # count_dms(sandbox) runs in the child

`setup` and what `ask` runs must be module-level functions (the child is spawned, not
forked: the parent has a running loop and threads) and return what pickles.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Self, TypeVar

from channels.sandbox.slack import RateLimits, SlackSandbox

T = TypeVar("T")
Setup = Callable[..., None]


class SlackProcess:
    """A `SlackSandbox` (rate tiers scaled 1000x) served by a spawned child process."""

    def __init__(self, setup: Setup, *args: Any) -> None:
        self._setup = setup
        self._args = args
        self._conn: Connection | None = None
        self._child: multiprocessing.process.BaseProcess | None = None
        self.api_url = self.bot_token = self.team = ""

    async def __aenter__(self) -> Self:
        conn, child_conn = multiprocessing.Pipe()
        context = multiprocessing.get_context("spawn")
        self._child = context.Process(
            target=_serve, args=(self._setup, self._args, child_conn), daemon=True
        )
        self._child.start()
        self._conn = conn
        self.api_url, self.bot_token, self.team = await asyncio.to_thread(self._receive)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None and self._child is not None
        self._conn.send(None)
        await asyncio.to_thread(self._child.join, 10)
        self._conn.close()

    async def ask(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(sandbox, *args)` run on the sandbox's loop, in its process; what it returned."""
        assert self._conn is not None
        self._conn.send((fn, args))
        result: T = await asyncio.to_thread(self._receive)
        return result

    def _receive(self) -> Any:
        assert self._conn is not None and self._child is not None
        while not self._conn.poll(0.1):
            if not self._child.is_alive():
                raise RuntimeError("the Slack sandbox process died; see its traceback above")
        answer = self._conn.recv()
        if isinstance(answer, BaseException):
            raise answer
        return answer


def _serve(setup: Setup, args: tuple[Any, ...], conn: Connection) -> None:
    async def serve() -> None:
        async with SlackSandbox(rates=RateLimits().scaled(1000)) as sandbox:
            setup(sandbox, *args)
            conn.send((sandbox.api_url, sandbox.bot_token, sandbox.workspace.team_id))
            loop = asyncio.get_running_loop()
            while (request := await loop.run_in_executor(None, conn.recv)) is not None:
                fn, fn_args = request
                try:
                    conn.send(fn(sandbox, *fn_args))
                except Exception as exc:  # the asker raises it
                    conn.send(exc)

    asyncio.run(serve())
