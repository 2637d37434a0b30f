"""A fault in one workspace stays there: the others are planned and reminded as usual."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlmodel import select

from bot.db import Database
from bot.models import Invitation, Workspace
from bot.reason_words import problem_text
from scheduling.bulk_planning import plan_due
from scheduling.reminders import plan_reminders
from scheduling.workspace_guard import WorkspaceGuard
from tests.phrases import CATALOGUE
from tests.scheduling.helpers import add_respondent, add_workspace, utc

EVERY_DAY = "0,1,2,3,4,5,6"
TODAY = date(2025, 6, 4)
MORNING = utc(2025, 6, 4, 6)


def test_a_corrupt_policy_pauses_only_its_workspace(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    broken = add_workspace(
        db, external_id="TBROKEN", send_days=EVERY_DAY, window_start="17:00", window_end="10:00"
    )
    healthy = add_workspace(db, external_id="THEALTHY", send_days=EVERY_DAY)
    for workspace_id in (broken, healthy):
        add_respondent(db, workspace_id=workspace_id, user=f"U{workspace_id}", rotation_slot=0)
    failures: list[str] = []
    guard = WorkspaceGuard(db=db, failed=failures.append)

    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            report = plan_due(db=db, now=MORNING, epoch=TODAY, guard=guard)
        plan_reminders(db=db, now=MORNING, guard=guard)

    with db.session() as session:
        planned = {i.workspace_id for i in session.exec(select(Invitation)).all()}
        problems = {ws.id: ws.problems for ws in session.exec(select(Workspace)).all()}
    assert planned == {healthy} and report.planned == 0  # planned once, on the first pass
    assert problems[healthy] == {}
    assert "window must start before it ends" in problems[broken]["planning"]
    assert "window must start before it ends" in problems[broken]["reminders"]
    assert failures == ["planning"] * 3 + ["reminders"]
    logged = [r for r in caplog.records if "TBROKEN" in r.getMessage() or "workspace" in r.msg]
    assert len([r for r in logged if "planning" in r.getMessage()]) == 1, "logged once"


def test_the_problem_clears_once_the_workspace_plans_again(db: Database) -> None:
    broken = add_workspace(db, send_days=EVERY_DAY, window_start="17:00", window_end="10:00")
    add_respondent(db, workspace_id=broken, user="U1", rotation_slot=0)
    plan_due(db=db, now=MORNING, epoch=TODAY)
    with db.session() as session:
        workspace = session.get(Workspace, broken)
        assert workspace is not None and "planning" in workspace.problems
        workspace.window_start, workspace.window_end = "10:00", "17:00"
        session.add(workspace)

    assert plan_due(db=db, now=MORNING, epoch=TODAY).planned == 1
    with db.session() as session:
        workspace = session.get(Workspace, broken)
        assert workspace is not None and workspace.problems == {}


@pytest.mark.parametrize(("language", "said"), [("de", "Planung fehlgeschlagen: "), ("ja", "計画")])
def test_the_failure_is_said_in_the_team_language(db: Database, language: str, said: str) -> None:
    broken = add_workspace(db, send_days=EVERY_DAY, window_start="17:00", window_end="10:00")
    add_respondent(db, workspace_id=broken, user="U1", rotation_slot=0)
    plan_due(db=db, now=MORNING, epoch=TODAY)
    plan_reminders(db=db, now=MORNING)
    with db.session() as session:
        workspace = session.get(Workspace, broken)
        assert workspace is not None
        stored = dict(workspace.problems)
    words = CATALOGUE.words(language)
    planning = problem_text(words, "planning", stored["planning"])
    assert planning.startswith(said) and "window must start before it ends" in planning
    for job in ("reminders", "announcements"):
        english = CATALOGUE.words("en").t("problem.job_failed", job=job, error="x")
        assert problem_text(words, job, "x") != english
    assert problem_text(words, "digest channel", "as written") == "as written"
