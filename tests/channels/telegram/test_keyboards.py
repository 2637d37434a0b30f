"""The question's keyboard, encoded once per wording, is the keyboard PTB would have sent."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot import wording
from channels.telegram.keyboards import question_keyboard, question_markup
from channels.templates import TEMPLATE_ID
from tests.phrases import EN


@pytest.mark.parametrize("opt_out", [None, f"Stop {TEMPLATE_ID}"])
def test_the_cached_question_markup_is_the_keyboard_encoded(opt_out: str | None) -> None:
    """Per send only the id changes; a label containing the template's id is encoded whole."""
    for invitation_id in (7, 123_456_789):
        question = wording.question(EN, invitation_id=invitation_id, company="Acme")
        question = replace(question, opt_out_label=opt_out or question.opt_out_label)
        assert question_markup(question) == json.dumps(question_keyboard(question).to_dict())
