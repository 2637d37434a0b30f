"""Telegram updates in, platform-neutral events out: all PTB handlers, registered in order.

Decisions (permissions, idempotency, what to say about an outcome) belong to the core; the
handlers only know Telegram. Updates run one at a time, in the order Telegram sent them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, TypeHandler

from bot.channel import Handler
from bot.i18n import Catalogue, Words
from channels.telegram.build import AnyApplication
from channels.telegram.durable import FAILURES
from channels.telegram.membership import MembershipHandlers
from channels.telegram.memory import ChatMemory, Recent
from channels.telegram.respondent_handlers import RespondentHandlers
from channels.telegram.team_handlers import TeamHandlers
from channels.telegram.updates import Context, answer, query_of

log = logging.getLogger(__name__)


def register(
    application: AnyApplication,
    *,
    handle: Handler,
    memory: ChatMemory,
    team: Words,
    durable: bool = False,
    catalogue: Catalogue,
) -> None:
    """Deduplication first (group -1), then the bot's membership, the respondent's and the
    team's handlers.

    `durable` updates are deduplicated in the database when they are recorded, and a failed
    one runs again as the same update, so the in-memory filter must not drop it then.
    """
    if not durable:
        application.add_handler(TypeHandler(Update, Deduplicator().drop_seen), group=-1)
    application.add_handlers(
        [
            *MembershipHandlers(handle=handle, team=team).handlers(),
            *RespondentHandlers(handle=handle, memory=memory, catalogue=catalogue).handlers(),
            *TeamHandlers(handle=handle, memory=memory, team=team).handlers(),
            CallbackQueryHandler(stale_button(catalogue)),  # last: what nothing else matched
        ]
    )
    application.add_error_handler(_log_error)


class Deduplicator:
    """Drops a redelivered update (webhook retry, replay) before any handler sees it.

    The core also deduplicates answers by delivery id, which survives restarts; this catches
    the rest (a repeated /start or /nps) within one process.
    """

    def __init__(self, *, size: int = 4096) -> None:
        self._seen: Recent[int, bool] = Recent(size=size)

    async def drop_seen(self, update: Update, context: Context) -> None:
        if update.update_id in self._seen:
            raise ApplicationHandlerStop
        self._seen.put(update.update_id, True)


def stale_button(catalogue: Catalogue) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A button from an old message or another bot version: stop its spinner, say so in the
    language of whoever pressed it."""

    async def stale(update: Update, context: Context) -> None:
        query = query_of(update)
        words = catalogue.for_person(explicit=None, platform=query.from_user.language_code)
        await answer(query, words.t("telegram.stale_button"))

    return stale


async def _log_error(update: object, context: Context) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    if (failures := FAILURES.get()) is not None and context.error is not None:
        failures.append(context.error)
    log.error("Telegram update %s failed", update_id, exc_info=context.error)
