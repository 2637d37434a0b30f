"""`/healthz` and `/readyz`: alive, and able to do its job right now.

Liveness says only that the event loop answers, so an orchestrator restarts a wedged process
and nothing else. Readiness checks what the bot needs to work: the database answers within
2 s, each platform's adapter is connected (Socket Mode) or polling, the scheduler runs. It
is computed on every request, so it recovers by itself when the database returns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.db import Database, DatabaseError

DATABASE_TIMEOUT = 2.0

Problem = Callable[[], Awaitable[str | None]]
"""A readiness check: None when fine, else why not, in a few words."""


class Readiness:
    """The checks behind `/readyz`; one database probe at a time, however many callers."""

    def __init__(self, *, db: Database, checks: Mapping[str, Problem]) -> None:
        self.db = db
        self.checks = {"database": self._database, **checks}
        self._probe: asyncio.Future[None] | None = None

    async def problems(self) -> dict[str, str]:
        found = await asyncio.gather(*(check() for check in self.checks.values()))
        return {name: problem for name, problem in zip(self.checks, found, strict=True) if problem}

    async def _database(self) -> str | None:
        if self._probe is None or self._probe.done():
            self._probe = asyncio.ensure_future(asyncio.to_thread(self.db.ping))
        try:
            await asyncio.wait_for(asyncio.shield(self._probe), DATABASE_TIMEOUT)
        except TimeoutError:
            return f"no answer within {DATABASE_TIMEOUT:g} s"
        except DatabaseError as exc:
            return f"unreachable ({type(getattr(exc, 'orig', None) or exc).__name__})"
        return None


def health_routes(readiness: Readiness) -> list[Route]:
    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "alive"})

    async def readyz(request: Request) -> JSONResponse:
        problems = await readiness.problems()
        if problems:
            return JSONResponse({"status": "not ready", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ready"})

    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
