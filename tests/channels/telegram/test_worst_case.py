"""Every Telegram surface at its worst case, accepted by the enforcing sandbox.

The sandbox parses HTML and measures after parsing in UTF-16 units, as Telegram does, so
acceptance there is the proof that a message fits.
"""

from __future__ import annotations

from dataclasses import replace

from bot import wording
from bot.channel import Alert, Followup, MessageRef, Question, Recipient
from channels.sandbox.telegram import TelegramSandbox
from channels.sandbox.telegram.html import parse_html, utf16_len
from channels.telegram import TelegramAdapter
from channels.telegram.fitting import cut, split_text, units
from channels.telegram.formatting import reply_prompt_html
from channels.telegram.html_split import CAPTION_LIMIT, MESSAGE_LIMIT, split_html
from scoring.themes import Theme
from tests.channels.telegram.conftest import GROUP, JANE
from tests.digest_sample import sample_digest
from tests.phrases import EN

HOSTILE = "<!channel> the <b>app</b> & billing are awful 😡 </i>&amp; "
ATTRIBUTES = {f"attribute_{n:02d}": ("v😀" + "x" * 97) for n in range(50)}


def worst_alert(**changes: object) -> Alert:
    alert = Alert(
        response_id=7,
        score=0,
        respondent="<Jane> & " + "J" * 300,
        attributes=ATTRIBUTES,
        comment=HOSTILE * 400,  # about 20,000 characters
        owner="O" * 500,
        reply=HOSTILE * 100,
        labels=wording.alert_labels(EN, score=0, respondent="<Jane> & " + "J" * 300, owner=None),
    )
    return replace(alert, **changes)  # type: ignore[arg-type]


async def test_worst_case_alert_is_accepted_and_cut(
    adapter: TelegramAdapter, sandbox: TelegramSandbox
) -> None:
    ref = await adapter.post_alert(chat_id=str(GROUP), alert=worst_alert(owner=None, reply=None))
    assert ref is not None
    [posted] = sandbox.sent_messages(GROUP)
    assert utf16_len(posted["text"]) <= MESSAGE_LIMIT
    assert posted["text"].endswith("…")
    assert "<!channel> the <b>app</b> & billing" in posted["text"]  # shown as typed, inert
    assert "attribute_49" not in posted["text"]  # the segment line is cut too
    await adapter.update_alert(ref=ref, alert=worst_alert())
    [edited] = sandbox.sent_messages(GROUP)
    assert utf16_len(edited["text"]) <= MESSAGE_LIMIT and "Following up: OOO" in edited["text"]
    assert all(call.status == 200 for call in sandbox.calls)


async def test_worst_case_digest_is_accepted(
    adapter: TelegramAdapter, sandbox: TelegramSandbox
) -> None:
    digest = sample_digest()
    theme = Theme(
        term="slow 😡 <checkout>",
        z=3.0,
        count_detractors=9,
        count_promoters=0,
        quotes=(HOSTILE * 50,),
        count=9,
        detractor_share=0.9,
        promoter_share=0.0,
    )
    themes = replace(digest.themes, detractor_themes=(theme,) * 40, promoter_themes=(theme,) * 40)
    # Long enough for several parts, short enough to stay under a group's 20 messages a minute.
    worst = replace(digest, themes=themes, segments=digest.segments * 60, company=HOSTILE * 40)
    await adapter.post_digest(chat_id=str(GROUP), digest=worst, chart_png=b"png")
    posted = sandbox.sent_messages(GROUP)
    assert 3 < len(posted) <= 20 and all(call.status == 200 for call in sandbox.calls)
    assert utf16_len(posted[0]["caption"]) <= CAPTION_LIMIT
    quoted = [m["text"] for m in posted[1:] if "“<!channel> the <b>app</b>" in m["text"]]
    assert quoted and all("…”" in text for text in quoted)  # long quotes are cut, shown inert


async def test_long_plain_texts_are_split_and_long_questions_cut(
    adapter: TelegramAdapter, sandbox: TelegramSandbox
) -> None:
    sandbox.add_user(JANE, started=True)
    recipient = Recipient(user_id=str(JANE))
    await adapter.send_text(recipient=recipient, text="😀 word " * 1000)
    parts = sandbox.sent_messages(JANE)
    assert len(parts) == 2 and all(utf16_len(p["text"]) <= MESSAGE_LIMIT for p in parts)
    assert sum(p["text"].count("word") for p in parts) == 1000
    question = Question(
        invitation_id=1,
        text="How likely? " * 500,
        low_label="0 = not at all likely",
        high_label="10 = extremely likely",
        opt_out_label="Don't ask me again",
        remind_label="Remind me later",
    )
    sent = await adapter.send_question(recipient=recipient, question=question)
    followup = Followup(
        invitation_id=1,
        text="Why? " * 1000,
        skip_label="Skip",
        reply_hint="Reply to this message, or send /skip.",
        placeholder="Your comment",
    )
    await adapter.ask_followup(recipient=recipient, ref=sent, followup=followup)
    assert all(call.status == 200 for call in sandbox.calls)
    assert isinstance(sent, MessageRef)


def test_cut_and_split_count_utf16_and_keep_surrogate_pairs() -> None:
    assert cut("short", 10) == "short"
    cut_emoji = cut("😀" * 10, 7)
    assert units(cut_emoji) <= 7 and cut_emoji.endswith("…") and "\ufffd" not in cut_emoji
    assert split_text("😀" * 5000) == ["😀" * 2048, "😀" * 2048, "😀" * 904]
    assert split_text("") == []


def test_html_parts_parse_and_fit_as_telegram_counts() -> None:
    html = "\n".join(f"<b>{'😀' * 30}</b> &amp; <i>{n}</i>" for n in range(400))
    parts = split_html(html)
    assert len(parts) > 1
    for part in parts:
        text, _ = parse_html(part)  # raises where Telegram would refuse
        assert utf16_len(text) <= MESSAGE_LIMIT


def test_reply_prompt_escapes_and_cuts_names() -> None:
    prompt = reply_prompt_html(
        response_id=3, respondent="<b>Jane</b> & co" * 50, teammate_id=1, teammate="<Os>", team=EN
    )
    text, entities = parse_html(prompt)
    assert text.startswith("<Os>, reply to <b>Jane</b> & co")
    assert text.endswith("(response #3):") and entities[0]["type"] == "text_link"
