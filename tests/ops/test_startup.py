"""`npsbot run` refuses what it cannot work with: exit 2, one line, no traceback, no secret.

Real processes against the local sandboxes and real databases.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from channels.sandbox.slack import SlackSandbox
from channels.sandbox.telegram import TelegramSandbox
from tests.conftest import POSTGRES_URL
from tests.ops.process import Npsbot, environment, run_to_exit
from tests.tcp_proxy import TcpProxy

BOT_TOKEN = "xoxb-1111111111-2222222222222-SlackBotSecretPart0123456"
APP_TOKEN = "xapp-1-A0SANDBOX-3333333333-SlackAppSecretPart0123456789abcdef"
TELEGRAM_TOKEN = "7654321098:AAHtelegramSecretPart0123456789abcdEF"
SIGNING = "signing-secret-for-tests-0123456789"


def assert_refused(code: int, output: str, setting: str, *secrets: str) -> None:
    assert code == 2, output
    lines = output.splitlines()
    assert 1 <= len(lines) <= 3, output
    assert "Traceback" not in output
    assert setting in lines[-1], output
    for secret in secrets:
        assert secret not in output
        assert secret.split("-")[-1].split(":")[-1] not in output


@pytest.fixture
async def slack() -> SlackSandbox:
    async with SlackSandbox(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as sandbox:
        yield sandbox


def slack_env(sandbox: SlackSandbox, tmp_path: Path, **settings: object) -> dict[str, str]:
    defaults = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING,
        "NPSBOT_SLACK_API_URL": sandbox.api_url,
        "NPSBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'npsbot.db'}",
    }
    return environment(**{**defaults, **settings})


async def test_postgres_scheme_is_refused(slack: SlackSandbox, tmp_path: Path) -> None:
    url = "postgres://npsbot:DbPasswordSecret@127.0.0.1:5432/npsbot"
    code, output = await run_to_exit(slack_env(slack, tmp_path, NPSBOT_DATABASE_URL=url), tmp_path)
    assert_refused(code, output, "NPSBOT_DATABASE_URL", "DbPasswordSecret", SIGNING)
    assert "postgresql+psycopg://" in output


async def test_a_bad_setting_is_one_line(slack: SlackSandbox, tmp_path: Path) -> None:
    env = slack_env(slack, tmp_path, NPSBOT_MIN_GROUP_SIZE=1)
    assert_refused(*await run_to_exit(env, tmp_path), "NPSBOT_MIN_GROUP_SIZE", BOT_TOKEN)


async def test_unreachable_database_retries_then_gives_up(
    slack: SlackSandbox, tmp_path: Path
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgresql+psycopg://npsbot:DbPasswordSecret@127.0.0.1:{port}/npsbot"
    env = slack_env(slack, tmp_path, NPSBOT_DATABASE_URL=url, NPSBOT_STARTUP_TIMEOUT=2)
    code, output = await run_to_exit(env, tmp_path)
    assert_refused(code, output, "NPSBOT_DATABASE_URL", "DbPasswordSecret", BOT_TOKEN)
    assert "retrying" in output and "gave up" in output


async def test_unopenable_sqlite_file_is_refused(slack: SlackSandbox, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'npsbot.db'}"
    env = slack_env(slack, tmp_path, NPSBOT_DATABASE_URL=url)
    assert_refused(*await run_to_exit(env, tmp_path), "NPSBOT_DATABASE_URL", BOT_TOKEN)


@pytest.mark.skipif(not POSTGRES_URL, reason="needs NPSBOT_TEST_DATABASE_URL")
async def test_database_down_at_boot_is_waited_for(slack: SlackSandbox, tmp_path: Path) -> None:
    """The database comes up after npsbot: it says it waits, then starts by itself."""
    assert POSTGRES_URL
    target = sa.engine.make_url(POSTGRES_URL)
    with TcpProxy(target_host=target.host or "127.0.0.1", target_port=target.port or 5432) as proxy:
        proxy.cut()
        url = target.set(port=proxy.port).render_as_string(hide_password=False)
        bot = await Npsbot.start(slack_env(slack, tmp_path, NPSBOT_DATABASE_URL=url), tmp_path)
        try:
            await bot.wait_for("database is not reachable.*retrying")
            proxy.restore()
            await bot.url()
        finally:
            await bot.kill()
    assert "Traceback" not in bot.output


async def test_rejected_slack_bot_token(slack: SlackSandbox, tmp_path: Path) -> None:
    wrong = "xoxb-1111111111-2222222222222-WrongBotSecret0123456789"
    env = slack_env(slack, tmp_path, SLACK_BOT_TOKEN=wrong)
    code, output = await run_to_exit(env, tmp_path)
    assert_refused(code, output, "SLACK_BOT_TOKEN", wrong, SIGNING)
    assert "invalid_auth" in output


async def test_rejected_slack_app_token(slack: SlackSandbox, tmp_path: Path) -> None:
    wrong = "xapp-1-A0SANDBOX-3333333333-WrongAppSecret0123456789abcdef"
    env = slack_env(slack, tmp_path, SLACK_APP_TOKEN=wrong)
    code, output = await run_to_exit(env, tmp_path)
    assert_refused(code, output, "SLACK_APP_TOKEN", wrong, BOT_TOKEN)
    assert slack.calls_to("apps.connections.open"), "the app token was really tried"


async def test_rejected_telegram_token(tmp_path: Path) -> None:
    wrong = "7654321098:AAHwrongTelegramSecret0123456789abcdEF"
    async with TelegramSandbox(token=TELEGRAM_TOKEN) as sandbox:
        env = environment(
            TELEGRAM_BOT_TOKEN=wrong,
            NPSBOT_TELEGRAM_API_URL=sandbox.base_url,
            NPSBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'npsbot.db'}",
        )
        code, output = await run_to_exit(env, tmp_path)
    assert_refused(code, output, "TELEGRAM_BOT_TOKEN", wrong)
    assert "Unauthorized" in output


async def test_port_in_use_is_found_before_migrations(slack: SlackSandbox, tmp_path: Path) -> None:
    database = tmp_path / "npsbot.db"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = slack_env(slack, tmp_path, NPSBOT_HTTP_PORT=taken.getsockname()[1])
        code, output = await run_to_exit(env, tmp_path)
    assert_refused(code, output, "NPSBOT_HTTP_PORT", BOT_TOKEN, SIGNING)
    assert "already in use" in output
    assert not database.exists(), "the port is checked before the database is touched"


async def test_sigterm_while_waiting_for_the_database_ends_the_wait(
    slack: SlackSandbox, tmp_path: Path
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"postgresql+psycopg://npsbot@127.0.0.1:{port}/npsbot"
    env = slack_env(slack, tmp_path, NPSBOT_DATABASE_URL=url, NPSBOT_STARTUP_TIMEOUT=0)
    bot = await Npsbot.start(env, tmp_path)
    try:
        await bot.wait_for("retrying")
        bot.process.send_signal(signal.SIGTERM)
        assert await bot.exit_code(timeout=5) == 0, bot.output
    finally:
        await bot.kill()
    assert "Traceback" not in bot.output


PRELOAD_PROBE = """
import asyncio, sys
from bot.app import NpsBot
from bot.settings import Settings

async def main() -> None:
    for preload in ("false", "true"):
        settings = Settings(NPSBOT_DATABASE_URL=sys.argv[1], NPSBOT_PRELOAD_MODELS=preload)
        bot = NpsBot(settings, platforms=[])
        await bot.start()
        await bot.warmed_up()
        await bot.stop()
        print(preload, all(name in sys.modules for name in ("lingua", "textblob")))

asyncio.run(main())
"""


def test_models_are_loaded_at_start_up_unless_switched_off(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """NPSBOT_PRELOAD_MODELS=false starts without the language and sentiment models (a
    replica that only sends never pays for them); the default loads them before any comment."""
    database = tmp_path / "npsbot.db"
    shutil.copyfile(sqlite_template, database)
    result = subprocess.run(
        [sys.executable, "-c", PRELOAD_PROBE, f"sqlite:///{database}"],
        cwd=tmp_path,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["false", "False", "true", "True"], result.stdout
