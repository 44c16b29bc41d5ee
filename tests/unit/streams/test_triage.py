from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.codes import (
    AlertAction,
    AlertKind,
    AlertPriority,
    AlertQueue,
    ScaipDeviceType,
    ScaipMessageType,
    ScaipStatus,
)
from contracts.devices import SensorCapability, SensorPlacement
from streams.processors import triage
from streams.processors.catalogue import PROCESSORS
from streams.processors.context import PersonContext
from tests.unit.streams.factories import alarm, heartbeat, london, run_alerts, sensor

TRIAGE = next(p for p in PROCESSORS if p.name == "triage")
CONTEXT = PersonContext()
T0 = london(2026, 11, 20, 3, 12)


@pytest.mark.parametrize(
    ("device_type", "status", "priority"),
    [
        (ScaipDeviceType.PERSONAL_TRIGGER, ScaipStatus.MANUAL_ALARM, AlertPriority.URGENT),
        (ScaipDeviceType.FALL_DETECTOR, ScaipStatus.AUTOMATIC_ALARM, AlertPriority.URGENT),
        (ScaipDeviceType.SMOKE, None, AlertPriority.URGENT),
        (ScaipDeviceType.CARBON_MONOXIDE, ScaipStatus.AUTOMATIC_ALARM, AlertPriority.URGENT),
        (ScaipDeviceType.FLOOD, ScaipStatus.AUTOMATIC_ALARM, AlertPriority.URGENT),
        (ScaipDeviceType.DOOR_SENSOR, ScaipStatus.OPEN_TOO_LONG, AlertPriority.HIGH),
    ],
)
def test_alarm_priority_comes_from_device_and_status(
    device_type: ScaipDeviceType, status: ScaipStatus | None, priority: AlertPriority
) -> None:
    _, [out] = run_alerts(TRIAGE, [alarm(T0, device_type=device_type, status_code=status)], CONTEXT)
    assert out.priority is priority
    assert out.queue is AlertQueue.CALL_HANDLER
    assert out.alert_kind is AlertKind.ALARM


def test_fall_detector_alert_says_what_and_where() -> None:
    event = alarm(
        T0,
        device_type=ScaipDeviceType.FALL_DETECTOR,
        status_code=ScaipStatus.AUTOMATIC_ALARM,
        location_code=11,
    )
    _, [out] = run_alerts(TRIAGE, [event], CONTEXT)
    assert out.summary == ("Fall detector alarm (automatic), bathroom, from hub 10149471 at 03:12")
    assert out.caused_by == (event.event_id,)


@pytest.mark.parametrize(
    "event",
    [
        heartbeat(T0),
        alarm(
            T0, device_type=ScaipDeviceType.LOCAL_UNIT, status_code=ScaipStatus.TEST_TRANSMISSION
        ),
        alarm(T0, status_code=ScaipStatus.BATTERY_LOW),
        alarm(T0, message_type=ScaipMessageType.INFO),
        sensor(T0, SensorPlacement.HALL),
    ],
    ids=["heartbeat", "test", "battery", "info", "motion"],
)
def test_heartbeats_tests_and_telemetry_never_become_alerts(event: object) -> None:
    assert run_alerts(TRIAGE, [event], CONTEXT)[1] == []


def test_repeated_presses_share_one_alert_key_and_each_states_only_itself() -> None:
    # The care record merges them and counts the presses (care/domain/alerts.py).
    presses = [alarm(T0 + timedelta(minutes=m), reference=f"10{m}") for m in (0, 1, 3)]
    state, outs = run_alerts(TRIAGE, presses, CONTEXT)
    assert len({o.alert_key for o in outs}) == 1
    assert len({o.event_id for o in outs}) == 3
    assert all(o.action is AlertAction.RAISE for o in outs)
    assert outs[-1].summary == "Pendant alarm, from hub 10149471 at 03:15"
    assert len(state.open) == 1


def test_reset_closes_the_alarm_named_by_its_ref_with_the_reason() -> None:
    raised = alarm(T0, reference="4711", device_id="7")
    reset = alarm(
        T0 + timedelta(minutes=20),
        reference="4711",
        message_type=ScaipMessageType.RESET,
        device_type=ScaipDeviceType.LOCAL_UNIT,
        status_code=None,
    )
    state, [opened, closed] = run_alerts(TRIAGE, [raised, reset], CONTEXT)
    assert closed.action is AlertAction.CLOSE
    assert closed.alert_key == opened.alert_key
    assert closed.close_reason == "Alarm reset at the hub (alarm withdrawn) at 03:32"
    assert state.open == {}
    assert state.false_alarms == {}  # 20 minutes: a real call, not a false alarm


def test_quick_cancels_of_a_falls_pendant_are_counted_and_reported_to_assistants() -> None:
    outputs = []
    state = None
    for day in range(3):
        at = T0 + timedelta(days=day)
        state, outs = run_alerts(
            TRIAGE,
            [
                alarm(at, reference=f"{day}1"),
                alarm(
                    at + timedelta(seconds=40), reference=f"{day}2", status_code=ScaipStatus.CANCEL
                ),
            ],
            CONTEXT,
            state,
        )
        outputs += outs
    review = [o for o in outputs if o.alert_kind is AlertKind.FALSE_ALARMS]
    assert len(review) == 1
    [report] = review
    assert report.queue is AlertQueue.TECHNOLOGY_ASSISTANT
    assert report.summary == (
        "The pendant 10149471/0003 raised 3 alarms cancelled within 2 min in the last "
        "30 days: review its sensitivity level"
    )
    assert report.evidence[0] == "Fri 20 Nov 03:12 raised, then cancelled"
    closes = [o for o in outputs if o.action is AlertAction.CLOSE]
    assert next(c.close_reason for c in closes) == (
        "Alarm cancelled at the device (status 0019) at 03:12"
    )


def test_smoke_detector_cancels_are_not_counted_as_pendant_false_alarms() -> None:
    events = []
    for day in range(4):
        at = T0 + timedelta(days=day)
        events += [
            alarm(at, device_type=ScaipDeviceType.SMOKE),
            alarm(
                at + timedelta(seconds=30),
                device_type=ScaipDeviceType.SMOKE,
                status_code=ScaipStatus.CANCEL,
            ),
        ]
    _state, outs = run_alerts(TRIAGE, events, CONTEXT)
    assert not [o for o in outs if o.alert_kind is AlertKind.FALSE_ALARMS]


def test_zigbee_sos_button_and_leak_are_urgent_alarms() -> None:
    sos = sensor(T0, SensorPlacement.OTHER, "emergency", SensorCapability.ACTION)
    leak = sensor(T0, SensorPlacement.KITCHEN, True, SensorCapability.WATER_LEAK)
    cleared = sensor(T0, SensorPlacement.OTHER, "", SensorCapability.ACTION)
    _, outs = run_alerts(TRIAGE, [sos, cleared, leak], CONTEXT)
    assert [o.summary for o in outs] == [
        "SOS button pressed at 03:12",
        "Water leak (flood) detected at 03:12",
    ]
    assert {o.priority for o in outs} == {AlertPriority.URGENT}


def test_reprocessing_an_event_yields_the_same_ids() -> None:
    event = alarm(T0)
    first = triage.process(TRIAGE.new_state("P000001"), event, CONTEXT)[1]
    again = triage.process(TRIAGE.new_state("P000001"), event, CONTEXT)[1]
    assert [o.event_id for o in first] == [o.event_id for o in again]


def test_a_false_alarm_reprocessed_after_a_crash_is_counted_once() -> None:
    raised = alarm(T0, reference="61")
    cancel = alarm(T0 + timedelta(seconds=30), reference="62", status_code=ScaipStatus.CANCEL)
    state, _ = run_alerts(TRIAGE, [raised, cancel, raised, cancel], CONTEXT)
    assert list(state.false_alarms.values()) == [[T0]]
