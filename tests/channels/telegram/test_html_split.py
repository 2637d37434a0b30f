"""Splitting Telegram HTML to size without breaking a tag, an entity or the tag balance."""

from __future__ import annotations

import re

import pytest

from channels.telegram.html_split import CAPTION_LIMIT, MESSAGE_LIMIT, split_html

TAG = re.compile(r"<(/?)([a-z-]+)[^<>]*>")


def balanced(part: str) -> bool:
    """Every tag closes in order, and no `<`, `>` or `&` is left outside a tag or an entity."""
    stack: list[str] = []
    for closing, name in TAG.findall(part):
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    bare = re.sub(r"&#?\w+;", "", TAG.sub("", part))
    return not stack and not re.search(r"[<>&]", bare)


def test_short_text_is_one_part() -> None:
    assert split_html("<b>NPS</b> 42") == ["<b>NPS</b> 42"]
    assert split_html("") == []


def test_lines_are_packed_and_cut_only_between_lines() -> None:
    lines = [f"<b>Team {n}</b>: NPS {n % 100} &amp; {n} answers" for n in range(400)]
    parts = split_html("\n".join(lines))
    assert len(parts) > 1
    assert all(len(part) <= MESSAGE_LIMIT and balanced(part) for part in parts)
    assert "\n".join(parts) == "\n".join(lines)
    assert len(parts[0]) > MESSAGE_LIMIT - 60  # packed, not one line per message


def test_tags_open_across_a_cut_are_closed_and_reopened() -> None:
    text = '<blockquote><a href="https://acme.test/r">' + "\n".join(["comment"] * 1500) + "</a>"
    text += "</blockquote>"
    parts = split_html(text)
    assert len(parts) > 2
    assert all(len(part) <= MESSAGE_LIMIT and balanced(part) for part in parts)
    assert all(part.startswith('<blockquote><a href="https://acme.test/r">') for part in parts)


@pytest.mark.parametrize("limit", [CAPTION_LIMIT, MESSAGE_LIMIT])
def test_a_line_longer_than_the_limit_breaks_between_words(limit: int) -> None:
    words = " ".join(f"<i>w{n}</i> x&amp;y" for n in range(2000))
    parts = split_html(f"<b>{words}</b>", limit=limit)
    assert all(len(part) <= limit and balanced(part) for part in parts)
    plain = "".join(TAG.sub("", part) for part in parts)
    assert plain == TAG.sub("", words)


def test_text_without_spaces_is_cut_anywhere_but_inside_an_entity() -> None:
    parts = split_html("&lt;" * 700, limit=CAPTION_LIMIT)
    assert all(re.fullmatch(r"(&lt;)+", part) for part in parts)
    assert "".join(parts) == "&lt;" * 700
    parts = split_html("x" * 5000)
    assert [len(part) for part in parts] == [4096, 904]
