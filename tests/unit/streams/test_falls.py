from __future__ import annotations

from datetime import datetime, timedelta

from contracts.care import Signal
from contracts.codes import ScaipDeviceType, ScaipStatus, ScriptName
from contracts.devices import AlarmEvent
from streams.processors.catalogue import PROCESSORS
from streams.processors.context import PersonContext
from tests.unit.streams.factories import alarm, london, only, run

FALLS = next(p for p in PROCESSORS if p.name == "falls")
CONTEXT = PersonContext()


def fall(at: datetime, ref: str) -> AlarmEvent:
    return alarm(
        at,
        reference=ref,
        device_type=ScaipDeviceType.FALL_DETECTOR,
        status_code=ScaipStatus.AUTOMATIC_ALARM,
    )


def test_a_fall_alarm_asks_for_a_follow_up_today_with_earlier_falls_as_evidence() -> None:
    first = london(2026, 10, 25, 1, 30)  # the first 01:30 of the night the clocks go back
    events = [
        fall(first, "1"),
        fall(first + timedelta(minutes=3), "2"),  # same fall
        fall(london(2026, 11, 20, 23, 40), "3"),
    ]
    state, outputs = run(FALLS, events, CONTEXT)
    signals = only(Signal, outputs)
    assert [s.script for s in signals] == [ScriptName.FALLS_FOLLOW_UP] * 2
    assert signals[0].reason == "Fall detector alarm at 01:30: a falls follow-up call today"
    assert signals[1].evidence == (
        "Fri 20 Nov 23:40 fall detector alarm from hub 10149471",
        "2 earlier fall detector alarm(s) in the last 90 days: Sun 25 Oct 01:30, Sun 25 Oct 01:33",
    )
    assert signals[1].call_by.isoformat() == "2026-11-20"  # type: ignore[union-attr]
    assert len(state.fall_alarms) == 3


def test_a_pendant_press_or_a_cancelled_fall_alarm_is_no_falls_signal() -> None:
    events = [
        alarm(london(2026, 11, 20, 9, 0)),
        alarm(
            london(2026, 11, 20, 9, 0),
            device_type=ScaipDeviceType.FALL_DETECTOR,
            status_code=ScaipStatus.BATTERY_LOW,
        ),
        alarm(
            london(2026, 11, 20, 9, 1),
            device_type=ScaipDeviceType.FALL_DETECTOR,
            status_code=ScaipStatus.CANCEL,
        ),
    ]
    assert run(FALLS, events, CONTEXT)[1] == []
