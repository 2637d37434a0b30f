"""Signed Slack requests and their ack latencies, shared by the benches that time acks."""

from __future__ import annotations

import statistics
import time

from channels.sandbox._signing import sign_request

SECRET = "bench-signing-secret"


def signed(body: bytes, *, content_type: str) -> dict[str, str]:
    """Headers signed at send time: Slack refuses a timestamp over five minutes old."""
    stamp = int(time.time())
    return {
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": sign_request(signing_secret=SECRET, timestamp=stamp, body=body),
        "Content-Type": content_type,
    }


def percentiles(latencies: list[float]) -> tuple[float, float, float]:
    """p50, p99 and max of latencies in seconds, in milliseconds."""
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000, ordered[-1] * 1000
