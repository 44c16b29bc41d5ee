"""How fast the pure outcome processor and the unmet-need triage run on one core.

Sizes from the source documents: Scotland's 5,437 people assessed and waiting (Oct 2022)
for the triage; a mixed stream of check-in, falls and welfare outcomes for the processor.
Run: .venv/bin/python -m bench.outcomes_triage"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from contracts.codes import CallStatus, NeedLevel, NeedStatus, ScriptName, WaitingLocation
from services.needs.entries import NeedEntry, NeedRow
from services.needs.ranking import rank_need_list
from streams.outcomes.context import OutcomeContext
from streams.outcomes.logic import process_outcome
from tests.unit.outcomes.builders import outcome

TODAY = date(2026, 11, 24)


def entries(count: int, rng: random.Random) -> list[NeedEntry]:
    result = []
    for n in range(count):
        since = TODAY - timedelta(days=rng.randint(0, 365))
        result.append(
            NeedEntry(
                row=NeedRow(
                    person_id=f"P{n:06d}",
                    need_level=rng.choice(list(NeedLevel)),
                    hours_per_week=rng.choice([7, 14, 21]),
                    waiting_at=rng.choice(list(WaitingLocation)),
                    assessed_on=since,
                    waiting_since=since,
                    status=rng.choice(list(NeedStatus)),
                ),
                lives_alone=rng.random() < 0.6,
                falls_flag=rng.random() < 0.2,
            )
        )
    return result


def main() -> None:
    rng = random.Random(1)
    waiting = entries(5437, rng)
    start = time.perf_counter()
    runs = 20
    for _ in range(runs):
        rank_need_list(waiting, TODAY)
    triage_ms = (time.perf_counter() - start) / runs * 1000

    calls = [
        outcome(
            ScriptName.UNMET_NEED_CHECKIN,
            {"coping": "in_crisis", "any_falls": "yes", "offer_community_meals": "accepted"},
        ),
        outcome(
            ScriptName.FALLS_PREVENTION,
            {
                "fallen_past_year": "yes",
                "unsteady": "yes",
                "two_or_more_falls": "no",
                "blackout": "no",
            },
        ),
        outcome(ScriptName.WELFARE_CHECK, {"feeling_ok": "no", "wants_callback": "yes"}),
        outcome(ScriptName.WELFARE_CHECK, {}, status=CallStatus.NO_ANSWER, final_attempt=True),
    ]
    count = 20_000
    start = time.perf_counter()
    for n in range(count):
        process_outcome(calls[n % len(calls)], OutcomeContext())
    per_s = count / (time.perf_counter() - start)
    print(f"triage of {len(waiting)} entries: {triage_ms:.1f} ms")
    print(f"process_outcome: {per_s:,.0f} outcomes/s (mixed scripts, one core)")


if __name__ == "__main__":
    main()
