"""The audit log: every change an admin makes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from bot.models import AuditEntry


def audit(
    *, session: Session, workspace_id: int, actor: str, action: str, detail: str, now: datetime
) -> None:
    session.add(
        AuditEntry(workspace_id=workspace_id, actor=actor, action=action, detail=detail, at=now)
    )


def audit_entries(
    *, session: Session, workspace_id: int, action: str, since: datetime
) -> Sequence[AuditEntry]:
    """Audit entries of one action since a moment, newest first."""
    return session.exec(
        select(AuditEntry)
        .where(
            AuditEntry.workspace_id == workspace_id,
            AuditEntry.action == action,
            col(AuditEntry.at) >= since,
        )
        .order_by(col(AuditEntry.at).desc())
    ).all()
