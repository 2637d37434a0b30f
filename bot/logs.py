"""Operator logging: one root handler, text or JSON, and no secret in any line.

Libraries log what they see: httpx logs every Bot API URL at INFO, and Telegram puts the bot
token in the URL path; tracebacks quote URLs and request bodies. So masking happens on the
finished line, after the message and its exception are formatted, in the one handler every
library's logger propagates to (httpx, telegram, slack_bolt, slack_sdk, uvicorn, apscheduler).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

MASK = "***"
TOKEN_PATTERNS = re.compile(
    r"xox[abposr]-[A-Za-z0-9-]{6,}"  # Slack bot/user/refresh tokens
    r"|xapp-[A-Za-z0-9-]{6,}"  # Slack app-level tokens
    r"|(?<!\d)\d{5,12}:[A-Za-z0-9_-]{30,}"  # Telegram bot tokens (after "bot" in URLs)
    r"|(?<=://)[^/\s:@]+:[^/\s@]+(?=@)"  # user:password@ in URLs
)
QUIET = {
    # APScheduler's "Running job" / "executed successfully" every tick: DEBUG only.
    "apscheduler.executors": logging.INFO,
    "apscheduler.scheduler": logging.INFO,
    # One line per HTTP request of every SDK call: DEBUG only.
    "httpx": logging.INFO,
    "httpcore": logging.INFO,
    "slack_sdk": logging.INFO,
    "aiohttp.access": logging.INFO,
    "uvicorn.access": logging.INFO,
    "alembic": logging.INFO,
}
"""Loggers whose lines at this level or below show only when NPSBOT_LOG_LEVEL=DEBUG."""
WIRE = ("slack_sdk", "slack_bolt", "telegram", "httpcore", "aiohttp.client")
"""SDK loggers whose DEBUG lines carry whole request and response bodies (names, comments,
unsigned junk): never below INFO, whatever NPSBOT_LOG_LEVEL says."""


def _not_wire_debug(record: logging.LogRecord) -> bool:
    """Drops WIRE loggers' DEBUG lines at the handler: bolt copies the root level onto its
    own loggers (and hands them to its web client), so logger levels alone do not hold."""
    return record.levelno >= logging.INFO or not record.name.startswith(WIRE)


class Masker:
    """Replaces configured secrets and anything shaped like a platform token with `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return TOKEN_PATTERNS.sub(MASK, text)


class MaskingFormatter(logging.Formatter):
    """Formats as text or one JSON object a line, then masks the whole result."""

    def __init__(self, *, masker: Masker, json_lines: bool) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.masker = masker
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        if not self.json_lines:
            return self.masker(super().format(record))
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.masker(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = self.masker(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(
    *, level: str, json_lines: bool, secrets: Iterable[str], stream: TextIO | None = None
) -> Masker:
    """Install the one root handler; returns the masker for other output (stderr lines)."""
    masker = Masker(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(MaskingFormatter(masker=masker, json_lines=json_lines))
    handler.addFilter(_not_wire_debug)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    debug = level == "DEBUG"
    for name, chatter in QUIET.items():
        logging.getLogger(name).setLevel(logging.DEBUG if debug else chatter + 10)
    for name in WIRE:
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.level, logging.INFO))
    logging.captureWarnings(True)
    return masker
