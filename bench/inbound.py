"""What a score click costs: npsbot's ack latency beside a bare bolt app, same requests.

The real bot runs in HTTP mode against the Slack sandbox, which runs in a process of its own
as Slack is (`bench.slack_process`: answering the bot's Web API calls is not the bot's CPU).
A dispatch pass first sends every question, so each click answers a real, open invitation
(one transaction, the message shown answered, the comment prompt). A separate process sends
signed `block_actions` at a steady, open-loop rate (a latency counts from when the click was
due, so a stalled loop cannot hide itself), first to a bare bolt app (the same signature
check and parsing, a no-op `ack`) served the same way on the same loop, then to npsbot.
Prints p50/p99/max ack latency at each rate and the ratio to bare, and the CPU per click of
both. Target (issue 9): npsbot p99 under 100 ms at 200 clicks/s.

    python bench/inbound.py [--rates 50,100,200] [--seconds 10] [--small]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import re
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seeding import seed_due, user  # noqa: E402
from bench.slack_process import SlackProcess  # noqa: E402
from bot import store  # noqa: E402
from bot.app import NpsBot  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.settings import Settings  # noqa: E402
from channels.sandbox._signing import sign_request  # noqa: E402
from channels.sandbox.slack import SlackSandbox  # noqa: E402
from channels.sandbox.slack_payloads import block_action_payload  # noqa: E402

SECRET = "bench-signing-secret"
SCORE = re.compile(r"^nps_score_(?:[0-9]|10)$")


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


def _signed(body: bytes) -> dict[str, str]:
    """Signed at send time: Slack refuses a timestamp over five minutes old."""
    stamp = int(time.time())
    return {
        "X-Slack-Request-Timestamp": str(stamp),
        "X-Slack-Signature": sign_request(signing_secret=SECRET, timestamp=stamp, body=body),
        "Content-Type": "application/x-www-form-urlencoded",
    }


Phase = tuple[list[float], int]
"""Each click's latency to its answer, and how many were not acknowledged (bolt gives up
after 3 s, as Slack does, and answers 404)."""


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


async def _load(url: str, bodies: list[bytes], rate: float) -> Phase:
    """Open loop: click n is due at start + n/rate, whether or not earlier ones were answered."""
    latencies: list[float] = []
    unacked = 0
    async with aiohttp.ClientSession() as http:

        async def one(body: bytes, due: float) -> None:
            nonlocal unacked
            async with http.post(url, data=body, headers=_signed(body)) as answer:
                await answer.read()
                unacked += answer.status != 200
            latencies.append(time.monotonic() - due)

        start = time.monotonic()
        tasks = []
        for n, body in enumerate(bodies):
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tasks.append(asyncio.create_task(one(body, due)))
        await asyncio.gather(*tasks)
    return latencies, unacked


def _load_process(url: str, bodies: list[bytes], rate: float, out: Connection) -> None:
    out.send(asyncio.run(_load(url, bodies, rate)))


async def _measure(url: str, bodies: list[bytes], rate: float) -> Phase:
    """Clicks from another process; this loop stays free to serve them."""
    receiving, sending = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(
        target=_load_process, args=(url, bodies, rate, sending), daemon=True
    )
    process.start()
    while not receiving.poll():
        if not process.is_alive():
            raise RuntimeError("the load process died; see its traceback above")
        await asyncio.sleep(0.05)
    phase: Phase = receiving.recv()
    process.join()
    return phase


def _bare_bolt(slack: SlackProcess) -> Starlette:
    """bolt with a no-op handler for the same buttons: the floor any Slack app pays."""
    client = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    app = AsyncApp(client=client, signing_secret=SECRET)

    @app.action(SCORE)
    async def clicked(ack: AsyncAck) -> None:
        await ack()

    handler = AsyncSlackRequestHandler(app)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


@contextlib.asynccontextmanager
async def _served(app: Starlette) -> AsyncIterator[str]:
    """`app` under uvicorn on this loop, as the bot serves itself; yields its events URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/slack/events"
    finally:
        server.should_exit = True
        await serving


def _figures(phase: Phase) -> tuple[float, float, float, int]:
    ordered = sorted(phase[0])
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000, ordered[-1] * 1000, phase[1]


async def run(args: argparse.Namespace) -> None:
    clicks_per_rate = [int(rate * args.seconds) for rate in args.rates]
    people = sum(clicks_per_rate)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'inbound.db'}"
        db = Database(url)
        async with SlackProcess(_people, people) as slack:
            db.upgrade()
            seed_due(db, people=people, known_dm=True)
            settings = Settings(
                SLACK_BOT_TOKEN=slack.bot_token,
                SLACK_SIGNING_SECRET=SECRET,
                NPSBOT_SLACK_API_URL=slack.api_url,
                NPSBOT_DATABASE_URL=url,
                NPSBOT_SLACK_SEND_RATE=1000.0,
            )
            bot = NpsBot(settings, db=db, platforms=["slack"])
            serving = asyncio.create_task(bot.serve(port=0))
            await bot.wait_started()
            await bot.warmed_up()  # the models' loading is no click's CPU
            await bot.dispatcher.run_pass()
            bodies = await slack.ask(_clicks)
            if len(bodies) != people:
                raise RuntimeError(f"{len(bodies)} questions sent to {people} people")
            npsbot = f"http://127.0.0.1:{bot.port}/slack/events"
            results = []
            async with _served(_bare_bolt(slack)) as bare:
                first = 0
                for rate, count in zip(args.rates, clicks_per_rate, strict=True):
                    batch = bodies[first : first + count]
                    first += count
                    start = Cpu.now()
                    floor = await _measure(bare, batch, rate)
                    middle = Cpu.now()
                    ours = await _measure(npsbot, batch, rate)
                    await bot.jobs.idle(timeout=120)  # the clicks' follow-ups, before the next
                    spent = (Cpu.now().since(middle), middle.since(start))
                    results.append((rate, count, ours, floor, spent))
            answered = await bot.db.run(lambda session: store.response_count(session=session))
            await bot.stop()
            await serving
    print(f"{people:,} score clicks, each answering an open invitation; {answered:,} stored")
    for rate, count, ours, floor, (cpu, bare_cpu) in results:
        o50, o99, omax, olost = _figures(ours)
        f50, f99, fmax, flost = _figures(floor)
        print(
            f"{rate:g} clicks/s: npsbot ack p50 {o50:.1f} ms, p99 {o99:.1f} ms, max {omax:.1f} ms,"
            f" unacked {olost} | bare bolt p50 {f50:.1f} ms, p99 {f99:.1f} ms,"
            f" max {fmax:.1f} ms, unacked {flost}"
            f" | ratio p50 {o50 / f50:.1f}x, p99 {o99 / f99:.1f}x"
        )
        per = 1000 / count
        print(
            f"  CPU per click: npsbot loop {cpu.loop * per:.2f} ms,"
            f" all threads {cpu.total * per:.2f} ms"
            f" | bare bolt loop {bare_cpu.loop * per:.2f} ms,"
            f" all threads {bare_cpu.total * per:.2f} ms"
            f" | ratio loop {cpu.loop / bare_cpu.loop:.1f}x, all {cpu.total / bare_cpu.total:.1f}x"
        )
    print("(CPU of this process; the Slack sandbox answering the bot's calls runs in its own)")
    print("(target: npsbot p99 < 100 ms at 200 clicks/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rates", type=_rates, default=[50.0, 100.0, 200.0], help="clicks/s, comma-separated"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="per rate")
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--small", action="store_true", help="10, 20, 40 clicks/s for 1 s")
    args = parser.parse_args()
    if args.small:
        args.rates, args.seconds = [10.0, 20.0, 40.0], 1.0
    asyncio.run(run(args))


def _rates(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part]


if __name__ == "__main__":
    main()
