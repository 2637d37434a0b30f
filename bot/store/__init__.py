"""Data access: keyword-only functions over a session, one module per entity.

Handlers, planners and admin commands call these and build no SQL of their own; a layout
test holds everything outside `bot/store/`, `bot/db.py` and `bot/models.py` to that.
"""

from __future__ import annotations

from bot.store.audit_log import audit
from bot.store.claims import (
    claim,
    claim_due,
    claim_reminder,
    claimed_by,
    mark_sending,
    mark_unreachable,
    release_stale_claims,
    why_not_marked,
    write_outcomes,
)
from bot.store.counts import (
    Totals,
    WorkspaceStatus,
    respondent_count,
    response_count,
    totals,
    workspace_status,
)
from bot.store.deliveries import forget_processed, mark_processed
from bot.store.digest import (
    Span,
    answered_of_delivered,
    delivered_count,
    segment_rows,
    theme_comments,
    week_counts,
    week_sentiment,
)
from bot.store.history import (
    Facts,
    Member,
    asked_at,
    last_trigger,
    load_facts,
    member,
    member_from_row,
    open_invitation,
    other_selves,
)
from bot.store.invitations import (
    create_invitation,
    expire_invitations,
    get_invitation,
    sent_invitations,
    withdraw_pending,
)
from bot.store.planning import (
    RotationFilter,
    active_workspaces,
    asked_between,
    asked_due_times,
    candidates,
    insert_planned,
    reminder_candidates,
)
from bot.store.respondents import (
    active_respondents,
    find_respondent,
    set_opted_out,
    slot_for,
    stale_profiles,
    upsert_respondent,
)
from bot.store.responses import awaiting_comment, response_for, responses_after
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
    "Facts",
    "Member",
    "RotationFilter",
    "Span",
    "Totals",
    "UnknownWorkspace",
    "WorkspaceStatus",
    "active_respondents",
    "active_workspaces",
    "add_audience_source",
    "answered_of_delivered",
    "asked_at",
    "asked_between",
    "asked_due_times",
    "audit",
    "awaiting_comment",
    "candidates",
    "claim",
    "claim_due",
    "claim_reminder",
    "claimed_by",
    "create_invitation",
    "delivered_count",
    "expire_invitations",
    "find_respondent",
    "find_workspace",
    "forget_processed",
    "get_invitation",
    "get_or_create_workspace",
    "insert_planned",
    "is_audience_source",
    "last_trigger",
    "list_workspaces",
    "load_facts",
    "mark_processed",
    "mark_sending",
    "mark_unreachable",
    "member",
    "member_from_row",
    "open_invitation",
    "other_selves",
    "release_stale_claims",
    "reminder_candidates",
    "respondent_count",
    "response_count",
    "response_for",
    "responses_after",
    "segment_rows",
    "sent_invitations",
    "set_opted_out",
    "set_target",
    "slot_for",
    "sole_workspace",
    "stale_profiles",
    "targets",
    "theme_comments",
    "totals",
    "upsert_respondent",
    "week_counts",
    "week_sentiment",
    "why_not_marked",
    "withdraw_pending",
    "workspace_status",
    "write_outcomes",
]
