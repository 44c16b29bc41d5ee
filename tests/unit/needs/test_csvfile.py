"""Reading a council's list: good rows parse, bad rows are reported with line and reason."""

from __future__ import annotations

from datetime import date

from contracts.codes import NeedLevel, NeedStatus, WaitingLocation
from services.needs.csvfile import read_rows, write_rows
from services.needs.entries import NeedEntry
from services.needs.ranking import rank_need_list

TODAY = date(2026, 11, 24)

LIST = """\ufeffperson_id,need_level,hours_per_week,waiting_at,assessed_on,waiting_since,status
P000001,critical,21,home,2026-09-01,2026-09-03,struggling
P000002,Substantial,14.5,Hospital,02/10/2026,05/10/2026,
P000003,urgent,10,home,2026-10-01,2026-10-01,
P000004,low,200,home,2026-10-01,2026-10-01,

P000005,moderate,7,home,2026-10-09,2026-10-01,
P000006,moderate,7,garden,2027-01-01,2027-01-02,
P000001,low,3,home,2026-10-01,2026-10-01,
Jane Smith,low,3,home,2026-10-01,2026-10-01,
P000007,low,3,home,2027-01-01,2027-01-02,
"""


def test_good_rows_parse_and_each_bad_row_is_reported_with_its_line_and_reason() -> None:
    rows, errors = read_rows(LIST, TODAY)

    assert [(line, row.person_id) for line, row in rows] == [(2, "P000001"), (3, "P000002")]
    second = rows[1][1]
    assert (second.need_level, second.waiting_at, second.status) == (
        NeedLevel.SUBSTANTIAL,
        WaitingLocation.HOSPITAL,
        NeedStatus.UNKNOWN,
    )
    assert (second.assessed_on, second.hours_per_week) == (date(2026, 10, 2), 14.5)
    assert [str(e) for e in errors] == [
        "line 4: need_level: Input should be 'critical', 'substantial', 'moderate' or 'low'",
        "line 5: hours_per_week: Input should be less than or equal to 168",
        "line 7: row: waiting_since is before assessed_on",
        "line 8: waiting_at: Input should be 'home' or 'hospital'",
        "line 9: person_id repeats line 2",
        "line 10: person_id: String should match pattern '^[A-Za-z0-9_.:-]+$'",
        "line 11: row: assessed_on is in the future",
    ]
    assert "Jane" not in " ".join(map(str, errors))  # values are not echoed back


def test_a_file_without_a_required_column_is_refused_as_a_whole() -> None:
    rows, errors = read_rows("person_id,need_level\nP000001,low\n", TODAY)
    assert rows == []
    assert [str(e) for e in errors] == [
        "line 1: missing column(s): hours_per_week, waiting_at, assessed_on, waiting_since"
    ]


def test_the_export_reads_back_as_the_same_rows() -> None:
    rows, _ = read_rows(LIST, TODAY)
    exported = write_rows(
        rank_need_list([NeedEntry(row=row, lives_alone=True) for _, row in rows], TODAY)
    )
    assert exported.splitlines()[0] == (
        "rank,person_id,need_level,hours_per_week,waiting_at,assessed_on,waiting_since,status,"
        "days_waiting,lives_alone,falls_flag,last_checked_at,priority_reason"
    )
    assert exported.splitlines()[1].startswith("1,P000001,critical,21.0,home,2026-09-01,")
    again, errors = read_rows(exported, TODAY)
    assert errors == []
    assert [row for _, row in again] == [row for _, row in rows]
