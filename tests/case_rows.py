"""Reading cases back in tests: the one case there is, and its conversation."""

from __future__ import annotations

from sqlmodel import col, select

from bot.db import Database
from bot.models import Case, CaseMessage


def the_case(db: Database) -> Case:
    with db.session() as session:
        return session.exec(select(Case)).one()


def conversation(db: Database) -> list[tuple[bool, str | None, str | None]]:
    """(from the team, author, text) of every turn, in order."""
    with db.session() as session:
        rows = session.exec(select(CaseMessage).order_by(col(CaseMessage.id))).all()
        return [(row.from_team, row.author, row.text) for row in rows]
