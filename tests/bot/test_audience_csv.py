"""Reading audience CSVs: encodings, headers, one verdict per line, never two rows merged."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.audience_csv import CsvFileError, parse

HEADER = "platform,user_id,email,name,timezone,plan\n"


def verdicts(text: str) -> dict[int, str]:
    parsed = parse(text.encode(), name="f.csv")
    found = {line: "ok" for line, _ in parsed.rows.values()}
    found |= {bad.line: bad.reason for bad in parsed.rejected}
    found |= {dup.line: f"superseded by {dup.later_line}" for dup in parsed.duplicates}
    return found


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("slack,U0001,,,Not/AZone,pro", "timezone 'Not/AZone' is not an IANA time zone"),
        ("slack,U0001,,,EST,pro", "timezone 'EST' is not an IANA time zone"),
        ("irc,nick,,,,pro", "platform 'irc' is not one of slack, telegram"),
        (",U0001,,,,pro", "platform is empty"),
        ("slack,,,,,pro", "user_id is empty"),
        ("slack,u0001,,,,pro", "user_id 'u0001' is not a Slack user id"),
        ("telegram,-42,,,,pro", "user_id '-42' is not a numeric Telegram user id"),
        ("slack,U0001,not-an-email,,,pro", "email value is not a valid email address"),
        ('slack,U0001,"ann@example.com,,,pro', "a quote is not closed on this line"),
        ('slack,U0001,"a"b,,,pro', "text after the closing quote of a cell on this line"),
        ("slack,U0001,,,,pro,extra", "7 fields where the header has 6"),
        ("slack,U0001,,,", "5 fields where the header has 6"),
        ("slack,U0001,,,,p\x00ro", "a control character in a cell"),
        ("slack,U0001,," + "x" * 201 + ",,pro", "name String should have at most 200"),
        ("slack,U0001,,,," + "x" * 201, "plan String should have at most 200"),
    ],
)
def test_each_bad_row_is_named_with_its_reason(row: str, reason: str) -> None:
    found = verdicts(HEADER + row + "\nslack,U0009,,,,pro\n")
    assert found[2].startswith(reason), found[2]
    assert found[3] == "ok"


def test_an_unbalanced_quote_never_swallows_the_next_lines() -> None:
    text = HEADER + 'slack,U0001,"ann@example.com,Ann,UTC,pro\n' + "slack,U0002,,,,free\n" * 1
    text += "telegram,42,,,,pro\n"
    parsed = parse(text.encode(), name="f.csv")
    assert [bad.line for bad in parsed.rejected] == [2]
    assert sorted(parsed.rows) == [("slack", "U0002"), ("telegram", "42")]


def test_duplicates_last_row_wins_whole() -> None:
    text = HEADER + "slack,U0001,ann@example.com,Ann,Europe/Berlin,pro\n"
    text += "SLACK,U0001,,Ann B,,\n"
    parsed = parse(text.encode(), name="f.csv")
    [(line, row)] = parsed.rows.values()
    assert line == 3 and row.name == "Ann B"
    assert row.email is None and row.timezone is None and row.attributes == {}
    assert [(d.line, d.later_line) for d in parsed.duplicates] == [(2, 3)]


@pytest.mark.parametrize(
    ("encode", "label"),
    [
        (lambda t: t.encode(), "UTF-8"),
        (lambda t: codecs.BOM_UTF8 + t.encode(), "UTF-8 with BOM"),
        (lambda t: t.encode("utf-16"), "UTF-16 LE"),
        (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), "UTF-16 BE"),
    ],
)
def test_encodings_give_the_same_rows(encode, label: str) -> None:
    text = HEADER + "slack,U0001,zoë@example.com,Zoë Ünal,Europe/Zürich,pro\r\n"
    text = text.replace("Europe/Zürich", "Europe/Zurich") + "telegram,42,,李,,免费\r\n"
    parsed = parse(encode(text), name="f.csv")
    assert parsed.encoding == label
    assert parsed.columns[0] == "platform"  # no BOM left in the first column name
    assert {row.name for _, row in parsed.rows.values()} == {"Zoë Ünal", "李"}
    assert parsed.rejected == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "f.csv is empty"),
        (codecs.BOM_UTF32_LE + "platform".encode("utf-32-le"), "f.csv is UTF-32"),
        (HEADER.encode("utf-16-le"), "looks like UTF-16 without a byte order mark"),
        (HEADER.encode() + b"slack,U0001,,J\xe9r\xf4me,,pro\n", "f.csv:2: not UTF-8 text"),
        (b"user,plan\nU1,pro\n", "the header must name the columns platform, user_id"),
        (b"platform,user_id,plan,Plan\n", "column 'plan' appears twice"),
        (b"platform,user_id,plan type\n", "column 3 'plan type' is not a valid attribute name"),
        (b"platform,user_id,\n", "column 3 '' is not a valid attribute name"),
        (
            ("platform,user_id," + ",".join(f"a{n}" for n in range(51)) + "\n").encode(),
            "f.csv:1: more than 50 attribute columns",
        ),
    ],
)
def test_a_bad_file_is_refused_in_one_line(data: bytes, message: str) -> None:
    with pytest.raises(CsvFileError) as refused:
        parse(data, name="f.csv")
    assert message in str(refused.value) and "\n" not in str(refused.value)


def test_semicolons_and_tabs_from_spreadsheets() -> None:
    for sep in ";\t":
        text = f"platform{sep}user_id{sep}Plan\nslack{sep}U0001{sep}pro, annual\n"
        [(_, row)] = parse(text.encode(), name="f.csv").rows.values()
        assert row.attributes == {"plan": "pro, annual"}


cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(cells, min_size=0, max_size=8), max_size=30))
def test_every_line_gets_exactly_one_verdict(rows: list[list[str]]) -> None:
    """Fuzz: whatever the lines hold, each is a row, a rejection or a superseded duplicate."""
    lines = [",".join(cell.replace("\n", " ").replace("\r", " ") for cell in row) for row in rows]
    text = HEADER + "\n".join(lines) + "\n"
    try:
        parsed = parse(text.encode(), name="f.csv")
    except CsvFileError:
        return
    data_lines = [n for n, line in enumerate(text.split("\n"), 1) if n > 1 and line.strip()]
    seen = [line for line, _ in parsed.rows.values()]
    seen += [bad.line for bad in parsed.rejected] + [dup.line for dup in parsed.duplicates]
    assert sorted(seen) == data_lines
    for _, row in parsed.rows.values():
        assert "\n" not in row.user_id and "," not in row.user_id
