"""What a score click costs: npsbot's ack latency beside a bare bolt app, same requests.

The real bot runs in HTTP mode against the Slack sandbox, which runs in a process of its own
as Slack is (`bench.slack_process`: answering the bot's Web API calls is not the bot's CPU).
A dispatch pass first sends every question, so each click answers a real, open invitation
(one transaction, the message shown answered, the comment prompt). A separate process sends
signed `block_actions` at a steady, open-loop rate (a latency counts from when the click was
due, so a stalled loop cannot hide itself), first to a bare bolt app (the same signature
check and parsing, a no-op `ack`) served the same way on the same loop, then to npsbot.
Prints p50/p99/max ack latency at each rate and the ratio to bare, the CPU per click of
both, and what the whole machine spends per click (the bot, the Slack sandbox answering its
calls, the load generator) against its cores. Target (issue 9): npsbot p99 under 100 ms at
200 clicks/s.

`--replicas N` runs N replicas of the bot on one PostgreSQL (`bench.replicas`), as npsbot is
deployed past one process, and sends each click to the next replica in turn; the CPU per
click is then all replicas' together.

    python bench/inbound.py [--rates 50,100,200] [--seconds 10] [--small]
    python bench/inbound.py --replicas 2 --database postgresql+psycopg://.../npsbot_bench
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.acks import SECRET, percentiles, signed  # noqa: E402
from bench.bare_bolt import bare_bolt  # noqa: E402
from bench.databases import created  # noqa: E402
from bench.replicas import Replicas, serving  # noqa: E402
from bench.seeding import seed_due, user  # noqa: E402
from bench.slack_process import SlackProcess  # noqa: E402
from bot import store  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.settings import Settings  # noqa: E402
from channels.sandbox.slack import SlackSandbox  # noqa: E402
from channels.sandbox.slack_payloads import block_action_payload  # noqa: E402


def _people(sandbox: SlackSandbox, people: int) -> None:
    for i in range(people):
        sandbox.add_user(user(i))


def _clicks(sandbox: SlackSandbox) -> list[bytes]:
    """One form body per question the bot sent: a click on its 9, as Slack would post it
    (run in the sandbox's process, which issues the trigger ids and response URLs)."""
    bodies = []
    for message in sandbox.messages:
        for block in message.blocks or []:
            for button in block.get("elements", []):
                if button.get("action_id") != "nps_score_9":
                    continue
                payload = block_action_payload(
                    user_id=message.channel[1:],  # seed_due's DM channel is "D" + the user id
                    action_id=button["action_id"],
                    value=button["value"],
                    channel_id=message.channel,
                    message_ts=message.ts,
                    block_id=block["block_id"],
                    trigger_id=sandbox.issue_trigger_id(),
                    response_url=sandbox.response_url("actions"),
                    message_text=message.text or "",
                    message_blocks=message.blocks,
                    workspace=sandbox.workspace,
                )
                bodies.append(urlencode({"payload": json.dumps(payload)}).encode())
    return bodies


Phase = tuple[list[float], int, float]
"""Each click's latency to its answer, how many were not acknowledged (bolt gives up after
3 s, as Slack does, and answers 404), and the CPU seconds the load generator spent."""


@dataclass(frozen=True, slots=True)
class Cpu:
    """CPU seconds this process spent: on the event loop's thread, and on all threads."""

    loop: float
    total: float

    @classmethod
    def now(cls) -> Cpu:
        return cls(loop=time.thread_time(), total=time.process_time())

    def since(self, start: Cpu) -> Cpu:
        return Cpu(loop=self.loop - start.loop, total=self.total - start.total)


async def _load(urls: list[str], bodies: list[bytes], rate: float) -> Phase:
    """Open loop: click n is due at start + n/rate, whether or not earlier ones were answered;
    it goes to replica n mod len(urls) (a round-robin load balancer)."""
    latencies: list[float] = []
    unacked = 0
    cpu = time.process_time()
    async with aiohttp.ClientSession() as http:

        async def one(url: str, body: bytes, due: float) -> None:
            nonlocal unacked
            async with http.post(
                url,
                data=body,
                headers=signed(body, content_type="application/x-www-form-urlencoded"),
            ) as answer:
                await answer.read()
                unacked += answer.status != 200
            latencies.append(time.monotonic() - due)

        start = time.monotonic()
        tasks = []
        for n, body in enumerate(bodies):
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tasks.append(asyncio.create_task(one(urls[n % len(urls)], body, due)))
        await asyncio.gather(*tasks)
    return latencies, unacked, time.process_time() - cpu


def _load_process(urls: list[str], bodies: list[bytes], rate: float, out: Connection) -> None:
    out.send(asyncio.run(_load(urls, bodies, rate)))


async def _measure(urls: list[str], bodies: list[bytes], rate: float) -> Phase:
    """Clicks from another process; this loop stays free to serve them."""
    receiving, sending = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(
        target=_load_process, args=(urls, bodies, rate, sending), daemon=True
    )
    process.start()
    while not receiving.poll():
        if not process.is_alive():
            raise RuntimeError("the load process died; see its traceback above")
        await asyncio.sleep(0.05)
    phase: Phase = receiving.recv()
    process.join()
    return phase


def _figures(phase: Phase) -> tuple[float, float, float, int]:
    return (*percentiles(phase[0]), phase[1])


def _sandbox_cpu(sandbox: SlackSandbox) -> float:
    """CPU seconds the sandbox's process has spent (run in that process)."""
    return time.process_time()


async def run(args: argparse.Namespace) -> None:
    clicks_per_rate = [int(rate * args.seconds) for rate in args.rates]
    people = sum(clicks_per_rate)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'inbound.db'}"
        if url.startswith("postgresql"):
            created(url)
        db = Database(url)
        if db.is_postgres:  # the bench's own database, emptied for this run
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        async with SlackProcess(_people, people) as slack, contextlib.AsyncExitStack() as stack:
            db.upgrade()
            seed_due(db, people=people, known_dm=True)
            config = {
                "SLACK_BOT_TOKEN": slack.bot_token,
                "SLACK_SIGNING_SECRET": SECRET,
                "NPSBOT_SLACK_API_URL": slack.api_url,
                "NPSBOT_DATABASE_URL": url,
                "NPSBOT_SLACK_SEND_RATE": 1000.0,
            }
            settings = Settings(**config, NPSBOT_SPOOL_DIR=str(Path(tmp) / "spool"))
            bot = await stack.enter_async_context(serving(settings, db=db))
            await bot.dispatcher.run_pass()
            bodies = await slack.ask(_clicks)
            if len(bodies) != people:
                raise RuntimeError(f"{len(bodies)} questions sent to {people} people")
            extra = await stack.enter_async_context(
                Replicas(config, count=args.replicas - 1, spool=Path(tmp))
            )
            npsbot = [f"http://127.0.0.1:{bot.port}/slack/events", *extra.urls]
            results = []
            async with bare_bolt(api_url=slack.api_url, bot_token=slack.bot_token) as bare:
                first = 0
                for rate, count in zip(args.rates, clicks_per_rate, strict=True):
                    batch = bodies[first : first + count]
                    first += count
                    start = Cpu.now()
                    floor = await _measure([bare], batch, rate)
                    middle, replicas_before = Cpu.now(), await extra.cpu()
                    slack_before = await slack.ask(_sandbox_cpu)
                    ours = await _measure(npsbot, batch, rate)
                    # the clicks' follow-ups, before the next rate
                    await asyncio.gather(bot.jobs.idle(timeout=120), extra.idle())
                    spent = Cpu.now().since(middle)
                    spent = Cpu(spent.loop, spent.total + await extra.cpu() - replicas_before)
                    platform = await slack.ask(_sandbox_cpu) - slack_before
                    cpus = (spent, middle.since(start), platform)
                    results.append((rate, count, ours, floor, cpus))
            answered = await bot.db.run(lambda session: store.response_count(session=session))
    _report(people, answered, args.replicas, results)


def _report(people: int, answered: int, replicas: int, results: list[Any]) -> None:
    print(f"{people:,} score clicks, each answering an open invitation; {answered:,} stored")
    if replicas > 1:
        print(f"npsbot: {replicas} replicas on one PostgreSQL, clicks sent to each in turn")
    for rate, count, ours, floor, (cpu, bare_cpu, platform) in results:
        o50, o99, omax, olost = _figures(ours)
        f50, f99, fmax, flost = _figures(floor)
        print(
            f"{rate:g} clicks/s: npsbot ack p50 {o50:.1f} ms, p99 {o99:.1f} ms, max {omax:.1f} ms,"
            f" unacked {olost} | bare bolt p50 {f50:.1f} ms, p99 {f99:.1f} ms,"
            f" max {fmax:.1f} ms, unacked {flost}"
            f" | ratio p50 {o50 / f50:.1f}x, p99 {o99 / f99:.1f}x"
        )
        per = 1000 / count
        loop = "loop of the first replica" if replicas > 1 else "loop"
        print(
            f"  CPU per click: npsbot {loop} {cpu.loop * per:.2f} ms,"
            f" all threads {cpu.total * per:.2f} ms"
            f" | bare bolt loop {bare_cpu.loop * per:.2f} ms,"
            f" all threads {bare_cpu.total * per:.2f} ms"
            f" | ratio loop {cpu.loop / bare_cpu.loop:.1f}x, all {cpu.total / bare_cpu.total:.1f}x"
        )
        machine = (cpu.total + platform + ours[2]) * per
        print(
            f"  machine: npsbot {cpu.total * per:.2f} + Slack sandbox {platform * per:.2f}"
            f" + load generator {ours[2] * per:.2f} = {machine:.2f} ms of CPU per click,"
            f" {machine * rate / 1000:.2f} of {os.cpu_count()} cores at {rate:g}/s"
        )
    print(
        "(npsbot: the bot's processes; the sandbox and the load run in their own; a PostgreSQL"
        " server's CPU is not counted)"
    )
    print("(target: npsbot p99 < 100 ms at 200 clicks/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rates", type=_rates, default=[50.0, 100.0, 200.0], help="clicks/s, comma-separated"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="per rate")
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--replicas", type=int, default=1, help="bot processes (PostgreSQL)")
    parser.add_argument("--small", action="store_true", help="10, 20, 40 clicks/s for 1 s")
    args = parser.parse_args()
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    if args.replicas > 1 and not (args.database or "").startswith("postgresql"):
        parser.error("replicas share one PostgreSQL database: give --database postgresql+...")
    if args.small:
        args.rates, args.seconds = [10.0, 20.0, 40.0], 1.0
    asyncio.run(run(args))


def _rates(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part]


if __name__ == "__main__":
    main()
