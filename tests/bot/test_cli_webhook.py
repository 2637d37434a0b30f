"""`npsbot webhook ...`: register, list, remove, log, and a signed ping; mistakes in one line."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from bot import outbound, store
from bot.cli import app
from bot.db import Database
from bot.models import Workspace
from tests.webhook_receiver import Receiver

runner = CliRunner()
URL = "https://crm.example.com/npsbot"
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.database  # the only cover of listing and removing webhooks
def test_add_prints_the_secret_then_list_log_and_remove(env: Database) -> None:
    code, out = run("webhook", "add", URL, "--events", "response.created,case.claimed")
    assert code == 0, out
    secret = re.search(r"^secret: (\S+)$", out, re.MULTILINE)
    assert secret and len(secret[1]) >= 32
    with env.session() as session:
        webhook = store.find_webhook(session=session, url=URL)
        assert webhook is not None and webhook.secret == secret[1]
        assert webhook.events == ["case.claimed", "response.created"]

    code, out = run("webhook", "list")
    assert (code, out.strip()) == (0, f"{URL}  case.claimed, response.created")
    assert run("webhook", "log") == (0, "No deliveries yet.\n")
    with env.session() as session:
        workspace = Workspace(platform="slack", external_id="T1")
        session.add(workspace)
        session.flush()
        person = store.upsert_respondent(
            session=session, workspace=workspace, platform_user_id="U1", now=NOW
        )
        outbound.opted_out(session, respondent=person, now=NOW, anonymous=False)
        jobs = outbound.emit(
            session,
            type="case.claimed",
            respondent_id=person.id or 0,
            data={"owner": "ada"},
            now=NOW,
            anonymous=False,
        )
        assert [job.lane for job in jobs] == [f"webhook:{webhook.id}:{person.id}"]
    code, out = run("webhook", "log", URL)
    assert code == 0 and out.count("\n") == 1, "only the subscribed event was queued"
    assert "pending" in out and "case.claimed" in out and "tries 0" in out

    assert run("webhook", "remove", URL) == (0, f"Removed {URL}.\n")
    assert store_jobs(env) == 0, "its undelivered events went with it"
    assert run("webhook", "list") == (0, "No webhooks (npsbot webhook add URL).\n")


def store_jobs(db: Database) -> int:
    with db.session() as session:
        return store.pending_jobs(session=session, kind=outbound.DELIVER)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("webhook", "add", "ftp://crm.example.com/x"), "must be http:// or https://"),
        (("webhook", "add", "crm.example.com/x"), "must be http:// or https://"),
        (("webhook", "add", "https:///nohost"), "with a host"),
        (("webhook", "add", "http://host:port/"), "not a valid URL"),
        (
            ("webhook", "add", URL, "--events", "response.created,case.deleted"),
            "unknown event 'case.deleted'; events are: response.created, response.updated",
        ),
        (("webhook", "remove", URL), f"no webhook {URL}"),
        (("webhook", "test", URL), f"no webhook {URL}"),
        (("webhook", "log", URL), f"no webhook {URL}"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(
    env: Database, args: tuple[str, ...], message: str
) -> None:
    code, out = run(*args)
    assert code == 2, out
    assert message in out and len(out.strip().splitlines()) == 1, out


def test_adding_the_same_url_twice_is_refused(env: Database) -> None:
    assert run("webhook", "add", URL)[0] == 0
    code, out = run("webhook", "add", URL)
    assert code == 2 and "is registered already" in out and len(out.strip().splitlines()) == 1


async def cli(*args: str) -> tuple[int, str]:
    """The command on a thread of its own, as `run` runs it: this loop serves the receiver, and
    the command's own `asyncio.run` needs a thread without one (a process of its own cost a
    second and a half of CPU a command, re-importing the bot)."""
    return await asyncio.to_thread(run, *args)


async def test_webhook_test_sends_a_signed_ping(env: Database) -> None:
    async with Receiver(200, 503) as receiver:
        code, out = await cli("webhook", "add", receiver.url)
        assert code == 0, out
        secret = re.search(r"^secret: (\S+)$", out, re.MULTILINE)
        assert secret
        code, out = await cli("webhook", "test", receiver.url)
        assert code == 0, out
        (ping,) = receiver.received
        assert ping.type == "ping" and ping.headers["X-Npsbot-Event"] == "ping"
        assert ping.signed_with(secret[1])
        assert f"ping {ping.event['id']} delivered" in out and "HTTP 200" in out

        code, out = await cli("webhook", "test", receiver.url)
        assert code == 2 and "failed: HTTP 503" in out and len(out.strip().splitlines()) == 1
