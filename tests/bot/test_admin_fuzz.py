"""`/nps` fuzzed on both platforms and both databases: every input gets an answer, none a
traceback. NPSBOT_FUZZ_EXAMPLES raises the count (5,000 for a soak run); CI runs 150."""

from __future__ import annotations

import asyncio
import os

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from bot.admin_parse import USAGE
from bot.app import NpsBot
from bot.events import AdminCommand, Origin

EXAMPLES = int(os.environ.get("NPSBOT_FUZZ_EXAMPLES", "150"))
WORDS = [
    *USAGE,
    *[
        "show",
        "days",
        "gap-unanswered",
        "gap-answered",
        "cooldown",
        "window",
        "quiet",
        "daily-cap",
        "reminder",
        "expiry",
    ],
    *[
        "now",
        "here",
        "channel",
        "add",
        "remove",
        "list",
        "on",
        "off",
        "--force",
        "Mon-Fri",
        "Sat,Sun",
        "10:00-17:00",
    ],
    "22:00-08:00",
    "17:00-10:00",
    "24:00",
    "@U1",
    "@" + "U" * 80,
    "#C1",
    "-1001",
    "²",
    "⑤",
    "\x00",
    "'",
    '"',
    "\\",
    "<!here>",
    "&lt;!channel&gt;",
    "🙂",
    "\u202e",
    "9" * 30,
    "-0",
]
word = st.one_of(st.sampled_from(WORDS), st.text(max_size=12))
command = st.lists(word, max_size=8).map(" ".join)


@pytest.mark.parametrize("platform", ["slack", "telegram"])
def test_every_command_is_answered(bot: NpsBot, platform: str) -> None:
    admin = "UADMIN" if platform == "slack" else "777"
    origin = Origin(platform=platform, workspace="W1", user_id=admin)
    chat = "C1" if platform == "slack" else "-1001"

    @seed(20261201)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(text=command)
    def answered(text: str) -> None:
        reply = asyncio.run(bot.handle(AdminCommand(origin, chat, text)))
        assert isinstance(reply, str) and reply.strip(), repr(text)
        assert "Traceback" not in reply

    answered()
