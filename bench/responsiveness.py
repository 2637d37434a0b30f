"""Ack latency while the bot is busy: does Slack still hear back in time?

The real bot (bolt over HTTP, the dispatcher, the digest) runs against the Slack sandbox, in a
process of its own as Slack is (`bench.slack_process`), on a database of N answers and M
people due now. The idle phase starts once the bot's models have loaded. A separate process
sends signed Slack events at a steady, open-loop rate (each latency counts from the moment
the event was due to be sent, so a stalled loop cannot hide itself) first while the bot is
idle, then while `/nps digest now` builds the digest and a dispatch pass sends to everyone
due. Prints ack p50/p99/max for both phases, measured in the same run, and their ratio.
Targets (issue 9): busy p99 < 100 ms and max < 500 ms on a 2-core machine.

    python bench/responsiveness.py [--answers 1000000] [--due 50000] [--rate 50] [--small]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.acks import SECRET, percentiles, signed  # noqa: E402
from bench.digest import generate, respondents_for  # noqa: E402
from bench.replicas import serving  # noqa: E402
from bench.seeding import seed_due, user  # noqa: E402
from bench.slack_process import SlackProcess  # noqa: E402
from bot.app import NpsBot  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.events import AdminCommand, Origin  # noqa: E402
from bot.settings import Settings  # noqa: E402
from channels.sandbox.slack import SlackSandbox  # noqa: E402

ADMIN = "UADMIN"


def _event(team: str, number: int) -> bytes:
    """A DM from a person with no survey waiting: the ack is all the work there is."""
    return json.dumps(
        {
            "token": "x",
            "team_id": team,
            "api_app_id": "A0BENCH",
            "type": "event_callback",
            "event_id": f"Ev{number:010d}",
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D0CHATTY",
                "user": "U0CHATTY",
                "text": f"hello {number}",
                "ts": f"{time.time():.6f}",
            },
        }
    ).encode()


async def _load(url: str, team: str, rate: float, seconds: float, first: int) -> list[float]:
    latencies: list[float] = []
    async with aiohttp.ClientSession() as http:

        async def one(number: int, due: float) -> None:
            body = _event(team, number)
            async with http.post(
                url, data=body, headers=signed(body, content_type="application/json")
            ) as answer:
                await answer.read()
            latencies.append(time.monotonic() - due)

        start = time.monotonic()
        tasks = []
        for n in range(int(rate * seconds)):
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tasks.append(asyncio.create_task(one(first + n, due)))
        await asyncio.gather(*tasks)
    return latencies


def _load_process(
    url: str, team: str, rate: float, seconds: float, first: int, out: Connection
) -> None:
    out.send(asyncio.run(_load(url, team, rate, seconds, first)))


_PIPE = multiprocessing.Pipe(duplex=False)


def _phase(url: str, team: str, rate: float, seconds: float, first: int) -> multiprocessing.Process:
    return multiprocessing.Process(
        target=_load_process, args=(url, team, rate, seconds, first, _PIPE[1]), daemon=True
    )


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'responsiveness.db'}"
        db = Database(url)
        async with SlackProcess(_slack, args.due, respondents_for(args.answers)) as slack:
            team = slack.team
            begin = time.perf_counter()
            generate(db, args.answers, team=team)
            seed_due(db, people=args.due, known_dm=True)
            print(
                f"{args.answers:,} answers and {args.due:,} due people in "
                f"{time.perf_counter() - begin:.1f} s"
            )
            settings = Settings(
                SLACK_BOT_TOKEN=slack.bot_token,
                SLACK_SIGNING_SECRET=SECRET,
                NPSBOT_SLACK_API_URL=slack.api_url,
                NPSBOT_DATABASE_URL=url,
                NPSBOT_ADMINS=ADMIN,
                NPSBOT_SLACK_SEND_RATE=args.send_rate,
            )
            async with serving(settings, db=db) as bot:  # the idle baseline is a warm bot's
                events = f"http://127.0.0.1:{bot.port}/slack/events"
                await _command(bot, team, "digest channel #C0DIGEST")

                idle = await _measure(events, team, args.rate, args.seconds, 0)
                digest = asyncio.create_task(_command(bot, team, "digest now"))
                passing = asyncio.create_task(bot.dispatcher.run_pass())
                busy = await _measure(events, team, args.rate, args.seconds, 10**6)
                digested = digest.done()
                # The pass stops starting sends (what it sent is kept) and ends before the
                # server does: the bot's shutdown waits only for its own scheduler's pass, not
                # this one, and would close the Slack client under it.
                bot.dispatcher.stopping = True
                await asyncio.gather(digest, passing)
            sent = await slack.ask(_dms)
        db.dispose()
    i50, i99, imax = percentiles(idle)
    b50, b99, bmax = percentiles(busy)
    print(f"idle: ack p50 {i50:.1f} ms, p99 {i99:.1f} ms, max {imax:.1f} ms ({len(idle)} events)")
    print(
        f"busy (digest over {args.answers:,} answers{'' if digested else ', still running'}"
        f" + a dispatch pass that sent {sent:,} questions in the window): "
        f"ack p50 {b50:.1f} ms, p99 {b99:.1f} ms, max {bmax:.1f} ms ({len(busy)} events)"
    )
    print(
        f"ratio busy/idle: p99 {b99 / i99:.1f}x, max {bmax / imax:.1f}x "
        "(targets: busy p99 < 100 ms, max < 500 ms)"
    )


def _slack(sandbox: SlackSandbox, due: int, respondents: int) -> None:
    """Everyone the pass asks, the answers' people (due again by rotation), the admin, the
    chatty one and the digest's channel."""
    for i in range(due):
        sandbox.add_user(user(i))
    for i in range(1, respondents + 1):
        sandbox.add_user(f"U{i}")
    sandbox.add_user(ADMIN, name="ada")
    sandbox.add_user("U0CHATTY", name="chatty")
    sandbox.add_channel("C0DIGEST", [ADMIN, sandbox.workspace.bot_user_id], name="digest")


def _dms(sandbox: SlackSandbox) -> int:
    """How many questions reached a DM."""
    return sum(m.channel.startswith("D") for m in sandbox.messages)


async def _command(bot: NpsBot, team: str, text: str) -> None:
    origin = Origin(platform="slack", workspace=team, user_id=ADMIN)
    await bot.handle(AdminCommand(origin, "C0DIGEST", text))


async def _measure(url: str, team: str, rate: float, seconds: float, first: int) -> list[float]:
    """Events from another process for `seconds`; the loop here stays free to serve them."""
    process = _phase(url, team, rate, seconds, first)
    process.start()
    while not _PIPE[0].poll():
        await asyncio.sleep(0.05)
    latencies: list[float] = _PIPE[0].recv()
    process.join()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=50_000)
    parser.add_argument("--rate", type=float, default=50.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase")
    parser.add_argument("--send-rate", type=float, default=500.0, help="the bot's sends/s")
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--small", action="store_true", help="5,000 answers, 200 due, 2 s")
    args = parser.parse_args()
    if args.small:
        args.answers, args.due, args.seconds = 5_000, 200, 2.0
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
