"""Reading Delighted, Qualtrics and plain CSV exports: columns, lines, and every refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.audience_csv import CsvFileError
from bot.history_csv import parse_date, parse_history

DELIGHTED = (
    "Response ID,Person ID,Email,Name,Score,Comment,Survey Type,Created At,Updated At,Plan\n"
    '101,p1,Ana@Example.com,Ana,10,"Great support, fast",nps,2026-11-17 10:00:00 -0800,,pro\n'
    '102,p2,bo@example.com,Bo,3,"Slow checkout.\nTook forever",nps,2026-11-18 11:00:00,,free\n'
    "103,p3,,,11,nope,nps,2026-11-18 11:00:00,,free\n"  # line 5
    "104,p4,cy@example.com,Cy,7,,nps,yesterday,,pro\n"  # line 6
    ",p5,dee@example.com,Dee,8,,nps,2026-11-18,,pro\n"  # line 7
    "101,p1,ana@example.com,Ana,10,again,nps,2026-11-17,,pro\n"  # line 8
    "106,p6,,,,,nps,2026-11-18,,pro\n"  # line 9
    "107,p7,,,9,x\x01y,nps,2026-11-18,,pro\n"  # line 10
    "108,p8,,,9\n"  # line 11
)
QUALTRICS = (
    "StartDate,EndDate,Status,Progress,RecordedDate,ResponseId,RecipientEmail,"
    "RecipientFirstName,ExternalReference,Q1,Q1_NPS_GROUP,Q2,Region\n"
    '"Start Date","End Date","Response Type",Progress,"Recorded Date","Response ID",'
    '"Recipient Email","Recipient First Name","External Data Reference",'
    '"How likely are you to recommend Acme to a friend or colleague?",'
    '"How likely ... - Group","What is the main reason for your score?",Region\n'
    '"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""status""}",'
    '"{""ImportId"":""progress""}","{""ImportId"":""recordedDate""}",'
    '"{""ImportId"":""_recordId""}","{""ImportId"":""recipientEmail""}",'
    '"{""ImportId"":""recipientFirstName""}","{""ImportId"":""externalDataReference""}",'
    '"{""ImportId"":""QID1""}","{""ImportId"":""QID1_NPS_GROUP""}",'
    '"{""ImportId"":""QID2_TEXT""}","{""ImportId"":""Region""}"\n'
    "2026-11-17 09:00:00,2026-11-17 09:01:00,IP Address,100,2026-11-17 09:01:00,"
    "R_abc,eve@example.com,Eve,U0EVE,2,1,Too expensive,EU\n"  # line 4
    "2026-11-17 09:00:00,2026-11-17 09:01:00,Survey Preview,100,2026-11-17 09:01:00,"
    "R_prev,,,,10,3,testing,EU\n"  # line 5
    "2026-11-17 09:00:00,2026-11-17 09:01:00,IP Address,100,2026-11-18 12:00:00,"
    "R_def,,,,9,3,,US\n"  # line 6
)


def test_delighted_columns_and_every_bad_row_by_line() -> None:
    parsed = parse_history(DELIGHTED.encode(), name="d.csv", fmt="delighted")
    assert [line for line, _ in parsed.rows] == [2, 3]
    first, second = (row for _, row in parsed.rows)
    assert (first.key, first.score, first.comment, first.email, first.name) == (
        "delighted:101",
        10,
        "Great support, fast",
        "ana@example.com",
        "Ana",
    )
    assert first.answered_at == datetime(2026, 11, 17, 18, 0, tzinfo=UTC)
    assert first.attributes == {"plan": "pro"}  # Person ID, Survey Type, Updated At ignored
    assert (
        second.comment == "Slow checkout.\nTook forever"
        and second.person == "import:bo@example.com"
    )
    assert {bad.line: bad.reason for bad in parsed.rejected} == {
        5: "score '11' is not a whole number from 0 to 10",
        6: "date 'yesterday' is not a date like 2026-03-04 10:22:33",
        7: "response id is empty",
        8: "response 101 already on line 2",
        9: "score is empty",
        10: "a control character in a cell",
        11: "5 fields where the header has 10",
    }
    assert parsed.records == 9 == len(parsed.rows) + len(parsed.rejected)  # none lost


def test_qualtrics_three_header_rows_and_the_nps_question() -> None:
    parsed = parse_history(QUALTRICS.encode(), name="q.csv", fmt="qualtrics")
    rows = {line: row for line, row in parsed.rows}
    assert sorted(rows) == [4, 6]
    assert (rows[4].key, rows[4].score, rows[4].comment, rows[4].user_id) == (
        "qualtrics:R_abc",
        2,
        "Too expensive",
        "U0EVE",
    )
    assert rows[4].attributes == {"region": "EU"} and rows[6].comment is None
    assert [(bad.line, bad.reason) for bad in parsed.rejected] == [
        (5, "a survey preview, not a customer's answer")
    ]


def test_a_qualtrics_export_without_an_nps_question_is_refused() -> None:
    text = "ResponseId,RecordedDate,Q1\nid,date,q\n{},{},{}\nR_1,2026-11-17,5\n"
    with pytest.raises(CsvFileError, match=r"q\.csv:1: no NPS question.*Q1_NPS_GROUP"):
        parse_history(text.encode(), name="q.csv", fmt="qualtrics")


def test_plain_csv_keys_answers_by_content_without_an_id() -> None:
    answer = "U1,9,2026-11-17,great,a\n"
    text = "user_id,score,answered_at,comment,segment\n" + answer * 2
    parsed = parse_history(text.encode(), name="p.csv", fmt="csv", zone=ZoneInfo("Europe/Berlin"))
    [(_, row)] = parsed.rows
    assert row.user_id == "U1" and row.answered_at == datetime(2026, 11, 16, 23, 0, tzinfo=UTC)
    assert [bad.line for bad in parsed.rejected] == [3]  # the same answer twice


def test_missing_columns_and_broken_quotes() -> None:
    with pytest.raises(CsvFileError, match="needs the column"):
        parse_history(b"Response ID,Comment\n1,x\n", name="d.csv", fmt="delighted")
    broken = 'Response ID,Score,Created At\n1,9,2026-11-17\n2,"9,2026-11-17\n'
    parsed = parse_history(broken.encode(), name="d.csv", fmt="delighted")
    assert len(parsed.rows) == 1 and parsed.rejected[0].line == 3
    assert "not read past this line" in parsed.rejected[0].reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1763400000", datetime(2025, 11, 17, 17, 20, tzinfo=UTC)),
        ("2026-11-17T10:00:00Z", datetime(2026, 11, 17, 10, tzinfo=UTC)),
        ("2026-11-17 10:00:00 +0100", datetime(2026, 11, 17, 9, tzinfo=UTC)),
        ("2026-11-17", datetime(2026, 11, 17, tzinfo=UTC)),
    ],
)
def test_dates(text: str, expected: datetime) -> None:
    assert parse_date(text, UTC) == expected
