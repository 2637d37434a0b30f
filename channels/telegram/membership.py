"""The bot's own place in chats: blocked by a respondent, removed from or moved with a group.

Telegram reports these as `my_chat_member` updates (the bot's status turning `kicked` or
`left`) and, when a group becomes a supergroup, as service messages that carry the new id.
"""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import ChatMemberHandler, MessageHandler, filters

from bot.channel import Handler
from bot.events import TargetMigrated, TargetRemoved, Unreachable
from bot.i18n import Words
from channels.telegram.build import UpdateHandler
from channels.telegram.updates import Context, message_of, origin

GONE = frozenset({ChatMember.BANNED, ChatMember.LEFT})


class MembershipHandlers:
    """Turns changes to the bot's membership into reachability and target events."""

    def __init__(self, *, handle: Handler, team: Words) -> None:
        self.team = team
        self.handle = handle

    def handlers(self) -> list[UpdateHandler]:
        return [
            ChatMemberHandler(self._membership, ChatMemberHandler.MY_CHAT_MEMBER),
            MessageHandler(filters.StatusUpdate.MIGRATE, self._migrated),
        ]

    async def _membership(self, update: Update, context: Context) -> None:
        """Blocking the bot is its membership turning `kicked` in the private chat; removing
        it from a group is the same in the group, and that group's targets go."""
        change = update.my_chat_member
        if change is None or change.new_chat_member.status not in GONE:
            return
        if change.chat.type == ChatType.PRIVATE:
            if change.new_chat_member.status == ChatMember.BANNED:
                await self.handle(Unreachable(origin(update, context), reason="blocked the bot"))
            return
        team = self.team
        by = change.from_user.full_name if change.from_user else team.t("removed.an_admin")
        group = change.chat.title or team.t("removed.the_group")
        await self.handle(
            TargetRemoved(
                platform="telegram",
                workspace=str(context.bot.id),
                chat_id=str(change.chat.id),
                reason=team.t("removed.by", group=group, by=by),  # read by the team's admins
            )
        )

    async def _migrated(self, update: Update, context: Context) -> None:
        """Both service messages name the move (old chat: `migrate_to`, new: `migrate_from`);
        moving a target is idempotent, so handling both is harmless."""
        message = message_of(update)
        if message.migrate_to_chat_id:
            old, new = message.chat_id, message.migrate_to_chat_id
        elif message.migrate_from_chat_id:
            old, new = message.migrate_from_chat_id, message.chat_id
        else:
            return
        event = TargetMigrated(
            platform="telegram",
            workspace=str(context.bot.id),
            old_chat_id=str(old),
            new_chat_id=str(new),
        )
        await self.handle(event)
