"""How the unmet-need list is ranked (the RMU's triage tool; not alarm triage, which is
`streams/processors/triage.py`): who is matched to care first.

Entries are ordered by, in turn:

1. in crisis at the latest check-in call: first, whatever else (the urgent alert has
   already gone to a call handler; the RMU matches them first);
2. need level: critical, substantial, moderate, low (the eligibility bands);
3. latest call status: struggling, then not yet reached (unknown), then managing OK;
4. time waiting, in bands of four weeks, longest first;
5. risk factors within the same band: living alone, a falls flag in force (each counts
   one; both before one, one before none);
6. exact days waiting, longest first; then person id, so the order is stable.

Waiting time is banded so that living alone and a falls flag can move someone up among
people who have waited about as long, without overriding a month's more wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.codes import NeedLevel, NeedStatus
from services.needs.entries import NeedEntry

LEVEL_RANK = {
    NeedLevel.CRITICAL: 0,
    NeedLevel.SUBSTANTIAL: 1,
    NeedLevel.MODERATE: 2,
    NeedLevel.LOW: 3,
}
STATUS_RANK = {
    NeedStatus.IN_CRISIS: 0,
    NeedStatus.STRUGGLING: 1,
    NeedStatus.UNKNOWN: 2,
    NeedStatus.MANAGING_OK: 3,
}
WAIT_BAND_DAYS = 28


@dataclass(frozen=True)
class RankedEntry:
    rank: int
    entry: NeedEntry
    days_waiting: int
    reason: str


def priority_key(entry: NeedEntry, today: date) -> tuple[int, int, int, int, int, int, str]:
    row = entry.row
    days = entry.days_waiting(today)
    return (
        0 if row.status is NeedStatus.IN_CRISIS else 1,
        LEVEL_RANK[row.need_level],
        STATUS_RANK[row.status],
        -(days // WAIT_BAND_DAYS),
        -(int(entry.lives_alone) + int(entry.falls_flag)),
        -days,
        row.person_id,
    )


def reason(entry: NeedEntry, today: date) -> str:
    row = entry.row
    parts = [f"{row.need_level.value} need", row.status.value.replace("_", " ")]
    parts.append(f"waiting {entry.days_waiting(today)} days at {row.waiting_at.value}")
    if entry.lives_alone:
        parts.append("lives alone")
    if entry.falls_flag:
        parts.append("falls flag")
    return "; ".join(parts)


def rank_need_list(entries: list[NeedEntry], today: date) -> list[RankedEntry]:
    """The people still waiting on `today`, highest priority first."""
    waiting = sorted(
        (e for e in entries if e.waiting_on(today)), key=lambda e: priority_key(e, today)
    )
    return [
        RankedEntry(rank=n, entry=e, days_waiting=e.days_waiting(today), reason=reason(e, today))
        for n, e in enumerate(waiting, start=1)
    ]
