"""Loading past answers into the database, a batch per transaction, idempotently.

Each answer is filed under its source's response id (`delighted:123`), so importing the same
export twice adds nothing the second time. The person is matched by platform user id, then by
e-mail, in the chosen workspace; someone new is added there (not surveyed unless they have a
chat user id), as `audience import` adds people. An imported answer has a never-sent
invitation: it counts in the score, the trend, themes and segments of its week, and not in
response rates, and it raises no alert and asks no follow-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot import store
from bot.db import Database
from bot.history_csv import HistoryRow, ParsedHistory
from bot.models import Workspace
from bot.store import slot_for
from scoring.language import UNDETERMINED
from scoring.sentiment import analyse_many
from scoring.terms import stored_terms

BATCH = 1000


@dataclass
class HistoryReport:
    imported: int = 0
    already: int = 0
    """Answers imported before (the same source id): skipped."""
    people_added: int = 0
    forgotten: int = 0
    """Answers of people who had their data deleted: left out."""


def _new_person(workspace: Workspace, row: HistoryRow, now: datetime, slot: int) -> dict[str, Any]:
    return {
        "workspace_id": workspace.id,
        "platform": workspace.platform,
        "platform_user_id": row.person[:64],
        "display_name": row.name,
        "email": row.email,
        "person_key": row.email,
        "attributes": row.attributes,
        "active": row.user_id is not None,  # an e-mail alone cannot be asked in chat
        "joined_at": now,
        "rotation_slot": slot,
    }


def _batch(
    session: Session,
    workspace: Workspace,
    rows: list[HistoryRow],
    now: datetime,
    report: HistoryReport,
) -> None:
    assert workspace.id is not None
    known = store.imported_keys(session=session, keys=[row.key for row in rows])
    report.already += sum(row.key in known for row in rows)
    rows = [row for row in rows if row.key not in known]
    forgotten = store.forgotten_among(
        session=session,
        workspace_id=workspace.id,
        platform=workspace.platform,
        user_ids=[row.person for row in rows],
    )
    report.forgotten += sum(row.person in forgotten for row in rows)
    rows = [row for row in rows if row.person not in forgotten]
    by_id, by_email = store.people_by_id_or_email(
        session=session,
        workspace_id=workspace.id,
        user_ids=sorted({row.person for row in rows}),
        emails=sorted({row.email for row in rows if row.email}),
    )
    count = store.count_respondents(session=session, workspace_id=workspace.id)
    new: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.person in by_id or (row.email and row.email in by_email) or row.person in new:
            continue
        slot = slot_for(count + len(new), workspace.cadence_days)
        new[row.person] = _new_person(workspace, row, now, slot)
    by_id |= store.add_people(session=session, people=list(new.values()))
    report.people_added += len(new)
    readings = iter(analyse_many([row.comment for row in rows if row.comment]))
    answers = []
    for row in rows:
        respondent = by_id.get(row.person) or by_email[row.email or ""]
        reading = next(readings) if row.comment else None
        language = (reading.language or UNDETERMINED) if reading else None
        answers.append(
            {
                "respondent_id": respondent,
                "platform": workspace.platform,
                "score": row.score,
                "attributes": row.attributes,
                "comment": row.comment,
                "polarity": reading.polarity if reading else None,
                "subjectivity": reading.subjectivity if reading else None,
                "language": language,
                "terms": stored_terms(row.comment, language=language) if row.comment else None,
                "import_key": row.key,
                "answered_at": row.answered_at,
                "commented_at": row.answered_at if row.comment else None,
            }
        )
    store.save_imported(session=session, workspace_id=workspace.id, answers=answers, now=now)
    report.imported += len(answers)


def apply_history(
    *,
    db: Database,
    parsed: ParsedHistory,
    workspace: Workspace,
    now: datetime,
    progress: Callable[[int], None] | None = None,
    batch: int = BATCH,
) -> HistoryReport:
    """Write every row of `parsed` not imported before; each batch commits on its own."""
    report = HistoryReport()
    rows = [row for _, row in parsed.rows]
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        with db.session() as session:
            _batch(session, workspace, chunk, now, report)
        if progress is not None:
            progress(len(chunk))
    return report
