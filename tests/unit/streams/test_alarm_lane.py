from __future__ import annotations

from datetime import timedelta

from contracts.care import Alert
from contracts.codes import AlertPriority, ScaipDeviceType, ScaipMessageType, ScaipStatus
from streams.alarm_lane import urgent_raises
from streams.processors import triage
from streams.processors.context import PersonContext
from tests.unit.streams.factories import WHO, alarm, london, only

CONTEXT = PersonContext()


def test_the_lane_raises_what_triage_raises_with_the_same_id_even_on_a_repeat() -> None:
    first = alarm(london(2026, 3, 29, 1, 30))
    repeat = alarm(london(2026, 3, 29, 1, 31), reference="1002")
    state = triage.TriageState(person_id=WHO)
    state, _ = triage.process(state, first, CONTEXT)
    _, from_main_worker = triage.process(state, repeat, CONTEXT)

    [lane_alert] = urgent_raises(repeat, CONTEXT)
    [main_alert] = only(Alert, from_main_worker)
    assert lane_alert.event_id == main_alert.event_id  # the store keeps one of the two
    assert lane_alert.alert_key == main_alert.alert_key
    assert lane_alert.priority is AlertPriority.URGENT
    assert lane_alert.summary == "Pendant alarm, from hub 10149471 at 02:31"  # BST


def test_the_lane_leaves_everything_but_urgent_raises_to_the_main_worker() -> None:
    at = london(2026, 10, 25, 1, 30)
    assert (
        urgent_raises(
            alarm(
                at, message_type=ScaipMessageType.HEARTBEAT, device_type=ScaipDeviceType.LOCAL_UNIT
            ),
            CONTEXT,
        )
        == []
    )
    assert (
        urgent_raises(alarm(at + timedelta(minutes=1), status_code=ScaipStatus.CANCEL), CONTEXT)
        == []
    )
    assert urgent_raises(alarm(at, message_type=ScaipMessageType.RESET), CONTEXT) == []
    assert (
        urgent_raises(
            alarm(at, device_type=ScaipDeviceType.DOOR_SENSOR, status_code=ScaipStatus.OPEN),
            CONTEXT,
        )
        == []
    )
