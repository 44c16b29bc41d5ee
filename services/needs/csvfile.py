"""The unmet-need list as CSV, the format councils keep it in.

Columns (header row required, any order, extra columns ignored): person_id, need_level
(critical | substantial | moderate | low), hours_per_week (0-168), waiting_at (home |
hospital), assessed_on and waiting_since (YYYY-MM-DD or dd/mm/yyyy), status (optional:
managing_ok | struggling | in_crisis; blank keeps the status the calls found).
Reading reports each bad row with its line and reason; the export is the triaged list
with its rank and reasons, and reads back unchanged."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from services.needs.entries import NeedRow
from services.needs.ranking import RankedEntry

COLUMNS = tuple(NeedRow.model_fields)
EXPORT_COLUMNS = (
    "rank",
    *COLUMNS,
    "days_waiting",
    "lives_alone",
    "falls_flag",
    "last_checked_at",
    "priority_reason",
)
REQUIRED = tuple(name for name, f in NeedRow.model_fields.items() if f.is_required())


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def _reason(error: ValidationError) -> str:
    # Field names and messages only: the input values may be personal data.
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg'].removeprefix('Value error, ')}"
        for e in error.errors()
    )


def read_rows(text: str, today: date) -> tuple[list[tuple[int, NeedRow]], list[RowError]]:
    """Rows that parse (with their line numbers) and the errors of those that do not."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or ()]
    reader.fieldnames = header
    if missing := [c for c in REQUIRED if c not in header]:
        return [], [RowError(1, f"missing column(s): {', '.join(missing)}")]
    rows: list[tuple[int, NeedRow]] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in record.values() if isinstance(v, str)):
            continue  # blank line
        try:
            row = NeedRow.model_validate(record, context={"today": today})
        except ValidationError as error:
            errors.append(RowError(line, _reason(error)))
            continue
        if row.person_id in seen:
            errors.append(RowError(line, f"person_id repeats line {seen[row.person_id]}"))
            continue
        seen[row.person_id] = line
        rows.append((line, row))
    return rows, errors


def write_rows(triaged: list[RankedEntry]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for item in triaged:
        entry = item.entry
        writer.writerow(
            {
                "rank": item.rank,
                **entry.row.model_dump(mode="json"),
                "days_waiting": item.days_waiting,
                "lives_alone": "yes" if entry.lives_alone else "no",
                "falls_flag": "yes" if entry.falls_flag else "no",
                "last_checked_at": entry.last_checked_at.isoformat()
                if entry.last_checked_at
                else "",
                "priority_reason": item.reason,
            }
        )
    return out.getvalue()
