"""The click path's Core rows (`bot.store.rows`) hold what the ORM would have held."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import store
from bot.db import Database
from bot.models import Invitation, InvitationStatus, Job, Respondent, Response, Workspace

pytestmark = pytest.mark.database  # ids and rows as each database returns them

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _invited(db: Database) -> int:
    with db.session() as session:
        workspace = Workspace(platform="slack", external_id="T1")
        session.add(workspace)
        session.flush()
        respondent = Respondent(
            workspace_id=workspace.id or 0,
            platform="slack",
            platform_user_id="U1",
            display_name="Jane",
            attributes={"plan": "pro"},
            joined_at=NOW,
        )
        session.add(respondent)
        session.flush()
        invitation = store.create_invitation(
            session=session, respondent=respondent, source="scheduled", due_at=NOW, now=NOW
        )
        invitation.status = InvitationStatus.SENT
        invitation.chat_ref, invitation.message_ref = "DU1", "1.2"
        return invitation.id or 0


def test_built_is_what_the_constructor_builds() -> None:
    values = {"kind": "survey.show_score", "payload": {"score": 9}, "run_after": NOW}
    assert store.built(Job, **values).model_dump() == Job(**values).model_dump()
    answer = {"invitation_id": 1, "workspace_id": 2, "respondent_id": 3, "platform": "slack"}
    answer |= {"score": 3}
    assert store.built(Response, **answer).model_dump() == Response(**answer).model_dump()
    with pytest.raises(TypeError, match="no field colour"):
        store.built(Job, colour="red")


def test_a_core_read_holds_what_the_orm_reads(db: Database) -> None:
    invitation_id = _invited(db)
    with db.session() as session:
        found = store.invitation_for_answer(session=session, invitation_id=invitation_id)
        assert found is not None
        invitation, respondent = found.invitation, found.respondent
        assert invitation.model_dump() == session.get(Invitation, invitation_id).model_dump()  # type: ignore[union-attr]
        assert respondent.model_dump() == session.get(Respondent, respondent.id).model_dump()  # type: ignore[union-attr]
        assert invitation.sent_at is None and respondent.joined_at == NOW  # aware UTC
        assert found.answer is None and found.earlier is None
        assert store.invitation_for_answer(session=session, invitation_id=-1) is None


def test_rows_written_in_one_statement_get_their_ids_in_order(db: Database) -> None:
    jobs = [store.new_job(kind=f"k{i}", payload={"i": i}, now=NOW, worker="w") for i in range(3)]
    with db.session() as session:
        store.add_jobs(session=session, jobs=jobs)
    with db.session() as session:
        for job in jobs:
            stored = session.get(Job, job.id)
            assert stored is not None and stored.model_dump() == job.model_dump()
            assert stored.locked_by == "w" and stored.attempts == 0 and not stored.dead


def test_an_answer_written_and_rescored_in_core_reads_back(db: Database) -> None:
    invitation_id = _invited(db)
    with db.session() as session:
        found = store.invitation_for_answer(session=session, invitation_id=invitation_id)
        assert found is not None
        invitation, respondent = found.invitation, found.respondent
        response = store.built(
            Response,
            invitation_id=invitation_id,
            workspace_id=invitation.workspace_id,
            respondent_id=respondent.id or 0,
            platform="slack",
            attributes=dict(respondent.attributes),
            score=9,
            answered_at=NOW,
        )
        store.add_response(session=session, response=response)
        store.mark_answered(session=session, invitation=invitation)
        again = store.invitation_for_answer(session=session, invitation_id=invitation_id)
        assert again is not None and again.earlier is None
        this = again.answer
        assert this is not None and this.model_dump() == response.model_dump()
        store.rescore(session=session, response=this, score=4, answered_at=NOW)
    with db.session() as session:
        stored = session.get(Response, response.id)
        assert stored is not None and stored.score == 4 and stored.followup == "awaiting"
        assert stored.attributes == {"plan": "pro"}
        answered = session.get(Invitation, invitation_id)
        assert answered is not None and answered.status == InvitationStatus.ANSWERED


def test_a_click_reads_the_persons_latest_other_answer_until_it_has_its_own(db: Database) -> None:
    first = _invited(db)
    with db.session() as session:
        invitation = session.get(Invitation, first)
        assert invitation is not None
        respondent = session.get(Respondent, invitation.respondent_id)
        assert respondent is not None
        for score, when in ((3, NOW), (8, NOW.replace(hour=11))):
            older = store.create_invitation(
                session=session, respondent=respondent, source="scheduled", due_at=NOW, now=NOW
            )
            session.add(
                Response(
                    invitation_id=older.id or 0,
                    workspace_id=older.workspace_id,
                    respondent_id=respondent.id or 0,
                    platform="slack",
                    score=score,
                    answered_at=when,
                )
            )
    with db.session() as session:
        found = store.invitation_for_answer(session=session, invitation_id=first)
        assert found is not None and found.answer is None
        assert found.earlier is not None and found.earlier.score == 8  # the latest other one
        session.add(
            Response(
                invitation_id=first,
                workspace_id=found.invitation.workspace_id,
                respondent_id=found.respondent.id or 0,
                platform="slack",
                score=5,
                answered_at=NOW,  # older than the 8: its own answer still comes first
            )
        )
    with db.session() as session:
        found = store.invitation_for_answer(session=session, invitation_id=first)
        assert found is not None and found.earlier is None
        assert found.answer is not None and found.answer.score == 5
