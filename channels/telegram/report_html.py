"""`/nps report` on Telegram: the live report as the chart's photo, then HTML text.

The same view as Slack's App Home: this week's NPS with its interval and n in the caption,
the open cases (each unclaimed one with the alerts' own claim button, `claim:<id>`, so a
press is the same team action as on the alert) and the latest comments in the text, cut to
Telegram's caption and message limits like the digest.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import TYPE_CHECKING, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode

from bot.home_view import TeamHome
from bot.report_words import case_line, owner_line, week_line
from channels.telegram.fitting import cut
from channels.telegram.html_split import CAPTION_LIMIT, split_html

if TYPE_CHECKING:
    from telegram.ext import ExtBot

T = TypeVar("T")
BUTTON_LABEL = 60
QUOTE_LIMIT = 300


def render_report_html(home: TeamHome) -> tuple[str, str]:
    """(caption for the chart, HTML body); everything others wrote is escaped."""
    report, words = home.report, home.words
    caption = f"<b>{escape(report.title)} · {escape(words.t('home.live'))}</b>\n" + escape(
        week_line(report, words)
    )
    lines = [f"<b>{escape(words.t('home.cases', count=len(report.cases)))}</b>"]
    if not report.cases:
        lines.append(escape(words.t("home.no_cases")))
    for case in report.cases:
        lines.append("• " + escape(cut(case_line(case, words), QUOTE_LIMIT)))
        if (owner := owner_line(case, words)) is not None:
            lines.append(f"  <i>{escape(owner)}</i>")
    lines.append(f"\n<b>{escape(words.t('home.comments'))}</b>")
    if not report.comments:
        lines.append(escape(words.t("home.no_comments")))
    for comment in report.comments:
        lines.append(f"• {comment.score}/10 <i>“{escape(cut(comment.text, QUOTE_LIMIT))}”</i>")
    updated = report.built_at.strftime("%Y-%m-%d %H:%M UTC")
    lines.append(f"\n<i>{escape(words.t('home.updated', time=updated))}</i>")
    return caption, "\n".join(lines)


def claim_keyboard(home: TeamHome) -> InlineKeyboardMarkup | None:
    """One claim button a row for each unclaimed case, labelled with its score and who."""
    words = home.words
    rows = [
        [
            InlineKeyboardButton(
                cut(f"{words.t('alert.claim_button')}: {case_line(case, words)}", BUTTON_LABEL),
                callback_data=f"claim:{case.response_id}",
            )
        ]
        for case in home.report.cases
        if case.owner is None
    ]
    return InlineKeyboardMarkup(rows) if rows else None


async def photo_then_text(
    bot: ExtBot[None],
    chat: int | str,
    *,
    photo: bytes,
    caption: str,
    body: str,
    keyboard: InlineKeyboardMarkup | None = None,
) -> None:
    """A chart with as much caption as Telegram takes, then the rest in messages; the
    keyboard goes on the last message (the digest and the report post this way)."""
    first, *rest = split_html(caption, limit=CAPTION_LIMIT) or [""]
    parts = [*rest, *split_html(body)]
    await bot.send_photo(
        chat_id=chat,
        photo=photo,
        caption=first or None,
        parse_mode=ParseMode.HTML,
        reply_markup=None if parts else keyboard,
    )
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        await bot.send_message(
            chat_id=chat,
            text=part,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard if last else None,
        )


class ReportPoster:
    """Mixed into the Telegram adapter, which provides `_bot` and `_to_team`."""

    posts_reports = True

    @property
    def _bot(self) -> ExtBot[None]:
        raise NotImplementedError

    async def _to_team(
        self, chat_id: str, action: str, send: Callable[[int | str], Awaitable[T]]
    ) -> T:
        raise NotImplementedError

    async def post_report(self, *, chat_id: str, home: TeamHome) -> None:
        caption, body = render_report_html(home)

        async def post(chat: int | str) -> None:
            await photo_then_text(
                self._bot,
                chat,
                photo=home.report.chart_png,
                caption=caption,
                body=body,
                keyboard=claim_keyboard(home),
            )

        await self._to_team(chat_id, "post the report", post)
