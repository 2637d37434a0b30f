"""The follow-up remembers: someone whose last comment had a theme is asked about it, in their
own language and worded by their new score's category; off by setting and in anonymous mode."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.models import Respondent
from tests.channels.slack.conftest import StartBot
from tests.channels.slack.harness import SlackHarness, eventually
from tests.channels.slack.test_movers import settled
from tests.phrases import phrase

pytestmark = pytest.mark.database  # the only cover of the last-theme query the follow-up recalls


async def commented(slack: SlackHarness, score: int, comment: str) -> None:
    """Jane answers `score` and writes `comment` (her earlier answer)."""
    _, question = await slack.invite("U1", display_name="Jane Doe")
    await slack.click(question, f"nps_score_{score}")
    await slack.say(comment)
    await eventually(lambda: slack.responses()[-1].comment == comment)
    await settled(slack, question)


async def followup_after(slack: SlackHarness, score: int) -> str:
    """Jane is asked again and answers `score`: the follow-up she then reads."""
    _, question = await slack.invite("U1")
    await slack.click(question, f"nps_score_{score}")
    await settled(slack, question)
    after = slack.sandbox.messages_in("DU1")
    after = after[after.index(question) + 1 :]
    (asked,) = [m.text for m in after if m.text != phrase("survey.thanks")]
    return str(asked)


async def test_the_followup_asks_about_the_last_theme(slack: SlackHarness) -> None:
    await commented(slack, 3, "The slow checkout drives me mad")
    assert await followup_after(slack, 9) == (
        "Thank you! Last time you mentioned slow checkout. Better now? "
        "What do you value most about us?"
    )
    await slack.say("much faster now")
    await eventually(lambda: slack.responses()[-1].comment == "much faster now")
    assert await followup_after(slack, 5) == phrase("followup.detractor")  # no theme in it


async def test_it_is_worded_by_category_in_the_persons_language(slack: SlackHarness) -> None:
    await commented(slack, 9, "Great customer support, always quick")
    with slack.bot.db.session() as session:
        jane = session.exec(select(Respondent)).one()
        jane.language = "de"
        session.add(jane)
        session.commit()
    assert await followup_after(slack, 7) == (
        "Danke. Letztes Mal haben Sie customer support erwähnt. Ist es besser geworden? "
        "Was müssten wir tun, damit es für Sie eine 10 wird?"
    )


async def test_off_by_setting_and_in_anonymous_mode(slack: SlackHarness) -> None:
    reply = await slack.command("followup remember off", user_id="UADMIN")
    assert reply == "The follow-up no longer recalls previous comments."
    assert "the follow-up recalls nothing" in await slack.command("status", user_id="UADMIN")
    await commented(slack, 3, "The slow checkout drives me mad")
    assert await followup_after(slack, 6) == phrase("followup.detractor")

    assert (await slack.command("followup remember on", user_id="UADMIN")).startswith(
        "The follow-up now asks about the theme"
    )
    await slack.command("anonymous on", user_id="UADMIN")
    assert "recalls nothing (anonymous)" in await slack.command("status", user_id="UADMIN")
    assert await followup_after(slack, 6) == phrase("followup.detractor")

    await slack.say("the slow checkout again")
    await eventually(lambda: slack.responses()[-1].comment == "the slow checkout again")
    await slack.command("anonymous off", user_id="UADMIN")
    assert "slow checkout" in await followup_after(slack, 6)


async def test_nothing_is_recalled_when_the_deployment_is_anonymous(start_bot: StartBot) -> None:
    slack = await start_bot(NPSBOT_ANONYMOUS="true")
    await commented(slack, 3, "The slow checkout drives me mad")
    assert await followup_after(slack, 6) == phrase("followup.detractor")


async def test_the_admins_own_followup_wording_is_honoured(start_bot: StartBot) -> None:
    """NPSBOT_FOLLOWUP_DETRACTOR alone: a returning detractor reads it as written; with
    NPSBOT_FOLLOWUP_RECALL_PASSIVE the remembering is in the admin's words."""
    slack = await start_bot(
        NPSBOT_FOLLOWUP_DETRACTOR="What should we fix first?",
        NPSBOT_FOLLOWUP_RECALL_PASSIVE="You told us about {theme}. Is it fixed for you?",
    )
    await commented(slack, 3, "The slow checkout drives me mad")
    assert await followup_after(slack, 4) == "What should we fix first?"
    await slack.say("still the slow checkout")
    await eventually(lambda: slack.responses()[-1].comment == "still the slow checkout")
    assert await followup_after(slack, 8) == "You told us about slow checkout. Is it fixed for you?"
