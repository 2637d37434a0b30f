"""This worker's claims: due invitations taken in batches and loaded for sending.

Several replicas share one database. A claim is a conditional UPDATE in the store, so a row
is sent by whoever moved it first; PostgreSQL's SKIP LOCKED keeps replicas from waiting on
each other. People who opted out or became unreachable since planning are suppressed here.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlmodel import Session

from bot import store
from bot.answer import recipient_of
from bot.db import Database
from bot.models import InvitationStatus
from scheduling.journal import PassReport, Send


def worker_name() -> str:
    """This process's name on its claims: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_batch(
    *, db: Database, worker: str, now: datetime, limit: int, report: PassReport
) -> tuple[int, list[Send]]:
    """Claim and load a batch in one transaction; returns (rows claimed, sendable)."""
    with db.session() as session:
        ids = store.claim_due(
            session=session, now=now, worker=worker, limit=limit, skip_locked=db.is_postgres
        )
        return len(ids), load_claimed(session=session, ids=ids, worker=worker, report=report)


def load_claimed(
    *, session: Session, ids: list[int], worker: str, report: PassReport
) -> list[Send]:
    """What sending our claimed `ids` needs; people who cannot be asked are suppressed."""
    if not ids:
        return []
    sends: list[Send] = []
    for invitation, respondent, expiry_days in store.claimed_by(
        session=session, ids=ids, worker=worker
    ):
        if respondent.opted_out or respondent.unreachable:
            reason = "opted out" if respondent.opted_out else "unreachable"
            invitation.status = InvitationStatus.SUPPRESSED
            invitation.reason = reason
            session.add(invitation)
            report.skip(reason)
            continue
        sends.append(
            Send(
                invitation_id=invitation.id or 0,
                respondent_id=respondent.id or 0,
                platform=respondent.platform,
                recipient=recipient_of(respondent),
                expiry_days=expiry_days,
                attempts=invitation.attempts,
            )
        )
    return sends
