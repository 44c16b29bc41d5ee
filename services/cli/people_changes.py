"""`tecflow people changes`: rows of a CSV turned into care-record commands, the same
commands the person record's forms send (services/console/record_changes.py)."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from care import CareRecordError, handle
from care.commands import Actor, CloseNeedEntry, Command, SetAwayMode, SuggestReferral
from care.unit_of_work import UnitOfWork
from contracts.codes import ReferralTarget
from contracts.envelope import utcnow

COLUMNS = ("person_id", "change", "value", "reason")


@dataclass
class Report:
    made: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def command_for(row: dict[str, str], by: Actor, at: datetime) -> Command:
    """The command a row asks for; ValueError says what is wrong with the row."""
    person_id, change = row["person_id"].strip(), row["change"].strip()
    value, reason = row["value"].strip(), row["reason"].strip()
    if not person_id:
        raise ValueError("person_id is empty")
    if change == "away":
        # The last day away, to its end: checks resume the next morning, never early.
        until = datetime.combine(date.fromisoformat(value), time(23, 59), UTC) if value else None
        return SetAwayMode(person_id, until, reason, by=by, at=at)
    if change == "close_need":
        return CloseNeedEntry(person_id, reason, by=by, at=at)
    if change == "refer":
        return SuggestReferral(
            referral_id=uuid.uuid4(),
            person_id=person_id,
            target=ReferralTarget(value),
            reason=reason,
            origin="handler",
            by=by,
            at=at,
        )
    raise ValueError(f"unknown change {change!r} (away, close_need, refer)")


def apply_rows(text: str, by: Actor, uow: UnitOfWork) -> Report:
    """Each row in its own unit of work: one refused row leaves the others made."""
    report = Report()
    reader = csv.DictReader(io.StringIO(text))
    missing = set(COLUMNS) - set(reader.fieldnames or ())
    if missing:
        report.errors.append((1, f"missing column(s): {', '.join(sorted(missing))}"))
        return report
    for row in reader:
        line = reader.line_num
        try:
            result = handle(command_for(row, by, utcnow()), uow)
        except (ValueError, CareRecordError) as error:
            report.errors.append((line, str(error)))
            continue
        if result is False or (result is None and row["change"].strip() == "refer"):
            report.unchanged += 1  # no entry waiting; a referral to that service is open
        else:
            report.made += 1
    return report
