"""Wiring: one process, one event loop, every part built once and passed down.

Adapters are loaded by name (as opsdroid loads connectors), so the core never imports a
platform SDK; only the platforms that are configured are loaded at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import importlib
import logging
import socket
from collections.abc import Awaitable
from typing import Any

import uvicorn
from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from bot import store
from bot.admin import Admin
from bot.alerts import Alerts
from bot.api import TriggerOutcome, trigger_routes
from bot.audience import Audience
from bot.case_actions import CaseActions
from bot.case_threads import CaseThreads
from bot.channel import Adapter, Channel, Identity
from bot.clock import Clock, SystemClock
from bot.db import Database
from bot.digest import Digests, worker
from bot.events import AccessRevoked, Event
from bot.health import Readiness, health_routes
from bot.home import Home, chart_route
from bot.i18n import build_catalogue
from bot.inbound import Inbound
from bot.metrics import Metrics
from bot.privacy import Privacy
from bot.report import ReportCache
from bot.router import Router
from bot.settings import Settings
from bot.survey import Survey
from bot.targets import Targets
from bot.web import AckTiming, BodyLimit, Server, metrics_route
from bot.webhook_delivery import WebhookSender
from scheduling.dispatch import Dispatcher
from scheduling.scheduler import Scheduler
from scheduling.triggers import schedule_trigger
from scoring import sentiment

log = logging.getLogger(__name__)

SHUTDOWN_GRACE = 7.0
"""Seconds a dispatch pass in flight may take to finish after SIGTERM (exit within 10 s)."""
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


def _warm_up() -> None:
    """Load the models, then set everything loaded by now aside from the garbage collector.

    The models, the SDKs and the wiring live as long as the process, yet every full
    collection walked them all: 0.4-0.8 s with every thread stopped, several times a minute
    at 200 score clicks a second (bench/inbound.py). Once frozen, a collection walks only
    what was made since.
    """
    sentiment.warm_up()
    _set_aside()


@functools.cache
def _set_aside() -> None:
    """Once a process (the first bot's warm-up). No collection first: it would stop every
    thread for as long as a full one takes, the very pause this avoids; what garbage there
    is now stays, once."""
    gc.freeze()


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
        self.metrics = Metrics()
        self.metrics.watch_database(self.db, now=self.clock.now)
        self.catalogue = catalogue = build_catalogue(settings)
        self.inbound = Inbound.build(db=self.db, settings=settings)
        self.jobs = self.inbound.jobs
        self.webhooks = WebhookSender(
            db=self.db,
            jobs=self.jobs,
            clock=self.clock,
            retry_seconds=settings.webhook_retry_seconds,
        )
        self.adapters: dict[str, Adapter] = {
            name: self._load(name)
            for name in (configured_platforms(settings) if platforms is None else platforms)
        }
        for name, adapter in self.adapters.items():
            adapter.observe_429 = functools.partial(self.metrics.count_429, name)
        channels: dict[str, Channel] = dict(self.adapters)
        company = settings.company_name
        self.alerts = Alerts(
            db=self.db,
            channels=channels,
            clock=self.clock,
            company=company,
            catalogue=catalogue,
            metrics=self.metrics,
            admins=settings.admin_ids,  # who may act on alerts from anywhere
            anonymous=settings.anonymous,
        )
        self.case_threads = CaseThreads(alerts=self.alerts, jobs=self.jobs, settings=settings)
        self.survey = Survey(
            db=self.db,
            channels=channels,
            settings=settings,
            catalogue=catalogue,
            clock=self.clock,
            alerts=self.alerts,
            jobs=self.jobs,
            conversations=self.case_threads,
        )
        self.dispatcher = Dispatcher(
            db=self.db,
            channels=channels,
            settings=settings,
            catalogue=catalogue,
            clock=self.clock,
            concurrency=settings.send_concurrency,
            rates={"slack": settings.slack_send_rate, "telegram": settings.telegram_send_rate},
            metrics=self.metrics,
        )
        self.digests = Digests(
            db=self.db,
            channels=channels,
            settings=settings,
            clock=self.clock,
            metrics=self.metrics,
            catalogue=catalogue,
        )
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
            metrics=self.metrics,
            remind_unclaimed=self.case_threads.remind_due,
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
        self.reports = ReportCache(db=self.db, settings=settings, now=self.clock.now)
        self.home = Home(
            db=self.db,
            settings=settings,
            channels=channels,
            catalogue=catalogue,
            reports=self.reports,
        )
        self.alerts.changed = self.home.case_changed  # open Homes show each case step
        self.router = Router(
            survey=self.survey,
            admin=self.admin,
            audience=self.audience,
            cases=CaseActions(alerts=self.alerts, company=company),
            privacy=Privacy(alerts=self.alerts),
            home=self.home,
            metrics=self.metrics,
            revoked=self._access_revoked,
            targets=Targets(db=self.db, clock=self.clock, words=catalogue.team),
        )
        self.inbound.router = self.router
        self.readiness = Readiness(
            db=self.db,
            checks={
                **{name: adapter.connection_problem for name, adapter in self.adapters.items()},
                "scheduler": self._scheduler_problem,
            },
        )
        self._scheduling = False
        self._warm_up: asyncio.Task[None] | None = None
        self._digest_warm_up: asyncio.Task[None] | None = None
        self._server: Server | None = None

    def _load(self, name: str) -> Adapter:
        module_name, _, class_name = ADAPTERS[name].partition(":")
        adapter_class = getattr(importlib.import_module(module_name), class_name)
        adapter: Adapter = adapter_class(
            settings=self.settings.platform(name),
            handle=self.handle,
            clock=self.clock,
            catalogue=self.catalogue,
            inbound=self.inbound,
        )
        return adapter

    async def handle(self, event: Event) -> str | None:
        """The entry point every adapter calls."""
        return await self.router.handle(event)

    def _schedule_trigger(self, **request: Any) -> Awaitable[TriggerOutcome]:
        """The API's trigger, recorded off the loop."""
        return self.db.call(schedule_trigger, db=self.db, **request)

    def web_app(self) -> Starlette:
        routes: list[BaseRoute] = [
            *health_routes(self.readiness),
            metrics_route(self.metrics),
            chart_route(self.reports),
            *trigger_routes(
                schedule=self._schedule_trigger,
                settings=self.settings,
                clock=self.clock,
                metrics=self.metrics,
            ),
        ]
        for adapter in self.adapters.values():
            routes.extend(adapter.routes())
        paths = {path for route in routes if (path := getattr(route, "path", None))}
        return Starlette(
            routes=routes,
            middleware=[
                Middleware(AckTiming, metrics=self.metrics, routes=paths),
                Middleware(BodyLimit),
            ],
        )

    async def _scheduler_problem(self) -> str | None:
        if self._scheduling and not self.scheduler.running:
            return "not running"
        return None

    async def start(self, *, schedule: bool = False) -> None:
        """Connect the adapters; `schedule` also starts the dispatch loop and digests."""
        await asyncio.to_thread(self.db.upgrade)
        # Models load in the background (seconds of CPU, cold); comments never wait on the loop.
        # NPSBOT_PRELOAD_MODELS=false: the first comment loads them; the wiring is set aside.
        warm_up = _warm_up if self.settings.preload_models else _set_aside
        self._warm_up = asyncio.create_task(asyncio.to_thread(warm_up))
        self.inbound.start()
        for adapter in self.adapters.values():
            await adapter.start()
        await self._register_workspaces()
        self.dispatcher.stopping = False
        if schedule:
            # The digest worker starts now and loads the chart's fonts and the themes' word
            # lists (a second of CPU, in its own process), so the first digest is not the
            # one to pay. Not with NPSBOT_PRELOAD_MODELS=false: a replica that only sends or a
            # short-lived process would pay a process of seconds of CPU for no digest.
            if self.settings.preload_models:
                self._digest_warm_up = asyncio.create_task(self._warm_digest_worker())
            self._scheduling = True
            self.scheduler.start()

    async def _warm_digest_worker(self) -> None:
        try:
            await worker.off_loop(worker.warm_up, self.settings, fallback=lambda: None)
        except Exception:  # the first digest then loads it all itself
            log.exception("the digest worker could not warm up")

    async def _access_revoked(self, event: AccessRevoked) -> None:
        platform = event.origin.platform
        if platform in self.adapters:
            self.dispatcher.token_pause.pause(platform, self.adapters[platform], event.reason)

    async def _register_workspaces(self) -> None:
        """File the bot's own workspaces under the keys the platforms use, from the start.

        The trigger API, `/nps cadence` and CLI imports then all meet the workspace that
        events arrive for, before any admin has run a command.
        """
        for platform, adapter in self.adapters.items():
            identity = await adapter.identify()

            def register(platform: str = platform, identity: Identity = identity) -> int:
                with self.db.session() as session:
                    _, adopted = store.register_workspace(
                        session=session,
                        platform=platform,
                        external_id=identity.workspace,
                        name=identity.name,
                        now=self.clock.now(),
                    )
                return adopted

            try:
                adopted = await asyncio.to_thread(register)
            except IntegrityError:  # another replica registered it at the same moment
                adopted = await asyncio.to_thread(register)
            log.info("%s workspace %s (%s)", platform, identity.workspace, identity.name or "-")
            if adopted:
                log.info(
                    "%s: %d people imported before the first start joined it", platform, adopted
                )

    def begin_shutdown(self) -> None:
        """SIGTERM: stop accepting requests and starting sends; `serve` then winds down."""
        self.dispatcher.stopping = True
        if self._server is not None:
            self._server.should_exit = True

    async def stop(self) -> None:
        """Let the pass in flight finish (or cancel it), hand back claims, disconnect."""
        self.dispatcher.stopping = True
        await self.scheduler.drain(SHUTDOWN_GRACE)
        await self.dispatcher.token_pause.close()
        if self._warm_up is not None:
            await self._warm_up  # a thread cannot be cancelled; it is seconds at most
        if self._digest_warm_up is not None and not self._digest_warm_up.done():
            # A stop right after the start: the exit must not wait for the warm-up.
            self._digest_warm_up.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._digest_warm_up
            worker.discard(terminate=True)
        returned, uncertain = await asyncio.to_thread(self.dispatcher.settle_own)
        if returned or uncertain:
            log.info("handed back %s claimed invitation(s); %s uncertain", returned, uncertain)
        await self.home.stop()
        for adapter in self.adapters.values():
            await adapter.stop()
        await self.inbound.stop()
        await self.webhooks.close()
        if self._server is not None:
            self._server.should_exit = True

    async def serve(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        schedule: bool = False,
        sockets: list[socket.socket] | None = None,
    ) -> None:
        """Run until cancelled or `begin_shutdown`: adapters, scheduler and HTTP share a loop."""
        config = uvicorn.Config(
            self.web_app(),
            host=host or self.settings.http_host,
            port=self.settings.http_port if port is None else port,
            log_config=None,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = Server(config)
        await self.start(schedule=schedule)
        try:
            await self._server.serve(sockets=sockets)
        finally:
            await self.stop()

    async def wait_started(self, timeout: float = 30.0) -> None:
        """Until the HTTP server is accepting (for tests, benches and the demo); the bound is
        generous because a loaded machine took over 10 s to start and upgrade a database."""
        async with asyncio.timeout(timeout):
            while self._server is None or not self._server.started:
                await asyncio.sleep(0.02)

    async def warmed_up(self) -> None:
        """Until the sentiment and language models have loaded, and the digest worker too
        when digests are scheduled (a benchmark's idle baseline must not include their
        seconds of CPU)."""
        if self._warm_up is not None:
            await asyncio.shield(self._warm_up)
        if self._digest_warm_up is not None:
            await asyncio.shield(self._digest_warm_up)

    def urls(self) -> list[str]:
        """Where the web server listens, as URLs (after `wait_started`)."""
        assert self._server is not None
        return self._server.urls()

    @property
    def port(self) -> int:
        assert self._server is not None and self._server.servers
        sockets = self._server.servers[0].sockets
        return int(sockets[0].getsockname()[1])
