"""Who may act on a detractor alert: a member of one of the workspace's team chats, or an
admin. Callback data and chat ids are chosen by whoever sends them (a modified Telegram
client can press `claim:7` anywhere), so the chat an action came from is checked against
the targets an admin registered, and membership against what the platform says."""

from __future__ import annotations

from sqlmodel import Session

from bot import store
from bot.events import AlertClaimed, AlertReplied, AlertReplyStarted, CaseResolved
from bot.models import Response, Workspace

TEAM_KINDS = ("alerts", "digest")

TeamAction = AlertClaimed | AlertReplied | AlertReplyStarted | CaseResolved


def team_chat_member(*, session: Session, admins: frozenset[str], event: TeamAction) -> bool:
    """True for an NPSBOT_ADMINS admin, or a member acting from a team chat of the
    response's own workspace on the same platform."""
    if event.origin.user_id in admins:
        return True
    if not event.member or not event.chat_id:
        return False
    response = session.get(Response, event.response_id)
    if response is None:
        return False
    workspace = session.get(Workspace, response.workspace_id)
    if workspace is None or workspace.platform != event.origin.platform:
        return False
    chats = {
        target.chat_id
        for kind in TEAM_KINDS
        for target in store.targets(session=session, workspace_id=workspace.id or 0, kind=kind)
    }
    return event.chat_id in chats
