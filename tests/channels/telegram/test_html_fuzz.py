"""Whatever customers type, the Telegram HTML we build parses as Telegram parses it and fits.

The referee is the sandbox's Bot API parser, which refuses what Telegram refuses.
"""

from __future__ import annotations

from html import escape

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import wording
from bot.channel import Alert
from channels.sandbox.telegram.html import parse_html, utf16_len
from channels.telegram.fitting import CAPTION_LIMIT, MESSAGE_LIMIT, split_text
from channels.telegram.formatting import alert_html
from channels.telegram.html_split import split_html
from tests.phrases import EN

# Any Unicode but lone surrogates (which no JSON request can carry), biased to markup.
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("<>&\"';/=#bi \n"), st.characters(exclude_categories=("Cs",))
    ),
    max_size=300,
)


@settings(max_examples=150, deadline=None)
@given(
    respondent=TEXT,
    comment=st.builds(lambda text, n: text * n, TEXT, st.integers(1, 80)),
    attributes=st.dictionaries(TEXT, TEXT, max_size=60),
    owner=st.none() | TEXT,
)
def test_alerts_always_parse_and_fit(
    respondent: str, comment: str, attributes: dict[str, str], owner: str | None
) -> None:
    alert = Alert(
        response_id=1,
        score=0,
        respondent=respondent or None,
        attributes=attributes,
        comment=comment,
        owner=owner,
        labels=wording.alert_labels(EN, score=0, respondent=respondent or None, owner=owner),
    )
    text, _ = parse_html(alert_html(alert))
    assert utf16_len(text) <= MESSAGE_LIMIT
    shown = comment if utf16_len(comment) < 2000 else comment[:100]
    assert shown.strip() in text or not shown.strip()


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(TEXT, max_size=60), repeat=st.integers(1, 40))
def test_split_html_parts_always_parse_and_fit(lines: list[str], repeat: int) -> None:
    html = "\n".join(f"<b>{escape(line)}</b> <i>{escape(line * repeat)}</i>" for line in lines)
    for limit in (MESSAGE_LIMIT, CAPTION_LIMIT):
        for part in split_html(html, limit=limit):
            text, _ = parse_html(part)
            assert utf16_len(text) <= limit


@settings(max_examples=100, deadline=None)
@given(text=TEXT, repeat=st.integers(1, 60))
def test_split_text_keeps_every_word(text: str, repeat: int) -> None:
    long = text * repeat
    parts = split_text(long)
    assert all(utf16_len(part) <= MESSAGE_LIMIT for part in parts)
    assert "".join(long.split()) == "".join("".join(parts).split())
