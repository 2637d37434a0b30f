"""A person's data: everything stored about them (export), erasing it (forget), and the
retention purges that bound what is kept about everyone.

Forgetting keeps each response's score and timestamps under a respondent row whose
identity is a random pseudonym, so the aggregates (NPS, counts, digests) still add up
while nothing left in any table points back to the person.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import (
    AuditEntry,
    Case,
    CaseMessage,
    ForgottenPerson,
    Invitation,
    InvitationStatus,
    Respondent,
    Response,
)
from bot.store.webhooks import forget_deliveries

FORGOTTEN_PREFIX = "forgotten-"
OPEN = (InvitationStatus.PENDING, InvitationStatus.CLAIMED)
PERSON_FIELDS = (
    "platform",
    "platform_user_id",
    "display_name",
    "email",
    "person_key",
    "timezone",
    "locale",
    "language",
    "attributes",
    "dm_channel",
    "active",
    "opted_out",
    "opted_out_at",
    "unreachable",
    "unreachable_reason",
    "joined_at",
    "profile_refreshed_at",
)
RESPONSE_FIELDS = (
    "id",
    "score",
    "attributes",
    "comment",
    "polarity",
    "subjectivity",
    "answered_at",
    "commented_at",
)
CASE_FIELDS = ("state", "opened_at", "claimed_by", "first_reply_at", "resolved_at")
MESSAGE_FIELDS = ("from_team", "author", "text", "at")
INVITATION_FIELDS = ("id", "source", "event", "status", "due_at", "sent_at", "expires_at")


def is_forgotten(respondent: Respondent) -> bool:
    return respondent.platform_user_id.startswith(FORGOTTEN_PREFIX)


def respondents_of_user(
    *, session: Session, platform: str, platform_user_id: str
) -> Sequence[Respondent]:
    """Every row of one platform user, across the workspaces the bot serves."""
    return session.exec(
        select(Respondent)
        .where(Respondent.platform == platform, Respondent.platform_user_id == platform_user_id)
        .order_by(col(Respondent.id))
    ).all()


def person_record(*, session: Session, respondent: Respondent) -> dict[str, Any]:
    """What is stored about one person: their row, invitations and answers (JSON-ready)."""
    invitations = session.exec(
        select(Invitation)
        .where(Invitation.respondent_id == respondent.id)
        .order_by(col(Invitation.id))
    ).all()
    responses = session.exec(
        select(Response).where(Response.respondent_id == respondent.id).order_by(col(Response.id))
    ).all()
    cases = session.exec(
        select(Case).where(Case.respondent_id == respondent.id).order_by(col(Case.id))
    ).all()
    return {
        "person": {name: _plain(getattr(respondent, name)) for name in PERSON_FIELDS},
        "invitations": [_row(invitation, INVITATION_FIELDS) for invitation in invitations],
        "responses": [_row(response, RESPONSE_FIELDS) for response in responses],
        "conversations": [
            _row(case, CASE_FIELDS)
            | {
                "response_id": case.response_id,
                "messages": [
                    _row(message, MESSAGE_FIELDS)
                    for message in session.exec(
                        select(CaseMessage)
                        .where(CaseMessage.case_id == case.id)
                        .order_by(col(CaseMessage.id))
                    ).all()
                ],
            }
            for case in cases
        ],
    }


def forget_respondent(*, session: Session, respondent: Respondent, now: datetime) -> list[int]:
    """Erase the person's identity, comments and conversations; keep anonymous scores.

    Returns the ids of their responses that have a posted alert (to redraw without them).
    """
    user_id, workspace_id = respondent.platform_user_id, respondent.workspace_id
    pseudonym = f"{FORGOTTEN_PREFIX}{secrets.token_hex(8)}"
    _remember_forgotten(session, workspace_id=workspace_id, key=_key(respondent), now=now)
    for name in ("display_name", "email", "person_key", "timezone", "locale", "language"):
        setattr(respondent, name, None)
    respondent.platform_user_id = pseudonym
    respondent.dm_channel = respondent.unreachable_reason = None
    respondent.attributes = {}
    respondent.active, respondent.opted_out, respondent.opted_out_at = False, True, now
    session.add(respondent)
    session.execute(
        sa.update(Invitation)
        .where(col(Invitation.respondent_id) == respondent.id, col(Invitation.status).in_(OPEN))
        .values(status=InvitationStatus.SUPPRESSED, reason="forgotten", claimed_by=None)
    )
    session.execute(
        sa.update(Invitation)
        .where(col(Invitation.respondent_id) == respondent.id)
        .values(event=None, chat_ref=None, message_ref=None, last_error=None)
    )
    session.execute(
        sa.update(Response)
        .where(col(Response.respondent_id) == respondent.id)
        .values(_ERASED_TEXTS | {"attributes": {}})
    )
    theirs = select(Case.id).where(Case.respondent_id == respondent.id)
    session.execute(
        sa.update(CaseMessage)
        .where(col(CaseMessage.case_id).in_(theirs.scalar_subquery()))
        .values(text=None, author=sa.case((col(CaseMessage.from_team), CaseMessage.author)))
    )
    session.execute(
        sa.update(Case).where(col(Case.respondent_id) == respondent.id).values(resolution_note=None)
    )
    for column in (col(AuditEntry.detail), col(AuditEntry.actor)):
        session.execute(
            sa.update(AuditEntry)
            .where(col(AuditEntry.workspace_id) == workspace_id, column.contains(user_id))
            .values({column: sa.func.replace(column, user_id, pseudonym)})
        )
    forget_deliveries(session=session, respondent_id=respondent.id or 0)
    alerted = session.exec(
        select(Response.id).where(
            Response.respondent_id == respondent.id, col(Response.alert_ref).is_not(None)
        )
    ).all()
    session.flush()
    return [response_id for response_id in alerted if response_id is not None]


def forgotten_among(
    *, session: Session, workspace_id: int, platform: str, user_ids: Sequence[str]
) -> set[str]:
    """The user ids among `user_ids` that belong to someone who was forgotten here."""
    salt = _salt(session, workspace_id)
    if salt is None or not user_ids:
        return set()
    digests = {_digest(salt, f"{platform}:{user_id}"): user_id for user_id in user_ids}
    found = session.exec(
        select(ForgottenPerson.digest).where(
            ForgottenPerson.workspace_id == workspace_id,
            col(ForgottenPerson.digest).in_(list(digests)),
        )
    ).all()
    return {digests[digest] for digest in found}


def purge_texts(*, session: Session, before: datetime) -> int:
    """Retention: comments and conversation texts of answers older than `before` go; the
    scores stay. Returns how many responses lost text."""
    old, has_text = col(Response.commented_at) < before, col(Response.comment).is_not(None)
    result = session.exec(sa.update(Response).where(old, has_text).values(_ERASED_TEXTS))
    session.execute(
        sa.update(CaseMessage)
        .where(col(CaseMessage.at) < before, col(CaseMessage.text).is_not(None))
        .values(text=None)
    )
    return result.rowcount or 0


def prune_audit(*, session: Session, before: datetime) -> int:
    result = session.exec(sa.delete(AuditEntry).where(col(AuditEntry.at) < before))
    return result.rowcount or 0


_ERASED_TEXTS: dict[str, Any] = {
    "comment": None,
    "polarity": None,
    "subjectivity": None,
    "terms": None,  # the comment's words: they go with it
}


def _key(respondent: Respondent) -> str:
    return f"{respondent.platform}:{respondent.platform_user_id}"


def _remember_forgotten(session: Session, *, workspace_id: int, key: str, now: datetime) -> None:
    salt = _salt(session, workspace_id) or secrets.token_hex(16)
    digest = _digest(salt, key)
    known = session.exec(
        select(ForgottenPerson.id).where(
            ForgottenPerson.workspace_id == workspace_id, ForgottenPerson.digest == digest
        )
    ).first()
    if known is None:
        session.add(ForgottenPerson(workspace_id=workspace_id, digest=digest, salt=salt, at=now))


def _salt(session: Session, workspace_id: int) -> str | None:
    """One random salt per workspace, chosen when its first person is forgotten."""
    return session.exec(
        select(ForgottenPerson.salt).where(ForgottenPerson.workspace_id == workspace_id).limit(1)
    ).first()


def _digest(salt: str, key: str) -> str:
    return hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()


def _row(row: object, fields: Sequence[str]) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in fields}


def _plain(value: object) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
