"""Dispatch throughput: N due invitations through the real adapter against a rate-limited sandbox.

Prints the achieved send rate against the sandbox's allowed rate (the baseline, set by
`--rate`), and what was lost, duplicated or answered 429. Targets: ratio >= 0.95, nothing lost,
no duplicates. Telegram's default is its real limit, 30 messages/s; pass
`--rate 300` to see the dispatcher keep up with a faster sandbox. `--ceiling` finds the bot's
own limit: the sandbox allows 5,000/s and the bot is paced above that, at its highest setting
(10,000/s), so neither paces the pass; targets 1,000/s on Slack and 500/s on Telegram (issue 9).
Each run prints the CPU both processes spent per send: the bot's is what bounds its ceiling,
the sandbox's says whether the sandbox was the bottleneck instead.

    python bench/dispatch.py [--platform slack|telegram] [--n 10000] [--rate 300]
        [--concurrency 16] [--batch 200] [--database URL] [--small] [--ceiling]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seeding import seed_due, user  # noqa: E402
from bot.app import NpsBot  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.models import Invitation  # noqa: E402
from bot.settings import SANDBOX_MAX_RATE, Settings  # noqa: E402
from channels.sandbox.slack import RateLimits, SlackSandbox  # noqa: E402
from channels.sandbox.telegram import FloodLimits, TelegramSandbox  # noqa: E402

DEFAULTS = {"slack": (10_000, 300.0), "telegram": (2_500, 30.0)}
CEILING_SANDBOX_RATE = 5000.0
CEILING_BOT_RATE = SANDBOX_MAX_RATE
"""Above what the sandbox allows, so the pass's rate is the bot's own."""
CEILING_TARGETS = {"slack": 1000.0, "telegram": 500.0}


def statuses(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.select(Invitation.status, sa.func.count()).group_by(Invitation.status)
        ).all()
    return {status: count for status, count in rows}


def make_sandbox(platform: str, n: int, rate: float) -> Any:
    if platform == "slack":
        slack = SlackSandbox(rates=RateLimits(post_per_workspace_per_second=rate))
        for i in range(n):
            slack.add_user(user(i, platform=platform))
        return slack
    # Telegram's per-chat limits stay; everyone gets one message, the overall rate is the bound.
    telegram = TelegramSandbox(
        flood=FloodLimits(overall_rate=rate, overall_burst=max(1, int(rate)))
    )
    for i in range(n):
        telegram.add_user(int(user(i, platform=platform)), started=True)
    return telegram


def received_by(platform: str, sandbox: Any) -> Counter[str]:
    """Messages each person received, by user id."""
    if platform == "slack":
        return Counter(m.channel.removeprefix("D") for m in sandbox.messages)
    return Counter(str(m["chat"]["id"]) for m in sandbox.sent_messages())


def serve_sandbox(platform: str, n: int, rate: float, conn: Connection) -> None:
    """The sandbox in a process of its own, as the platform is: its CPU is not the bot's.

    Sends its URL, then answers "cpu" with its CPU seconds so far, and anything else with what
    it received (messages per person, 429s), and stops.
    """

    async def serve() -> None:
        async with make_sandbox(platform, n, rate) as sandbox:
            url = sandbox.api_url if platform == "slack" else sandbox.base_url
            token = sandbox.bot_token if platform == "slack" else sandbox.token
            conn.send((url, token))
            loop = asyncio.get_running_loop()
            while await loop.run_in_executor(None, conn.recv) == "cpu":
                conn.send(time.process_time())
            conn.send((received_by(platform, sandbox), sandbox.count_429))

    asyncio.run(serve())


def settings_for(
    platform: str, url: str, token: str, database_url: str, *, rate: float, concurrency: int
) -> Settings:
    """Point the bot at the sandbox and pace it at the sandbox's allowed rate."""
    common = {
        "NPSBOT_DATABASE_URL": database_url,
        "NPSBOT_SEND_CONCURRENCY": concurrency,
        f"NPSBOT_{platform.upper()}_SEND_RATE": rate,  # the other platform keeps its real limit
    }
    if platform == "slack":
        return Settings(
            SLACK_BOT_TOKEN=token,
            SLACK_SIGNING_SECRET="bench",
            NPSBOT_SLACK_API_URL=url,
            **common,  # type: ignore[arg-type]  # pydantic validates the aliases' values
        )
    return Settings(
        TELEGRAM_BOT_TOKEN=token,
        NPSBOT_TELEGRAM_API_URL=url,
        **common,  # type: ignore[arg-type]  # pydantic validates the aliases' values
    )


async def sandbox_seconds(conn: Connection) -> float:
    """The sandbox process's CPU seconds so far."""
    conn.send("cpu")
    seconds: float = await asyncio.to_thread(conn.recv)
    return seconds


async def run(args: argparse.Namespace) -> dict[str, Any]:
    platform, n = args.platform, args.n
    rate = CEILING_SANDBOX_RATE if args.ceiling else args.rate
    bot_rate = CEILING_BOT_RATE if args.ceiling else min(rate, SANDBOX_MAX_RATE)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(args.database or f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.upgrade()
        seed_due(db, people=n, platform=platform)
        conn, child_conn = multiprocessing.Pipe()
        child = multiprocessing.get_context("spawn").Process(
            target=serve_sandbox, args=(platform, n, rate, child_conn), daemon=True
        )
        child.start()
        url, token = await asyncio.to_thread(conn.recv)
        settings = settings_for(
            platform, url, token, db.url, rate=bot_rate, concurrency=args.concurrency
        )
        bot = NpsBot(settings, db=db, platforms=[platform])
        await bot.start()
        try:
            await bot.warmed_up()  # the models load once at start-up, not during a pass
            sandbox_cpu = await sandbox_seconds(conn)
            started, cpu = time.perf_counter(), time.process_time()
            report = await bot.dispatcher.run_pass(batch=args.batch)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            sandbox_cpu = await sandbox_seconds(conn) - sandbox_cpu
        finally:
            await bot.stop()
        conn.send("report")
        received, count_429 = await asyncio.to_thread(conn.recv)
        child.join(timeout=10)
        final = statuses(db)
        db.dispose()
    people = {user(i, platform=platform) for i in range(n)}
    sends = max(1, report.sent)
    return {
        "platform": platform,
        "n": n,
        "allowed_rate": rate,
        "bot_rate": bot_rate,
        "seconds": elapsed,
        "achieved_rate": report.sent / elapsed,
        "ratio": report.sent / elapsed / min(rate, bot_rate),
        "sent": report.sent,
        "lost": len(people - set(received)),
        "duplicates": sum(count - 1 for count in received.values() if count > 1),
        "count_429": count_429,
        "rate_limited_in_dispatcher": report.rate_limited,
        "cpu": cpu / elapsed,
        "cpu_ms_per_send": cpu * 1000 / sends,
        "sandbox_cpu": sandbox_cpu / elapsed,
        "sandbox_cpu_ms_per_send": sandbox_cpu * 1000 / sends,
        "statuses": final,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", choices=sorted(DEFAULTS), default="slack")
    parser.add_argument("--n", type=int, help="invitations (default 10000; telegram 2500)")
    parser.add_argument("--rate", type=float, help="sandbox's messages/s (300; telegram 30)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--small", action="store_true", help="a few hundred sends, for CI")
    parser.add_argument("--ceiling", action="store_true", help="the bot's own limit")
    args = parser.parse_args()
    default_n, default_rate = DEFAULTS[args.platform]
    if args.small:
        default_n = 150 if args.platform == "slack" else 60
    args.n = args.n or default_n
    args.rate = args.rate or default_rate
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(run(args))
    print(
        f"{result['platform']}: {result['sent']:,} of {result['n']:,} sent in "
        f"{result['seconds']:.1f} s = {result['achieved_rate']:.1f}/s; sandbox allows "
        f"{result['allowed_rate']:.0f}/s, bot paced at {result['bot_rate']:.0f}/s; ratio "
        f"{result['ratio']:.3f} of the lower"
        f"{' (nothing paces the bot)' if args.ceiling else ' (target >= 0.95)'}"
    )
    core = f"; a whole core would send {1000 / result['cpu_ms_per_send']:,.0f}/s"
    print(
        f"CPU per send: bot {result['cpu_ms_per_send']:.2f} ms (process at {result['cpu']:.0%}"
        f"{core if args.ceiling else ''}), sandbox {result['sandbox_cpu_ms_per_send']:.2f} ms "
        f"({result['sandbox_cpu']:.0%})"
    )
    if args.ceiling:
        target = CEILING_TARGETS[args.platform]
        print(
            f"ceiling {result['achieved_rate']:.0f}/s = {result['achieved_rate'] / target:.2f}x "
            f"the target of {target:.0f}/s"
        )
    print(
        f"lost {result['lost']}, duplicates {result['duplicates']}, 429s received "
        f"{result['count_429']} (reaching the dispatcher: "
        f"{result['rate_limited_in_dispatcher']}); statuses {result['statuses']}"
    )


if __name__ == "__main__":
    main()
