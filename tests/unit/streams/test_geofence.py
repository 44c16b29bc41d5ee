from __future__ import annotations

from datetime import time, timedelta

from contracts.care import Alert
from contracts.codes import AlertAction, AlertPriority
from contracts.devices import GeoPoint, LocationKind
from streams.processors import geofence
from streams.processors.catalogue import PROCESSORS
from streams.processors.context import PersonContext, SafeZone
from tests.unit.streams.factories import fix, london, run_alerts

GEOFENCE = next(p for p in PROCESSORS if p.name == "geofence")
HOME = SafeZone("home", 56.4620, -2.9707, 300)
TOWN = SafeZone("town centre", 56.4600, -2.9700, 2000, time(8, 0), time(20, 0))
CONTEXT = PersonContext(zones=(HOME,))
AWAY = (56.4750, -2.9900)  # about 1.8 km from home


def test_leaving_at_night_is_an_urgent_alert_with_the_last_position() -> None:
    events = [
        fix(london(2026, 11, 20, 1, 50), 56.4621, -2.9706),
        fix(london(2026, 11, 20, 2, 10), *AWAY),
    ]
    _, [alert] = run_alerts(GEOFENCE, events, CONTEXT)
    assert isinstance(alert, Alert)
    assert alert.priority is AlertPriority.URGENT
    assert alert.summary == (
        "Left safe zone 'home' at 02:10 at night (allowed: none at night); last known "
        "position 56.47500,-2.99000 (±10 m) at 02:10, 1.9 km from its centre"
    )


def test_out_by_day_only_alerts_after_the_limit_and_coming_back_closes_it() -> None:
    out = london(2026, 11, 20, 10, 0)
    state, outputs = run_alerts(GEOFENCE, [fix(out, *AWAY)], CONTEXT)
    assert outputs == []
    assert geofence.check(state, CONTEXT, out + timedelta(hours=2)) == []
    [late] = geofence.check(state, CONTEXT, out + timedelta(hours=3, minutes=5))
    assert isinstance(late, Alert)
    assert late.summary.startswith(
        "Left safe zone 'home' at 10:00, out for 3 h 05 min (allowed: 3 h 00 min by day)"
    )
    # The same time out gives the same alert id, whichever tick or fix finds it.
    assert late.event_id == geofence.check(state, CONTEXT, out + timedelta(hours=4))[0].event_id
    _, [back] = run_alerts(
        GEOFENCE, [fix(out + timedelta(hours=4), 56.4620, -2.9707)], CONTEXT, state
    )
    assert back.action is AlertAction.CLOSE
    assert back.summary == "Back in safe zone 'home' at 14:00"


def test_owntracks_transitions_count_and_a_beacon_leave_is_not_a_position() -> None:
    leave = fix(
        london(2026, 11, 20, 23, 30),
        0.0,
        0.0,
        location_kind=LocationKind.TRANSITION,
        transition="leave",
        region="home",
    )
    state, [alert] = run_alerts(GEOFENCE, [leave], CONTEXT)
    assert state.last_fix is None
    assert alert.summary == "Left safe zone 'home' at 23:30 at night (allowed: none at night)"
    enter = leave.model_copy(
        update={
            "transition": "enter",
            "occurred_at": london(2026, 11, 20, 23, 50),
            "position": GeoPoint(lat=0, lon=0),
        }
    )
    _, [closed] = run_alerts(GEOFENCE, [enter], CONTEXT, state)
    assert closed.action is AlertAction.CLOSE


def test_zones_with_hours_count_only_during_them() -> None:
    context = PersonContext(zones=(TOWN,))
    far = (56.3000, -2.8000)
    _, evening = run_alerts(GEOFENCE, [fix(london(2026, 11, 20, 21, 0), *far)], context)
    assert evening == []  # the town zone does not apply after 20:00
    state, _ = run_alerts(GEOFENCE, [fix(london(2026, 11, 20, 9, 0), *far)], context)
    assert state.outside is not None and state.outside.zone == "town centre"
    assert geofence.check(state, context, london(2026, 11, 20, 13, 0))  # out 4 h by day
    assert geofence.check(state, context, london(2026, 11, 20, 21, 0)) == []  # zone ended


def test_a_person_without_safe_zones_is_never_alerted() -> None:
    _, outputs = run_alerts(GEOFENCE, [fix(london(2026, 11, 20, 2, 0), *AWAY)], PersonContext())
    assert outputs == []
