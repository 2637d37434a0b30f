"""Applying an audience CSV to the database, a batch per transaction.

Each batch looks its people up in one query and writes them in two executemany statements,
so 100,000 rows take seconds and a running bot is never locked out for long. Counts are of
people (the last row of a duplicated person wins), and a dry run computes the same changes
without writing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import store
from bot.audience_csv import AudienceRow, ParsedFile
from bot.db import Database
from bot.models import Workspace
from bot.sanitize import merge_attributes
from bot.store import slot_for
from bot.store.registration import PLACEHOLDERS

BATCH = 2000


class AudienceError(ValueError):
    """The import cannot go on (no workspace to import into); the message is one line."""


@dataclass(frozen=True)
class Change:
    """What one line does to one person: every field as (before, after)."""

    line: int
    key: tuple[str, str]
    added: bool
    fields: dict[str, tuple[Any, Any]]


@dataclass
class ImportReport:
    """Counts of people; the changes themselves are kept for a dry run only (they are large)."""

    keep_changes: bool = False
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    forgotten: int = 0
    """Rows of people who had their data deleted, left out (unless `include_forgotten`)."""
    changes: list[Change] = field(default_factory=list)

    def record(self, change: Change) -> None:
        if self.keep_changes:
            self.changes.append(change)
        if change.added:
            self.added += 1
        else:
            self.updated += 1


def resolve_workspace(
    *, session: Session, platform: str, name: str | None, now: datetime, create: bool = True
) -> Workspace | None:
    """The named workspace, else the only one of the platform, else a new default one."""
    known = store.workspaces_of(session=session, platform=platform, external_id=name)
    if len(known) == 1:
        return known[0]
    if len(known) > 1:
        names = ", ".join(ws.external_id for ws in known)
        raise AudienceError(f"{platform} has several workspaces ({names}); pass --workspace")
    if not create:
        return None
    return store.get_or_create_workspace(
        session=session,
        platform=platform,
        external_id=name or PLACEHOLDERS[platform],
        now=now,
    )


def _diff(old: Any, row: AudienceRow) -> dict[str, tuple[Any, Any]]:
    fields = {
        name: (getattr(old, name), value)
        for name, value in row.changes().items()
        if getattr(old, name) != value
    }
    merged = merge_attributes(old.attributes, row.attributes)
    for name, value in merged.items():
        if old.attributes.get(name) != value:
            fields[name] = (old.attributes.get(name), value)
    if not old.active:
        fields["active"] = (False, True)
    return fields


def _updated(old: Any, row: AudienceRow) -> dict[str, Any]:
    """Every writable column, so one executemany serves the whole batch."""
    values = {
        "display_name": old.display_name,
        "email": old.email,
        "person_key": old.person_key,
        "timezone": old.timezone,
        "language": old.language,
        **row.changes(),
    }
    return {
        "id": old.id,
        **values,
        "attributes": merge_attributes(old.attributes, row.attributes),
        "active": True,
    }


def _batch(
    session: Session,
    *,
    workspace: Workspace | None,
    rows: list[tuple[int, AudienceRow]],
    now: datetime,
    report: ImportReport,
    write: bool,
    include_forgotten: bool = False,
) -> None:
    existing: dict[str, Any] = {}
    count = 0
    if workspace is not None and workspace.id is not None:
        if not include_forgotten:
            forgotten = store.forgotten_among(
                session=session,
                workspace_id=workspace.id,
                platform=workspace.platform,
                user_ids=[row.user_id for _, row in rows],
            )
            report.forgotten += sum(row.user_id in forgotten for _, row in rows)
            rows = [(line, row) for line, row in rows if row.user_id not in forgotten]
        ids = [row.user_id for _, row in rows]
        existing = store.respondent_snapshots(
            session=session, workspace_id=workspace.id, user_ids=ids
        )
        count = store.count_respondents(session=session, workspace_id=workspace.id)
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for line, row in rows:
        old = existing.get(row.user_id)
        if old is None:
            fields = {**row.changes(), **row.attributes}
            report.record(Change(line, row.key, True, {k: (None, v) for k, v in fields.items()}))
            if workspace is not None:
                new.append(
                    {
                        "workspace_id": workspace.id,
                        "platform": row.platform.value,
                        "platform_user_id": row.user_id,
                        **row.columns(),  # the same keys in every row: one executemany
                        "attributes": row.attributes,
                        "joined_at": now,
                        "rotation_slot": slot_for(count + len(new), workspace.cadence_days),
                    }
                )
            continue
        diff = _diff(old, row)
        if not diff:
            report.unchanged += 1
            continue
        report.record(Change(line, row.key, False, diff))
        changed.append(_updated(old, row))
    if write:
        store.save_respondents(session=session, new=new, changed=changed)


def apply_import(
    *,
    db: Database,
    parsed: ParsedFile,
    now: datetime,
    workspace: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    batch: int = BATCH,
    include_forgotten: bool = False,
) -> ImportReport:
    """Add or update everyone in `parsed`; each batch commits on its own."""
    report = ImportReport(keep_changes=dry_run)
    by_platform: dict[str, list[tuple[int, AudienceRow]]] = {}
    for line, row in parsed.rows.values():
        by_platform.setdefault(row.platform.value, []).append((line, row))
    written = 0
    for platform, rows in by_platform.items():
        with db.session() as session:
            target = resolve_workspace(
                session=session, platform=platform, name=workspace, now=now, create=not dry_run
            )
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            for retry in (False, True):
                attempt = ImportReport(keep_changes=dry_run)
                try:
                    with db.session() as session:
                        _batch(
                            session,
                            workspace=target,
                            rows=chunk,
                            now=now,
                            report=attempt,
                            write=not dry_run,
                            include_forgotten=include_forgotten,
                        )
                    break
                except IntegrityError:
                    # Someone joined through the bot while we wrote: read the batch again.
                    if retry:
                        raise
            written += 1
            if not dry_run and written & (written - 1) == 0:  # after batches 1, 2, 4, 8...
                with db.session() as session:
                    store.analyze_respondents(session=session)
            report.added += attempt.added
            report.updated += attempt.updated
            report.unchanged += attempt.unchanged
            report.forgotten += attempt.forgotten
            report.changes.extend(attempt.changes)
            if progress is not None:
                progress(len(chunk))
    return report
