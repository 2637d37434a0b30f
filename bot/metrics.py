"""What `/metrics` reports, in Prometheus text format, from one registry per bot.

Counters are per process (sum them across replicas); the dispatch lag is read from the
database at scrape time, so every replica reports the same shared queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot import store
from bot.db import Database, DatabaseError
from scoring.nps import category

log = logging.getLogger(__name__)
disable_created_metrics()  # `_created` series double a scrape and no npsbot query needs them

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
FAILURE_CLASSES = {
    "failed": "platform_error",
    "unreachable": "unreachable",
    "uncertain": "uncertain",
    "rate_limited": "rate_limited",
}


class Metrics:
    """The bot's instruments; each service gets this object and counts what it does."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.invitations = Counter(
            "npsbot_invitations",
            "Invitations by outcome: sent, deferred, suppressed (by reason), failed (by class).",
            ["outcome", "reason"],
            registry=r,
        )
        self.uncertain_settled = Counter(
            "npsbot_uncertain_settled",
            "Uncertain sends checked against the chat: found (sent), missing (sent again), "
            "unknown (still uncertain), released (expired, counted as asked).",
            ["outcome"],
            registry=r,
        )
        self.responses = Counter(
            "npsbot_responses",
            "Scores recorded, by category and platform.",
            ["category", "platform"],
            registry=r,
        )
        self.comments = Counter(
            "npsbot_comments", "Follow-up comments recorded.", ["platform"], registry=r
        )
        self.alerts = Counter(
            "npsbot_alerts", "Detractor alerts posted or failed.", ["result"], registry=r
        )
        self.rate_limited = Counter(
            "npsbot_platform_429",
            "HTTP 429 answers from a platform, by API method.",
            ["platform", "method"],
            registry=r,
        )
        self.ack_seconds = Histogram(
            "npsbot_request_ack_seconds",
            "Seconds from an HTTP request's arrival to its response's first byte, by route.",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5),
            registry=r,
        )
        self.digest_seconds = Histogram(
            "npsbot_digest_build_seconds",
            "Seconds to build a digest and its chart.",
            buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=r,
        )
        self.database_errors = Counter(
            "npsbot_database_errors",
            "Errors raised by the database driver, by class.",
            ["error"],
            registry=r,
        )
        self.job_errors = Counter(
            "npsbot_job_errors", "Scheduled jobs that raised, by job.", ["job"], registry=r
        )
        for result in ("posted", "failed"):  # shown as 0 before the first one
            self.alerts.labels(result=result)
        self.invitations.labels(outcome="sent", reason="")

    def invitation(self, outcome: str, reason: str = "", count: int = 1) -> None:
        if count:
            self.invitations.labels(outcome=outcome, reason=reason).inc(count)

    def record_pass(self, report: object) -> None:
        """Count a dispatch pass's `PassReport` (duck-typed: scheduling imports bot)."""
        self.invitation("sent", count=getattr(report, "sent", 0))
        self.invitation("deferred", "do not disturb", getattr(report, "deferred", 0))
        for field, error_class in FAILURE_CLASSES.items():
            self.invitation("failed", error_class, getattr(report, field, 0))
        for reason, count in getattr(report, "skipped", {}).items():
            self.invitation("suppressed", reason, count)

    def count_429(self, platform: str, method: str) -> None:
        self.rate_limited.labels(platform=platform, method=method).inc()

    def response(self, *, score: int, platform: str) -> None:
        self.responses.labels(category=category(score), platform=platform).inc()

    def watch_database(self, db: Database, *, now: Callable[[], datetime]) -> None:
        """Count every driver error the engine meets; read the dispatch lag when scraped."""
        db.on_error(lambda error: self.database_errors.labels(error=error).inc())
        self.registry.register(_DispatchLag(db=db, now=now))

    def render(self) -> bytes:
        """The scrape body (blocking: the lag query runs; call it off the event loop)."""
        return generate_latest(self.registry)


class _DispatchLag(Collector):
    def __init__(self, *, db: Database, now: Callable[[], datetime]) -> None:
        self.db = db
        self.now = now

    def describe(self) -> list[GaugeMetricFamily]:
        return [self._family()]

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "npsbot_dispatch_lag_seconds",
            "Seconds the oldest due, unsent invitation has waited past its due time.",
        )

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = self._family()
        now = self.now()
        try:
            with self.db.session() as session:
                oldest = store.oldest_due(session=session, now=now)
        except DatabaseError as exc:
            log.warning("dispatch lag unknown: %s", type(exc).__name__)
            return
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=now.tzinfo)
        family.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        yield family
