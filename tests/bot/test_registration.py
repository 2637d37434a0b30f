"""The workspace comes from the token: rows filed before the first start are adopted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot import store
from bot.db import Database
from bot.models import Invitation, Respondent, Workspace
from bot.store.registration import PLACEHOLDERS

pytestmark = pytest.mark.database  # the only cover of merging workspaces and people

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _placeholder_with(db: Database, *users: str) -> int:
    with db.session() as session:
        workspace = store.get_or_create_workspace(
            session=session, platform="slack", external_id=PLACEHOLDERS["slack"], now=NOW
        )
        for user in users:
            person = store.upsert_respondent(
                session=session,
                workspace=workspace,
                platform_user_id=user,
                now=NOW,
                attributes={"plan": "pro"},
                email=f"{user.lower()}@example.com",
            )
            session.add(Invitation(workspace_id=workspace.id or 0, respondent_id=person.id or 0))
        return workspace.id or 0


def _register(db: Database) -> tuple[Workspace, int]:
    with db.session() as session:
        return store.register_workspace(
            session=session, platform="slack", external_id="T0REAL", name="Acme", now=NOW
        )


def test_the_placeholder_becomes_the_real_workspace(db: Database) -> None:
    placeholder = _placeholder_with(db, "U1", "U2")
    workspace, adopted = _register(db)
    assert (workspace.id, workspace.external_id, workspace.name, adopted) == (
        placeholder,
        "T0REAL",
        "Acme",
        2,
    )
    assert _register(db)[1] == 0  # the second start finds nothing left to adopt


def test_people_known_to_both_are_merged_into_the_real_row(db: Database) -> None:
    with db.session() as session:
        real = store.get_or_create_workspace(
            session=session, platform="slack", external_id="T0REAL", now=NOW
        )
        store.upsert_respondent(
            session=session, workspace=real, platform_user_id="U1", now=NOW, timezone="Asia/Tokyo"
        )
    _placeholder_with(db, "U1", "U2")
    workspace, adopted = _register(db)
    with db.session() as session:
        people = {r.platform_user_id: r for r in session.exec(select(Respondent)).all()}
        invitations = session.exec(select(Invitation)).all()
        workspaces = session.exec(select(Workspace)).all()
    assert adopted == 1 and [w.external_id for w in workspaces] == ["T0REAL"]
    assert set(people) == {"U1", "U2"}
    merged = people["U1"]
    assert (merged.timezone, merged.email, merged.attributes) == (
        "Asia/Tokyo",
        "u1@example.com",
        {"plan": "pro"},
    )
    assert {i.respondent_id for i in invitations} == {people["U1"].id, people["U2"].id}
    assert {i.workspace_id for i in invitations} == {workspace.id}
