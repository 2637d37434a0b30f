"""`npsbot demo`: the real bot against local Slack and Telegram sandboxes.

Nothing is mocked on our side: bolt and python-telegram-bot talk HTTP to servers that speak
Slack's Web API and Telegram's Bot API, simulated customers click buttons and type comments
through those servers, and a fake clock walks the scheduler through several weeks.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from bot import store
from bot.app import NpsBot
from bot.clock import FakeClock
from bot.demo_clicks import press_slack, press_telegram
from bot.demo_customers import Customer, comment_for, make_customers, score_for
from bot.demo_database import DemoError, fresh_database
from bot.digest.terminal import print_digest
from bot.models import Invitation
from bot.settings import load_settings
from channels.sandbox.slack import SlackRequestSigner, SlackSandbox
from channels.sandbox.slack_payloads import message_event
from channels.sandbox.telegram import FloodLimits, TelegramSandbox
from scheduling.bulk_planning import plan_due

SIGNING_SECRET = "demo-signing-secret"
SLACK_ADMIN, TELEGRAM_ADMIN = "U0ADMIN", 7000
CUSTOMERS_CHANNEL, DIGEST_CHANNEL, ALERTS_CHANNEL = "C0CUSTOMERS", "C0DIGEST", "C0ALERTS"
TEAM_GROUP = -1001234567890
TICKS = (3, 10, 16, 21)
"""UTC hours at which each simulated weekday runs a dispatch pass: mornings in Singapore,
Europe and New York (production passes run every 30 seconds)."""
CHART = Path("npsbot-demo-trend.png")


class Demo:
    """Runs the simulation; one instance per `npsbot demo`."""

    def __init__(self, *, customers: int, weeks: int, seed: int, console: Console) -> None:
        self.rng = random.Random(seed)
        self.weeks = weeks
        self.console = console
        self.slack_customers = make_customers(
            platform="slack", count=customers, rng=self.rng, first_id=1
        )
        self.telegram_customers = make_customers(
            platform="telegram", count=max(customers // 2, 10), rng=self.rng, first_id=500_001
        )
        self.by_user = {c.user_id: c for c in self.slack_customers + self.telegram_customers}
        this_monday = datetime.now(UTC).date() - timedelta(days=datetime.now(UTC).weekday())
        start = this_monday - timedelta(weeks=weeks)
        self.clock = FakeClock(datetime(start.year, start.month, start.day, 8, tzinfo=UTC))
        self.slack = SlackSandbox()
        # The demo runs weeks in seconds, so it raises Telegram's flood limits explicitly.
        self.telegram = TelegramSandbox(bot_id=123456, flood=FloodLimits.relaxed())
        self.answered: set[int] = set()

    async def run(self) -> None:
        async with self.slack, self.telegram:
            settings = load_settings(
                SLACK_BOT_TOKEN="xoxb-sandbox",
                SLACK_SIGNING_SECRET=SIGNING_SECRET,
                SLACK_APP_TOKEN=None,
                TELEGRAM_BOT_TOKEN=self.telegram.token,
                TELEGRAM_WEBHOOK_URL=None,
                NPSBOT_SLACK_API_URL=self.slack.api_url,
                NPSBOT_TELEGRAM_API_URL=self.telegram.base_url,
                NPSBOT_ADMINS=f"{SLACK_ADMIN},{TELEGRAM_ADMIN}",
                # The sandboxes set no rate limit of their own: the demo runs at local speed.
                NPSBOT_SLACK_SEND_RATE=500,
                NPSBOT_TELEGRAM_SEND_RATE=500,
            )
            db = fresh_database(settings.database_url)
            bot = NpsBot(settings, clock=self.clock, db=db, platforms=["slack", "telegram"])
            server = asyncio.create_task(bot.serve(port=0))
            await bot.wait_started()
            self.signer = SlackRequestSigner(signing_secret=SIGNING_SECRET, sandbox=self.slack)
            try:
                await self._simulate(bot)
            finally:
                await self.signer.close()
                await bot.stop()
                server.cancel()
                await asyncio.gather(server, return_exceptions=True)
                db.dispose()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def _simulate(self, bot: NpsBot) -> None:
        self.bot, self.port = bot, bot.port
        started = time.perf_counter()
        with self.console.status("Setting up Slack and Telegram workspaces..."):
            await self._set_up()
        with Progress(console=self.console, transient=False) as progress:
            task = progress.add_task("Simulating weeks", total=self.weeks)
            for week in range(self.weeks):
                await self._week(week)
                progress.update(task, advance=1, description=f"Week {week + 1} of {self.weeks}")
        self.clock.set(self.clock.now().replace(hour=9, minute=0))
        posted = await bot.digests.post_weekly()
        digest, chart = bot.digests.build(bot.digests.week_of())
        print_digest(digest, bot.catalogue.team, self.console)
        CHART.write_bytes(chart)
        self._summary(posted, time.perf_counter() - started)

    async def _slash(self, text: str, channel_id: str = "C0GENERAL") -> None:
        status, _ = await self.signer.deliver_slash_command(
            self.url, user_id=SLACK_ADMIN, text=text, channel_id=channel_id
        )
        if status != 200:
            raise DemoError(f"/nps {text} was answered with HTTP {status}")

    async def _set_up(self) -> None:
        self.slack.add_user(SLACK_ADMIN, name="admin", is_admin=True)
        for customer in self.slack_customers:
            self.slack.add_user(
                customer.user_id,
                name=customer.name.lower().replace(" ", ".").rstrip("."),
                real_name=customer.name,
                tz=customer.timezone,
            )
        self.slack.add_user("U0BOTHELPER", name="helper-bot", is_bot=True)
        members = [c.user_id for c in self.slack_customers] + ["U0BOTHELPER", "U0BOT"]
        self.slack.add_channel(CUSTOMERS_CHANNEL, members)
        for team_channel in (DIGEST_CHANNEL, ALERTS_CHANNEL):
            self.slack.add_channel(team_channel, [SLACK_ADMIN, "U0BOT"])
        policy = "cadence days 28 gap-answered 28 gap-unanswered 14 reminder off"
        for command in (
            policy,
            f"digest channel <#{DIGEST_CHANNEL}|cx-digest>",
            f"alerts channel <#{ALERTS_CHANNEL}|cx-alerts>",
            f"audience add <#{CUSTOMERS_CHANNEL}|customers>",
        ):
            await self._slash(command)
        await self._until(lambda: self._respondents("slack") >= len(self.slack_customers))
        with self.bot.db.session() as session:
            workspace = store.find_workspace(
                session=session, platform="slack", external_id="T0SANDBOX"
            )
            assert workspace is not None
            for customer in self.slack_customers:
                store.upsert_respondent(
                    session=session,
                    workspace=workspace,
                    platform_user_id=customer.user_id,
                    now=self.clock.now(),
                    attributes=customer.attributes,
                )
        self.telegram.add_group(
            TEAM_GROUP, title="CX team", admins=[TELEGRAM_ADMIN], members=[TELEGRAM_ADMIN]
        )
        # Detractor alerts go to Slack only: Telegram allows a group 20 messages a minute,
        # and eight weeks squeezed into a minute would queue the digest behind them.
        for command in (f"/nps {policy}", "/nps digest here"):
            self.telegram.send_text(TELEGRAM_ADMIN, command, chat_id=TEAM_GROUP)
        for customer in self.telegram_customers:
            self.telegram.add_user(int(customer.user_id), first_name=customer.name.split()[0])
            self.telegram.send_text(
                int(customer.user_id), f"/start plan-{customer.plan}_region-{customer.region}"
            )
        await self._until(lambda: self._respondents("telegram") >= len(self.telegram_customers))
        for customer in self.telegram_customers:
            self.telegram.send_text(int(customer.user_id), f"/timezone {customer.timezone}")
        await self._until(
            lambda: self._respondents("telegram", zoned=True) >= len(self.telegram_customers)
        )

    def _respondents(self, platform: str, *, zoned: bool = False) -> int:
        with self.bot.db.session() as session:
            return store.respondent_count(session=session, platform=platform, zoned=zoned)

    async def _until(self, check: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise DemoError("the bot did not finish in time; see the log above")
            await asyncio.sleep(0.01)

    async def _week(self, week: int) -> None:
        monday = self.clock.now().date() - timedelta(days=self.clock.now().weekday())
        for day in range(5):
            for hour in TICKS:
                date = monday + timedelta(days=day)
                self.clock.set(datetime(date.year, date.month, date.day, hour, tzinfo=UTC))
                await self.bot.db.call(plan_due, db=self.bot.db, now=self.clock.now())
                await self.bot.dispatcher.run_pass()
                await self._answer(week)
        next_monday = monday + timedelta(days=7)
        self.clock.set(
            datetime(next_monday.year, next_monday.month, next_monday.day, 8, tzinfo=UTC)
        )

    async def _answer(self, week: int) -> None:
        """Each newly invited customer answers (or not), like a person would."""
        with self.bot.db.session() as session:
            rows = store.sent_invitations(session=session)
        fresh = [(i, r) for i, r in rows if i.id not in self.answered]
        if not fresh:
            return
        expected = 0
        gate = asyncio.Semaphore(16)

        async def one(invitation: Invitation, customer: Customer) -> None:
            async with gate:
                await self._respond(invitation, customer, week)

        tasks = []
        for invitation, respondent in fresh:
            self.answered.add(invitation.id or 0)
            customer = self.by_user.get(respondent.platform_user_id)
            if customer is None or self.rng.random() > 0.72:
                continue
            expected += 1
            tasks.append(one(invitation, customer))
        before = self._responses()
        await asyncio.gather(*tasks)
        await self._until(lambda: self._responses() >= before + expected)

    def _responses(self) -> int:
        with self.bot.db.session() as session:
            return store.response_count(session=session)

    async def _respond(self, invitation: Invitation, customer: Customer, week: int) -> None:
        score = score_for(customer, week=week, rng=self.rng)
        comment = comment_for(score, self.rng)
        if customer.platform == "slack":
            await press_slack(
                self.signer,
                self.slack,
                url=self.url,
                invitation=invitation,
                customer=customer,
                score=score,
            )
            if comment:
                await self._until(lambda: self._awaiting(invitation.id or 0))
                event = message_event(
                    user_id=customer.user_id, text=comment, channel_id=invitation.chat_ref or ""
                )
                await self.signer.deliver_event(self.url, event)
            return
        press_telegram(self.telegram, invitation=invitation, customer=customer, score=score)
        if comment:
            await self._until(lambda: self._awaiting(invitation.id or 0))
            self.telegram.send_text(int(customer.user_id), comment)

    def _awaiting(self, invitation_id: int) -> bool:
        with self.bot.db.session() as session:
            return store.response_for(session=session, invitation_id=invitation_id) is not None

    def _summary(self, posted: int, seconds: float) -> None:
        with self.bot.db.session() as session:
            totals = store.totals(session=session)
        self.console.print(
            f"\n[bold]Demo finished[/] in {seconds:.0f} s: "
            f"{len(self.slack_customers)} Slack and {len(self.telegram_customers)} Telegram "
            f"customers, {totals.invitations} invitations, {totals.responses} answers, "
            f"{totals.comments} comments "
            f"over {self.weeks} simulated weeks; digest posted to {posted} team channel(s) "
            f"({len(self.slack.uploaded_files)} chart upload(s) on Slack, "
            f"{len(self.telegram.photos)} photo(s) on Telegram)."
        )
        self.console.print(f"Trend chart written to [bold]{CHART.resolve()}[/]")
        self.console.print(
            "Explore the data: [bold]npsbot digest[/], [bold]npsbot export --format csv[/]"
        )


async def run_demo(*, customers: int, weeks: int, seed: int, console: Console) -> None:
    await Demo(customers=customers, weeks=weeks, seed=seed, console=console).run()
