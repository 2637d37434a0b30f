"""Reading past answers from a survey tool's CSV export: Delighted, Qualtrics or a plain CSV.

Each format names its columns (`LAYOUTS`); every record becomes a `HistoryRow` or a
`Rejected` naming its line. A comment may hold line breaks inside quotes (Delighted and
Qualtrics export them so), so records are read with the csv module and each is reported by
the line it starts on. Qualtrics writes three header rows (ids, question texts, ImportIds);
its NPS question is the column whose `<id>_NPS_GROUP` companion is present. Nothing here
touches the database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Literal

from bot.audience_csv import CsvFileError, Rejected, decode
from bot.sanitize import MAX_ATTRIBUTES

Format = Literal["delighted", "qualtrics", "csv"]
FORMATS: tuple[Format, ...] = ("delighted", "qualtrics", "csv")
MAX_COMMENT = 10_000


@dataclass(frozen=True)
class Layout:
    """Which columns (lower case) hold what, in one format; the rest become attributes."""

    id: tuple[str, ...]
    score: tuple[str, ...]
    comment: tuple[str, ...]
    date: tuple[str, ...]
    email: tuple[str, ...]
    name: tuple[str, ...]
    user_id: tuple[str, ...] = ()
    ignored: frozenset[str] = frozenset()
    header_rows: int = 1


LAYOUTS: dict[Format, Layout] = {
    "delighted": Layout(
        id=("response id",),
        score=("score",),
        comment=("comment",),
        date=("created at", "responded at"),
        email=("email",),
        name=("name",),
        ignored=frozenset({"person id", "updated at", "survey type", "permalink", "notes"}),
    ),
    "qualtrics": Layout(
        id=("responseid",),
        score=(),  # found from the `_NPS_GROUP` companion
        comment=(),  # the first text-entry question after the NPS question
        date=("recordeddate", "enddate"),
        email=("recipientemail",),
        name=("recipientfirstname",),
        user_id=("externalreference", "externaldatareference"),
        ignored=frozenset(
            {
                "startdate",
                "enddate",
                "status",
                "ipaddress",
                "progress",
                "duration (in seconds)",
                "finished",
                "recordeddate",
                "recipientlastname",
                "locationlatitude",
                "locationlongitude",
                "distributionchannel",
                "userlanguage",
            }
        ),
        header_rows=3,
    ),
    "csv": Layout(
        id=("response_id", "id"),
        score=("score",),
        comment=("comment",),
        date=("answered_at", "date", "created_at"),
        email=("email",),
        name=("name",),
        user_id=("user_id",),
    ),
}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
ATTRIBUTE = re.compile(r"[^a-z0-9_.-]+")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters but the line breaks and tabs a comment may hold (PostgreSQL refuses NUL)."""
PREVIEWS = {"1", "survey preview"}
"""Qualtrics' Status of a preview (numeric or as text): the survey's author, not a customer."""


@dataclass(frozen=True)
class HistoryRow:
    """One past answer: its key in the source, score, moment, comment and person."""

    key: str
    score: int
    answered_at: datetime
    comment: str | None
    user_id: str | None
    email: str | None
    name: str | None
    attributes: dict[str, str]

    @property
    def person(self) -> str:
        """Who answered, for matching a respondent: the user id, else the e-mail, else the
        answer itself (an anonymous answer is its own person)."""
        if self.user_id:
            return self.user_id
        return f"import:{self.email}" if self.email else f"import:{self.key}"


@dataclass
class ParsedHistory:
    """The rows that passed and what did not, each by the line its record starts on."""

    format: Format
    encoding: str
    records: int = 0
    rows: list[tuple[int, HistoryRow]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def parse_date(text: str, zone: tzinfo) -> datetime:
    """ISO 8601, `2026-03-04 10:22:33 -0800`, a day, or a Unix timestamp; naive in `zone`."""
    text = text.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for pattern in DATE_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"date '{text}' is not a date like 2026-03-04 10:22:33") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(UTC)


def _first(row: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = (row.get(name) or "").strip()
        if value:
            return value
    return None


def _qualtrics_columns(header: list[str]) -> tuple[str, str | None]:
    """The NPS question's column and the first text-entry column after it."""
    groups = [c for c in header if c.endswith("_nps_group")]
    if not groups:
        raise CsvFileError("no NPS question: a Qualtrics export has a column like Q1_NPS_GROUP")
    score = groups[0].removesuffix("_nps_group")
    if score not in header:
        raise CsvFileError(f"the NPS question's column {score.upper()} is missing")
    after = header[header.index(score) + 1 :]
    comment = next((c for c in after if c.endswith("_text") or re.fullmatch(r"q\d+", c)), None)
    return score, comment


def _row(cells: dict[str, str], layout: Layout, fmt: Format, zone: tzinfo) -> HistoryRow:
    source_id = _first(cells, layout.id)
    if any(CONTROL.search(value) for value in cells.values()):
        raise ValueError("a control character in a cell")
    if fmt == "qualtrics" and cells.get("status", "").strip().lower() in PREVIEWS:
        raise ValueError("a survey preview, not a customer's answer")
    raw_score = _first(cells, layout.score)
    if raw_score is None:
        raise ValueError("score is empty")
    if not re.fullmatch(r"\d{1,2}(\.0+)?", raw_score) or not 0 <= float(raw_score) <= 10:
        raise ValueError(f"score '{raw_score}' is not a whole number from 0 to 10")
    raw_date = _first(cells, layout.date)
    if raw_date is None:
        raise ValueError(f"{layout.date[0]} is empty")
    comment = _first(cells, layout.comment)
    if comment is not None and len(comment) > MAX_COMMENT:
        raise ValueError(f"comment is longer than {MAX_COMMENT} characters")
    email = _first(cells, layout.email)
    user_id = _first(cells, layout.user_id)
    answered_at = parse_date(raw_date, zone)
    if source_id is None:
        if fmt != "csv":
            raise ValueError(f"{layout.id[0]} is empty")
        who = user_id or email or ""
        content = f"{who}|{answered_at.isoformat()}|{raw_score}|{comment or ''}"
        source_id = hashlib.sha256(content.encode()).hexdigest()[:32]
    taken = {*layout.id, *layout.score, *layout.comment, *layout.date, *layout.email}
    taken |= {*layout.name, *layout.user_id, *layout.ignored}
    attributes = {
        name: value.strip()[:200]
        for column, value in cells.items()
        if column not in taken and value.strip() and (name := ATTRIBUTE.sub("_", column)[:40])
    }
    return HistoryRow(
        key=f"{fmt}:{source_id}"[:160],
        score=int(float(raw_score)),
        answered_at=answered_at,
        comment=comment,
        user_id=user_id,
        email=email.lower() if email else None,
        name=_first(cells, layout.name),
        attributes=dict(list(attributes.items())[:MAX_ATTRIBUTES]),
    )


def parse_history(data: bytes, *, name: str, fmt: Format, zone: tzinfo = UTC) -> ParsedHistory:
    """Decode and validate a whole export; CsvFileError only for a file-wide problem."""
    text, encoding = decode(data, name=name)
    layout = LAYOUTS[fmt]
    stream = io.StringIO(text, newline="")
    delimiter = "\t" if "\t" in text.split("\n", 1)[0] else ","
    reader = csv.reader(stream, delimiter=delimiter, strict=True)
    try:
        header = [column.strip().lower() for column in next(reader)]
        for _ in range(layout.header_rows - 1):
            next(reader)
    except StopIteration:
        raise CsvFileError(f"{name} has no header") from None
    except csv.Error as exc:
        raise CsvFileError(f"{name}:1: the header is not CSV ({exc})") from None
    if fmt == "qualtrics":
        try:
            score, comment = _qualtrics_columns(header)
        except CsvFileError as exc:
            raise CsvFileError(f"{name}:1: {exc}") from None
        layout = Layout(
            **{**layout.__dict__, "score": (score,), "comment": (comment,) if comment else ()}
        )
        layout = Layout(**{**layout.__dict__, "ignored": layout.ignored | {f"{score}_nps_group"}})
    missing = [what[0] for what in (layout.score, layout.date) if not set(what) & set(header)]
    if missing:
        raise CsvFileError(f"{name}:1: a {fmt} export needs the column(s) {', '.join(missing)}")
    parsed = ParsedHistory(format=fmt, encoding=encoding)
    seen: dict[str, int] = {}
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            why = f"not CSV ({exc}); the file was not read past this line"
            parsed.rejected.append(Rejected(line, why))
            break  # the reader cannot resynchronise after a broken quote
        if not any(cell.strip() for cell in cells):
            continue
        parsed.records += 1
        if len(cells) != len(header):
            why = f"{len(cells)} fields where the header has {len(header)}"
            parsed.rejected.append(Rejected(line, why))
            continue
        try:
            row = _row(dict(zip(header, cells, strict=True)), layout, fmt, zone)
        except ValueError as exc:
            parsed.rejected.append(Rejected(line, str(exc)))
            continue
        if row.key in seen:
            why = f"response {row.key.partition(':')[2]} already on line {seen[row.key]}"
            parsed.rejected.append(Rejected(line, why))
            continue
        seen[row.key] = line
        parsed.rows.append((line, row))
    return parsed
