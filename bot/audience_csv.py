"""Reading an audience CSV: its encoding, its header, one pydantic model per row.

Audience fields never hold a line break, so every physical line is one record: a quote left
open ends with its line and is reported there, instead of swallowing the rest of the file
into one user id. A bad row is named by line and reason and skipped; a bad file (encoding,
header) is refused whole in one line. Nothing here touches the database.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.audience import valid_timezone
from bot.events import Platform
from bot.i18n.languages import normalise
from bot.sanitize import MAX_ATTRIBUTES

USER_ID_FORMATS = {
    Platform.SLACK: (re.compile(r"[UW][A-Z0-9]{2,20}"), "a Slack user id like U012AB3CD"),
    Platform.TELEGRAM: (re.compile(r"[1-9][0-9]{0,15}"), "a numeric Telegram user id"),
}
ENCODINGS = (  # UTF-32's BOM starts like UTF-16 LE's, so it is looked for first
    (codecs.BOM_UTF32_LE, None, "UTF-32"),
    (codecs.BOM_UTF32_BE, None, "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
)
DELIMITERS = ",;\t"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc, exactly

AttributeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.-]{0,39}$")]
AttributeValue = Annotated[str, StringConstraints(max_length=200)]
_attribute_name: TypeAdapter[str] = TypeAdapter(AttributeName)


class CsvFileError(ValueError):
    """The whole file is refused (encoding, header); the message is one line."""


class AudienceRow(BaseModel):
    """One person from one line. A new column is a new field here plus its line in `changes`.

    Columns that are not fields become segment attributes.
    """

    model_config = ConfigDict(str_strip_whitespace=True, frozen=True, extra="forbid")

    platform: Platform
    user_id: str = Field(max_length=64)
    email: EmailStr | None = None
    name: str | None = Field(default=None, max_length=200)
    timezone: str | None = None
    language: str | None = Field(default=None, max_length=35)
    """The person's explicit choice; one without a catalogue is left to the platform."""
    attributes: dict[AttributeName, AttributeValue] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, raw: Any) -> Any:
        """Empty cells mean "not given"; control characters are refused (PostgreSQL refuses NUL)."""
        if not isinstance(raw, dict):
            return raw
        for value in [*raw.values(), *(raw.get("attributes") or {}).values()]:
            if isinstance(value, str) and CONTROL.search(value):
                raise ValueError("a control character in a cell")
        cleaned = {k: v for k, v in raw.items() if not (isinstance(v, str) and not v.strip())}
        attributes = {k: v.strip() for k, v in (raw.get("attributes") or {}).items() if v.strip()}
        return {**cleaned, "attributes": attributes}

    @field_validator("platform", mode="before")
    @classmethod
    def _platform_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _iana(cls, value: str | None) -> str | None:
        if value is not None and not valid_timezone(value):
            raise ValueError(f"'{value}' is not an IANA time zone (like Europe/Berlin)")
        return value

    @model_validator(mode="after")
    def _user_id_format(self) -> AudienceRow:
        pattern, what = USER_ID_FORMATS[self.platform]
        if not pattern.fullmatch(self.user_id):
            raise ValueError(f"user_id '{self.user_id}' is not {what}")
        return self

    @property
    def key(self) -> tuple[str, str]:
        return self.platform.value, self.user_id

    def columns(self) -> dict[str, Any]:
        """The respondent's columns this row speaks for, None where its cell was empty."""
        return {
            "display_name": self.name,
            "email": self.email,
            "person_key": self.email.lower() if self.email else None,
            "timezone": self.timezone,
            "language": normalise(self.language),
        }

    @property
    def unsupported_language(self) -> str | None:
        """The `language` cell when npsbot has no catalogue for it."""
        return self.language if self.language and normalise(self.language) is None else None

    def changes(self) -> dict[str, Any]:
        """The columns this row sets; a column left empty keeps what is stored."""
        return {name: value for name, value in self.columns().items() if value is not None}


COLUMNS = frozenset(AudienceRow.model_fields) - {"attributes"}
REQUIRED = frozenset(name for name, info in AudienceRow.model_fields.items() if info.is_required())


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass(frozen=True)
class Duplicate:
    line: int
    later_line: int
    key: tuple[str, str]


@dataclass
class ParsedFile:
    """What a file holds: the rows that passed (the last of each person), and what did not."""

    encoding: str
    columns: list[str]
    lines: int = 0
    rows: dict[tuple[str, str], tuple[int, AudienceRow]] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)


def decode(data: bytes, *, name: str) -> tuple[str, str]:
    """The text and a label of its encoding: UTF-8 (with or without BOM) or UTF-16 with a BOM."""
    codec, label = "utf-8", "UTF-8"
    for bom, known, known_label in ENCODINGS:
        if data.startswith(bom):
            if known is None:
                raise CsvFileError(f"{name} is {known_label}; save it as UTF-8 or UTF-16")
            codec, label = known, known_label
            break
    else:
        head = data[:4096]
        if head.count(0) * 4 > len(head):  # ASCII in UTF-16 is every other byte NUL
            raise CsvFileError(
                f"{name} looks like UTF-16 without a byte order mark; save it as UTF-8"
            )
    try:
        return data.decode(codec), label
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(codec, errors="replace").count("\n") + 1
        raise CsvFileError(
            f"{name}:{line}: not {label} text (byte {data[exc.start]:#04x}); save it as UTF-8"
        ) from None


def _fields(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter, strict=True), [])


def _header(line: str, *, name: str) -> tuple[list[str], str]:
    """Column names (trimmed, lower case) and the delimiter that yields the required ones."""
    for delimiter in DELIMITERS:
        try:
            columns = [column.strip().lower() for column in _fields(line, delimiter)]
        except csv.Error:
            continue
        if set(columns) >= REQUIRED:
            break
    else:
        raise CsvFileError(
            f"{name}:1: the header must name the columns {', '.join(sorted(REQUIRED))}"
        )
    for number, column in enumerate(columns, start=1):
        if columns.index(column) != number - 1:
            raise CsvFileError(f"{name}:1: column '{column}' appears twice")
        if column in COLUMNS:
            continue
        try:
            _attribute_name.validate_python(column)
        except ValidationError:
            raise CsvFileError(
                f"{name}:1: column {number} '{column}' is not a valid attribute name "
                "(a letter, then letters, digits, _ . or -; at most 40)"
            ) from None
    if len(set(columns) - COLUMNS) > MAX_ATTRIBUTES:
        raise CsvFileError(f"{name}:1: more than {MAX_ATTRIBUTES} attribute columns")
    return columns, delimiter


def reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]).removeprefix("attributes.")
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "is empty"
    elif first["type"] == "enum":
        message = f"'{first['input']}' is not one of {', '.join(p.value for p in Platform)}"
    return f"{where} {message}" if where else message


def _records(text: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if line.strip():
            yield number, line


def parse(data: bytes, *, name: str) -> ParsedFile:
    """Decode and validate a whole file; raises CsvFileError only for a file-wide problem."""
    text, encoding = decode(data, name=name)
    records = _records(text)
    first = next(records, None)
    if first is None:
        raise CsvFileError(f"{name} is empty")
    columns, delimiter = _header(first[1], name=name)
    parsed = ParsedFile(encoding=encoding, columns=columns)
    for number, line in records:
        parsed.lines += 1
        try:
            cells = _fields(line, delimiter)
        except csv.Error as exc:
            closed = "end of data" not in str(exc)
            why = "text after the closing quote of a cell" if closed else "a quote is not closed"
            parsed.rejected.append(Rejected(number, f"{why} on this line"))
            continue
        if len(cells) != len(columns):
            parsed.rejected.append(
                Rejected(number, f"{len(cells)} fields where the header has {len(columns)}")
            )
            continue
        raw: dict[str, Any] = {"attributes": {}}
        for column, cell in zip(columns, cells, strict=True):
            if column in COLUMNS:
                raw[column] = cell
            else:
                raw["attributes"][column] = cell
        try:
            row = AudienceRow.model_validate(raw)
        except ValidationError as exc:
            parsed.rejected.append(Rejected(number, reason(exc)))
            continue
        earlier = parsed.rows.pop(row.key, None)
        if earlier is not None:
            parsed.duplicates.append(Duplicate(earlier[0], number, row.key))
        parsed.rows[row.key] = (number, row)
    return parsed
