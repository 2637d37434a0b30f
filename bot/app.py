"""Wiring: one process, one event loop, every part built once and passed down.

Adapters are loaded by name (as opsdroid loads connectors), so the core never imports a
platform SDK; only the platforms that are configured are loaded at all.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.admin import Admin
from bot.alerts import Alerts
from bot.api import trigger_routes
from bot.audience import Audience
from bot.channel import Adapter, Channel
from bot.clock import Clock, SystemClock
from bot.db import Database
from bot.digest import Digests
from bot.events import Event
from bot.i18n import build_catalogue
from bot.router import Router
from bot.settings import Settings
from bot.survey import Survey
from scheduling.dispatch import Dispatcher
from scheduling.scheduler import Scheduler
from scheduling.triggers import schedule_trigger

log = logging.getLogger(__name__)

ADAPTERS = {
    "slack": "channels.slack:SlackAdapter",
    "telegram": "channels.telegram:TelegramAdapter",
}


def configured_platforms(settings: Settings) -> list[str]:
    return [
        name
        for name, enabled in (
            ("slack", settings.slack_enabled),
            ("telegram", settings.telegram_enabled),
        )
        if enabled
    ]


class NpsBot:
    """The whole bot: adapters, core services, scheduler and web server."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        db: Database | None = None,
        platforms: list[str] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db = db or Database(settings.database_url)
        self.adapters: dict[str, Adapter] = {
            name: self._load(name)
            for name in (configured_platforms(settings) if platforms is None else platforms)
        }
        channels: dict[str, Channel] = dict(self.adapters)
        company = settings.company_name
        self.catalogue = catalogue = build_catalogue(settings)
        self.alerts = Alerts(
            db=self.db, channels=channels, clock=self.clock, company=company, catalogue=catalogue
        )
        self.survey = Survey(
            db=self.db,
            channels=channels,
            settings=settings,
            catalogue=catalogue,
            clock=self.clock,
            alerts=self.alerts,
        )
        self.dispatcher = Dispatcher(
            db=self.db,
            channels=channels,
            settings=settings,
            catalogue=catalogue,
            clock=self.clock,
            concurrency=settings.send_concurrency,
            rates={"slack": settings.slack_send_rate, "telegram": settings.telegram_send_rate},
        )
        self.digests = Digests(db=self.db, channels=channels, settings=settings, clock=self.clock)
        self.audience = Audience(
            db=self.db, channels=channels, clock=self.clock, company=company, catalogue=catalogue
        )
        self.scheduler = Scheduler(
            db=self.db,
            dispatcher=self.dispatcher,
            settings=settings,
            clock=self.clock,
            digests=self.digests,
            audience=self.audience,
        )
        self.admin = Admin(
            db=self.db,
            settings=settings,
            clock=self.clock,
            channels=channels,
            inviter=self.dispatcher,
            digests=self.digests,
            next_digest=self.scheduler.next_digest,
            catalogue=catalogue,
        )
        self.router = Router(
            survey=self.survey, admin=self.admin, audience=self.audience, alerts=self.alerts
        )
        self._server: uvicorn.Server | None = None

    def _load(self, name: str) -> Adapter:
        module_name, _, class_name = ADAPTERS[name].partition(":")
        adapter_class = getattr(importlib.import_module(module_name), class_name)
        adapter: Adapter = adapter_class(
            settings=self.settings, handle=self.handle, clock=self.clock
        )
        return adapter

    async def handle(self, event: Event) -> str | None:
        """The entry point every adapter calls."""
        return await self.router.handle(event)

    def web_app(self) -> Starlette:
        routes = [
            Route("/healthz", self._health, methods=["GET"]),
            *trigger_routes(
                schedule=functools.partial(schedule_trigger, db=self.db),
                settings=self.settings,
                clock=self.clock,
            ),
        ]
        for adapter in self.adapters.values():
            routes.extend(adapter.routes())
        return Starlette(routes=routes)

    async def _health(self, request: Request) -> JSONResponse:
        return JSONResponse({"ok": True, "platforms": sorted(self.adapters)})

    async def start(self, *, schedule: bool = False) -> None:
        """Connect the adapters; `schedule` also starts the dispatch loop and digests."""
        self.db.upgrade()
        for adapter in self.adapters.values():
            await adapter.start()
        if schedule:
            self.scheduler.start()

    async def stop(self) -> None:
        self.scheduler.shutdown()
        for adapter in self.adapters.values():
            await adapter.stop()
        if self._server is not None:
            self._server.should_exit = True

    async def serve(
        self, *, host: str | None = None, port: int | None = None, schedule: bool = False
    ) -> None:
        """Run until cancelled: adapters, scheduler and HTTP share this event loop."""
        config = uvicorn.Config(
            self.web_app(),
            host=host or self.settings.http_host,
            port=self.settings.http_port if port is None else port,
            log_level="warning",
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        await self.start(schedule=schedule)
        try:
            await self._server.serve()
        finally:
            await self.stop()

    async def wait_started(self, timeout: float = 10.0) -> None:
        """Until the HTTP server is accepting (for tests and the demo)."""
        async with asyncio.timeout(timeout):
            while self._server is None or not self._server.started:
                await asyncio.sleep(0.02)

    @property
    def port(self) -> int:
        assert self._server is not None and self._server.servers
        sockets = self._server.servers[0].sockets
        return int(sockets[0].getsockname()[1])
