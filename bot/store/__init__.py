"""Data access: keyword-only functions over a session, one module per entity.

Handlers never build queries; they call `store.<verb>(session=..., ...)`.
"""

from __future__ import annotations

from bot.store.audit_log import audit
from bot.store.deliveries import forget_processed, mark_processed
from bot.store.invitations import (
    create_invitation,
    expire_invitations,
    get_invitation,
    withdraw_pending,
)
from bot.store.respondents import find_respondent, set_opted_out, slot_for, upsert_respondent
from bot.store.responses import awaiting_comment, response_for
from bot.store.workspaces import (
    UnknownWorkspace,
    add_audience_source,
    find_workspace,
    get_or_create_workspace,
    is_audience_source,
    list_workspaces,
    set_target,
    sole_workspace,
    targets,
)

__all__ = [
    "UnknownWorkspace",
    "add_audience_source",
    "audit",
    "awaiting_comment",
    "create_invitation",
    "expire_invitations",
    "find_respondent",
    "find_workspace",
    "forget_processed",
    "get_invitation",
    "get_or_create_workspace",
    "is_audience_source",
    "list_workspaces",
    "mark_processed",
    "response_for",
    "set_opted_out",
    "set_target",
    "slot_for",
    "sole_workspace",
    "targets",
    "upsert_respondent",
    "withdraw_pending",
]
