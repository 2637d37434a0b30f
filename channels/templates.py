"""A question's markup encoded once per wording: per send, only the invitation id changes.

Building the buttons and encoding them to JSON was a sixth of a Slack send's CPU and more
of a Telegram one's. Both platforms take the markup as a JSON string as well as a structure
(chat.postMessage's `blocks`, sendMessage's `reply_markup`), so it is encoded once, with
TEMPLATE_ID where the invitation id goes, and the real id is put in per send.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.channel import Question

TEMPLATE_ID = 918_273_645_546_372_819
"""The invitation id a cached question is encoded with, then replaced by the real one."""

Build = Callable[[Question], Any]


def encoded(build: Build, question: Question) -> str:
    """`json.dumps(build(question))`, from the cached encoding of its wording."""
    template = _template(build, replace(question, invitation_id=TEMPLATE_ID))
    if template is None:
        return json.dumps(build(question))
    return template.replace(str(TEMPLATE_ID), str(question.invitation_id))


@functools.lru_cache(maxsize=256)
def _template(build: Build, question: Question) -> str | None:
    """The question encoded with TEMPLATE_ID; None when its words contain that number."""
    if str(TEMPLATE_ID) in json.dumps(build(replace(question, invitation_id=0))):
        return None
    return json.dumps(build(question))
