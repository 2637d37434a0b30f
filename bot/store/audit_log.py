"""The audit log: every change an admin makes."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.models import AuditEntry


def audit(
    *, session: Session, workspace_id: int, actor: str, action: str, detail: str, now: datetime
) -> None:
    session.add(
        AuditEntry(workspace_id=workspace_id, actor=actor, action=action, detail=detail, at=now)
    )
