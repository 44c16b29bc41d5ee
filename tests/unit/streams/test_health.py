from __future__ import annotations

from datetime import timedelta

from contracts.care import Alert
from contracts.codes import AlertAction, AlertKind, AlertQueue, ScaipStatus
from contracts.devices import SensorCapability, SensorPlacement
from streams.processors import health
from streams.processors.catalogue import PROCESSORS
from streams.processors.context import PersonContext
from tests.unit.streams.factories import alarm, fix, heartbeat, london, only, run_alerts, sensor

HEALTH = next(p for p in PROCESSORS if p.name == "health")
CONTEXT = PersonContext()
T0 = london(2026, 11, 20, 9, 0)


def test_missed_heartbeats_are_found_by_the_timed_check_and_closed_by_the_next() -> None:
    beats = [heartbeat(T0 + timedelta(hours=h)) for h in range(4)]
    state, outputs = run_alerts(HEALTH, beats, CONTEXT)
    assert outputs == []
    assert health.check(state, CONTEXT, T0 + timedelta(hours=5)) == []
    [missed] = only(Alert, health.check(state, CONTEXT, T0 + timedelta(hours=6, minutes=5)))
    assert missed.queue is AlertQueue.TECHNOLOGY_ASSISTANT
    assert missed.summary == (
        "Alarm hub 10149471: heartbeats usually every 1 h 00 min (median of the last 3 "
        "gaps); none since 12:00 (3 h 05 min)"
    )
    _, [closed] = run_alerts(HEALTH, [heartbeat(T0 + timedelta(hours=7))], CONTEXT, state)
    assert closed.action is AlertAction.CLOSE
    assert closed.alert_key == missed.alert_key
    assert closed.summary == (
        "Alarm hub 10149471: heartbeat received again at 16:00 after 4 h 00 min"
    )


def test_zigbee_offline_battery_and_tamper_raise_once_and_clear() -> None:
    bed = SensorPlacement.BED
    events = [
        sensor(T0, bed, False, SensorCapability.AVAILABILITY),
        sensor(T0 + timedelta(minutes=10), bed, False, SensorCapability.AVAILABILITY),
        sensor(T0 + timedelta(minutes=20), bed, True, SensorCapability.AVAILABILITY),
        sensor(T0, bed, "9.00", SensorCapability.BATTERY),
        sensor(T0, bed, True, SensorCapability.TAMPER),
    ]
    _, outputs = run_alerts(HEALTH, events, CONTEXT)
    assert [(o.alert_kind, o.action) for o in outputs] == [
        (AlertKind.DEVICE_OFFLINE, AlertAction.RAISE),
        (AlertKind.DEVICE_OFFLINE, AlertAction.CLOSE),
        (AlertKind.BATTERY_LOW, AlertAction.RAISE),
        (AlertKind.TAMPER, AlertAction.RAISE),
    ]
    assert outputs[0].summary == "Sensor 'p000001 bed': offline at 09:00"
    assert outputs[2].summary == "Sensor 'p000001 bed': battery at 9% at 09:00"
    assert {o.queue for o in outputs} == {AlertQueue.TECHNOLOGY_ASSISTANT}


def test_scaip_technical_statuses_go_to_the_assistants_not_the_alarm_queue() -> None:
    events = [
        alarm(T0, status_code=ScaipStatus.BATTERY_LOW),
        alarm(T0, status_code=ScaipStatus.RADIO_TEST_MISSING, device_type=14),
        alarm(T0 + timedelta(days=1), status_code=ScaipStatus.BATTERY_OK),
    ]
    _, outputs = run_alerts(HEALTH, events, CONTEXT)
    assert [o.summary for o in outputs] == [
        "Pendant 10149471/0003: battery low at 09:00",
        "Door sensor 10149471/0014: radio test missing at 09:00",
        "Pendant 10149471/0003: battery ok again at 09:00",
    ]


def test_a_tracker_battery_is_watched_too() -> None:
    _, [low] = run_alerts(HEALTH, [fix(T0, 56.0, -3.0, battery_pct=8)], CONTEXT)
    assert low.summary == "GPS tracker p1/phone: battery at 8% at 09:00"
