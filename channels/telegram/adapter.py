"""Telegram as a channel: the PTB Application, run by long polling or by webhook.

Sending goes through the Application's bot, whose rate limiter keeps within Telegram's flood
limits and waits out 429s; receiving is `handlers.py`. Which mode runs follows the settings:
TELEGRAM_WEBHOOK_URL set means webhook, otherwise long polling.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TypeVar

from telegram import InputFile
from telegram.ext import ExtBot

from bot.channel import (
    Adapter,
    Followup,
    Handler,
    Identity,
    MessageRef,
    Profile,
    Question,
    Recipient,
)
from bot.i18n import SUPPORTED
from channels.telegram import formatting, handlers, keyboards
from channels.telegram.build import ALLOWED_UPDATES, build_application, commands
from channels.telegram.digest_html import render_digest_html
from channels.telegram.durable import DurableUpdates
from channels.telegram.errors import platform_errors, tidy_edit
from channels.telegram.fitting import split_text
from channels.telegram.limits import NO_WAIT, PacedRateLimiter
from channels.telegram.memory import ChatMemory
from channels.telegram.report_html import ReportPoster, photo_then_text
from channels.telegram.team_posts import TeamPosts, chat_key, ref_of
from channels.telegram.webhook import webhook_route

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from bot.clock import Clock
    from bot.i18n import Catalogue
    from bot.inbound import Inbound
    from bot.settings import TelegramSettings
    from scoring.digest import Digest

log = logging.getLogger(__name__)
T = TypeVar("T")


class TelegramAdapter(TeamPosts, ReportPoster, Adapter):
    """One bot token: its private chats are the respondents, its groups the team's rooms."""

    platform = "telegram"

    def __init__(
        self,
        *,
        settings: TelegramSettings,
        handle: Handler,
        clock: Clock,
        catalogue: Catalogue,
        inbound: Inbound | None = None,
    ) -> None:
        super().__init__(handle=handle, clock=clock, catalogue=catalogue)
        self.settings = settings
        self.inbound = inbound
        self.application = build_application(settings=settings, updater=inbound is None)
        limiter = self.application.bot.rate_limiter
        if isinstance(limiter, PacedRateLimiter):
            limiter.on_429 = lambda endpoint: self.observe_429(endpoint)
        self.memory = ChatMemory()
        self.durable = (
            None
            if inbound is None
            else DurableUpdates(application=self.application, inbound=inbound)
        )
        handlers.register(
            self.application,
            handle=handle,
            memory=self.memory,
            team=catalogue.team,
            durable=self.durable is not None,
            catalogue=catalogue,
        )

    @property
    def _bot(self) -> ExtBot[None]:
        return self.application.bot

    @property
    def _webhook_secret(self) -> str:
        secret = self.settings.webhook_secret
        assert secret is not None, "settings require TELEGRAM_WEBHOOK_SECRET with the URL"
        return secret.get_secret_value()

    async def start(self) -> None:
        """Introduce the bot (getMe, commands), then listen: push by webhook, or long polling."""
        app = self.application
        with platform_errors("start the bot"):
            await app.initialize()
            await self._set_commands()
            await app.start()
            if self.settings.webhook_url:
                await self._bot.set_webhook(
                    str(self.settings.webhook_url),
                    secret_token=self._webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            elif self.durable is not None:
                await self.durable.start_polling(allowed_updates=ALLOWED_UPDATES)
            elif app.updater is not None:
                await app.updater.start_polling(
                    allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
                )

    async def identify(self) -> Identity:
        with platform_errors("identify the bot"):
            me = await self._bot.get_me()
        return Identity(workspace=str(me.id), name=me.username or me.first_name)

    async def _set_commands(self) -> None:
        """The menu in the default language, and in each other one for clients set to it."""
        catalogue = self.catalogue
        await self._bot.set_my_commands(commands(catalogue.words()))
        for language in SUPPORTED:
            if language != catalogue.default_language:
                menu = commands(catalogue.words(language))
                await self._bot.set_my_commands(menu, language_code=language)

    async def stop(self) -> None:
        """Stop fetching, finish the updates already taken, close the connections.

        The webhook stays registered: Telegram keeps new updates until we are back.
        """
        app = self.application
        if self.durable is not None:
            await self.durable.stop_polling()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def connection_problem(self) -> str | None:
        """Long polling must be running; in webhook mode the Application must be."""
        app = self.application
        if app.updater is not None and not app.updater.running:
            return "long polling is not running"
        return None if app.running else "not started"

    def routes(self) -> list[BaseRoute]:
        if not self.settings.webhook_url:
            return []
        return [
            webhook_route(
                application=self.application, secret=self._webhook_secret, durable=self.durable
            )
        ]

    # -- Channel -----------------------------------------------------------------------------

    async def send_question(self, *, recipient: Recipient, question: Question) -> MessageRef:
        with platform_errors("send the survey question"):
            message = await self._bot.send_message(
                chat_id=_private_chat(recipient),
                text=formatting.question_text(question),
                api_kwargs={"reply_markup": keyboards.question_markup(question)},  # sent as is
                # the dispatcher waits, with the row released; ExtBot[None] types it None
                rate_limit_args=NO_WAIT,  # type: ignore[arg-type]
            )
        return ref_of(message)

    async def show_score(self, *, ref: MessageRef, question: Question, score: int) -> None:
        with tidy_edit("show the chosen score"):
            await self._bot.edit_message_text(
                chat_id=chat_key(ref.chat_id),
                message_id=int(ref.message_id),
                text=formatting.answered_text(question),
            )

    async def ask_followup(
        self, *, recipient: Recipient, ref: MessageRef, followup: Followup
    ) -> None:
        with platform_errors("ask the follow-up question"):
            await self._bot.send_message(
                chat_id=chat_key(ref.chat_id),
                text=formatting.followup_text(followup),
                reply_markup=keyboards.comment_prompt(followup),
            )
        self.memory.followups.put(ref.chat_id, followup.invitation_id)

    async def send_text(self, *, recipient: Recipient, text: str) -> None:
        """A long text (a teammate's reply, say) arrives as several messages, in order."""
        with platform_errors("send a message"):
            for part in split_text(text):
                await self._bot.send_message(chat_id=_private_chat(recipient), text=part)

    async def send_file(
        self, *, recipient: Recipient, filename: str, data: bytes, caption: str
    ) -> None:
        with platform_errors("send a file"):
            await self._bot.send_document(
                chat_id=_private_chat(recipient),
                document=InputFile(data, filename=filename),
                caption=caption,
            )

    async def post_digest(self, *, chat_id: str, digest: Digest, chart_png: bytes) -> None:
        """The chart with a short caption, then the text in as many messages as it needs;
        a caption over Telegram's 1024 characters continues in the first message."""
        caption, body = render_digest_html(digest, self.catalogue.team)

        async def post(chat: int | str) -> None:
            await photo_then_text(self._bot, chat, photo=chart_png, caption=caption, body=body)

        await self._to_team(chat_id, "post the digest", post)

    async def fetch_profile(self, *, user_id: str) -> Profile | None:
        """Telegram shares a name only; the language arrives with /start, no time zone ever.

        A failed getChat raises (ChannelError), so the core keeps the profile it has rather
        than storing an empty one as fresh.
        """
        with platform_errors("fetch a profile"):
            chat = await self._bot.get_chat(chat_key(user_id))
        return Profile(user_id=user_id, display_name=chat.full_name or chat.title)


def _private_chat(recipient: Recipient) -> int | str:
    """A user's private chat has the user's id, so it is known even before they write."""
    return chat_key(recipient.chat_id or recipient.user_id)
