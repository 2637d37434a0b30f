"""'You said, we did': who commented on a theme, and the announcements owed to them.

A delivery row is to an announcement what an invitation is to a survey: pending until the
person's send window, claimed (`sending`) in its own transaction before the send, so two
replicas never both send it, and `sent` once the platform took it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Announcement, AnnouncementDelivery, Respondent, Response
from bot.store.digest import Span

OWED = ("pending", "sending", "sent")
"""Deliveries that count against the once-in-30-days rule: sent, or on their way."""


def comments_with_words(
    *, session: Session, workspace_id: int, since: datetime, words: Sequence[str]
) -> Sequence[tuple[Response, Respondent]]:
    """Comments since `since` containing every word (a cheap filter; the caller matches
    terms), with their respondents, newest first."""
    query = (
        select(Response, Respondent)
        .join(Respondent, col(Respondent.id) == Response.respondent_id)
        .where(
            Response.workspace_id == workspace_id,
            col(Response.comment).is_not(None),
            col(Response.commented_at) >= since,
        )
        .order_by(col(Response.commented_at).desc())
    )
    for word in words:
        query = query.where(sa.func.lower(col(Response.comment)).contains(word, autoescape=True))
    return session.exec(query).all()


def told_since(*, session: Session, workspace_id: int, since: datetime) -> set[int]:
    """Respondents sent an announcement since `since` (a send cut off by a crash counts from
    its attempt), or with one still waiting."""
    rows = session.exec(
        select(AnnouncementDelivery.respondent_id).where(
            AnnouncementDelivery.workspace_id == workspace_id,
            col(AnnouncementDelivery.status).in_(OWED),
            sa.or_(
                col(AnnouncementDelivery.status) == "pending",
                col(AnnouncementDelivery.sent_at) >= since,
            ),
        )
    ).all()
    return set(rows)


def create_announcement(
    *,
    session: Session,
    workspace_id: int,
    phrase: str,
    text: str,
    author: str,
    respondent_ids: Sequence[int],
    now: datetime,
    answers: Mapping[int, int] | None = None,
) -> Announcement:
    """The announcement and one pending delivery per person, due now (the planner moves
    each to its person's send window); `answers` names, per person, the answer whose
    comment matched (the case a reply opens hangs off it)."""
    announcement = Announcement(
        workspace_id=workspace_id, phrase=phrase, text=text, author=author, created_at=now
    )
    session.add(announcement)
    session.flush()
    for respondent_id in respondent_ids:
        session.add(
            AnnouncementDelivery(
                announcement_id=announcement.id or 0,
                workspace_id=workspace_id,
                respondent_id=respondent_id,
                response_id=(answers or {}).get(respondent_id),
                due_at=now,
            )
        )
    return announcement


def due_deliveries(
    *, session: Session, workspace_id: int, now: datetime
) -> Sequence[tuple[AnnouncementDelivery, Respondent]]:
    """Pending deliveries of the workspace due by `now`, oldest first, with their people."""
    return session.exec(
        select(AnnouncementDelivery, Respondent)
        .join(Respondent, col(Respondent.id) == AnnouncementDelivery.respondent_id)
        .where(
            AnnouncementDelivery.workspace_id == workspace_id,
            AnnouncementDelivery.status == "pending",
            col(AnnouncementDelivery.due_at) <= now,
        )
        .order_by(col(AnnouncementDelivery.due_at), col(AnnouncementDelivery.id))
    ).all()


def claim_delivery(
    *, session: Session, delivery_id: int, now: datetime
) -> tuple[AnnouncementDelivery, Announcement, Respondent] | None:
    """Take a pending delivery for sending (stamped with the attempt's time); None when
    another process took it first."""
    taken = session.execute(
        sa.update(AnnouncementDelivery)
        .where(
            col(AnnouncementDelivery.id) == delivery_id,
            col(AnnouncementDelivery.status) == "pending",
        )
        .values(status="sending", sent_at=now)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE's result has one
        return None
    delivery = session.get(AnnouncementDelivery, delivery_id)
    assert delivery is not None
    session.refresh(delivery)
    announcement = session.get(Announcement, delivery.announcement_id)
    respondent = session.get(Respondent, delivery.respondent_id)
    assert announcement is not None and respondent is not None
    return delivery, announcement, respondent


def settle_delivery(
    *, session: Session, delivery_id: int, status: str, now: datetime, reason: str | None = None
) -> None:
    """`sent` (when the platform took it), `skipped` or `failed` (with why), for good."""
    session.execute(
        sa.update(AnnouncementDelivery)
        .where(col(AnnouncementDelivery.id) == delivery_id)
        .values(
            status=status,
            sent_at=now if status == "sent" else None,  # a failed one may be tried anew
            reason=reason[:200] if reason else None,
        )
    )


def told_count(*, session: Session, span: Span) -> int:
    """People sent an announcement in the span: the digest's "told", and the cap's use."""
    query = sa.select(sa.func.count(sa.distinct(col(AnnouncementDelivery.respondent_id)))).where(
        col(AnnouncementDelivery.status) == "sent",
        col(AnnouncementDelivery.sent_at) >= span.start,
        col(AnnouncementDelivery.sent_at) < span.end,
    )
    if span.workspace_ids is not None:
        query = query.where(col(AnnouncementDelivery.workspace_id).in_(span.workspace_ids))
    return int(session.execute(query).scalar_one())


def latest_told(
    *, session: Session, respondent_id: int, since: datetime
) -> tuple[AnnouncementDelivery, Announcement] | None:
    """The newest announcement sent to the person at `since` or later (a reply to it opens
    a case), with its delivery."""
    row = session.exec(
        select(AnnouncementDelivery, Announcement)
        .join(Announcement, col(Announcement.id) == AnnouncementDelivery.announcement_id)
        .where(
            AnnouncementDelivery.respondent_id == respondent_id,
            AnnouncementDelivery.status == "sent",
            col(AnnouncementDelivery.sent_at) >= since,
        )
        .order_by(col(AnnouncementDelivery.sent_at).desc(), col(AnnouncementDelivery.id).desc())
    ).first()
    return None if row is None else (row[0], row[1])
