"""Activity and inactivity over several days of one person's routine, DST nights
included, and the explanation each alert carries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from contracts.care import Alert, Signal
from contracts.codes import AlertAction, AlertKind
from contracts.devices import SensorEvent
from contracts.devices import SensorPlacement as Room
from streams.processors import activity
from streams.processors.catalogue import PROCESSORS
from streams.processors.clock import routine_day
from streams.processors.context import PersonContext, SafeZone
from streams.processors.replay import Replay
from tests.unit.streams.factories import WHO, door, fix, london, run, run_alerts, sensor

ACTIVITY = next(p for p in PROCESSORS if p.name == "activity")
HOME = SafeZone("home", 56.4620, -2.9707, 200)
CONTEXT = PersonContext(zones=(HOME,))


def ordinary_days(first: date, days: int, up: tuple[int, int] = (8, 0)) -> list[SensorEvent]:
    """Up at 08:00 (wall clock): out of bed and breakfast in the kitchen; about the house
    (the living room every 45 minutes), one bathroom trip a night, bed 22:30."""
    events: list[SensorEvent] = []
    for n in range(days):
        d = first + timedelta(days=n)
        events += [
            sensor(london(d.year, d.month, d.day, 2, 0), Room.BATHROOM),
            sensor(london(d.year, d.month, d.day, *up), Room.BED, False),
            *(
                sensor(london(d.year, d.month, d.day, up[0], up[1] + m), Room.KITCHEN)
                for m in (0, 3, 7)
            ),
            *(
                sensor(london(d.year, d.month, d.day, 9 + m // 60, m % 60), Room.LIVING_ROOM)
                for m in range(0, 13 * 60, 45)
            ),
            sensor(london(d.year, d.month, d.day, 22, 30), Room.BED, True),
        ]
    return events


def checks(
    state: activity.ActivityState, start: datetime, end: datetime, context: PersonContext = CONTEXT
) -> list[Alert]:
    found: dict[object, Alert] = {}
    at = start
    while at <= end:
        for out in activity.check(state, context, at):
            assert isinstance(out, Alert)
            found.setdefault(out.event_id, out)
        at += timedelta(minutes=10)
    return list(found.values())


def test_routine_day_starts_at_night_and_survives_dst() -> None:
    assert routine_day(london(2026, 3, 28, 23, 30), "Europe/London") == date(2026, 3, 29)
    assert routine_day(london(2026, 3, 29, 3, 30), "Europe/London") == date(2026, 3, 29)
    assert routine_day(london(2026, 10, 25, 22, 59), "Europe/London") == date(2026, 10, 25)


def test_no_alert_before_enough_history() -> None:
    state, outputs = run_alerts(ACTIVITY, ordinary_days(date(2026, 3, 1), 5), CONTEXT)
    assert outputs == []
    assert checks(state, london(2026, 3, 6, 6, 0), london(2026, 3, 6, 14, 0)) == []


def test_still_in_bed_on_the_spring_forward_morning_says_the_usual_local_time() -> None:
    state, _ = run_alerts(ACTIVITY, ordinary_days(date(2026, 3, 14), 14), CONTEXT)
    # The night of 28-29 March (clocks go forward at 01:00 GMT): in bed, never up.
    state, _ = run_alerts(
        ACTIVITY, [sensor(london(2026, 3, 29, 3, 0), Room.BATHROOM)], CONTEXT, state
    )
    [alert] = checks(state, london(2026, 3, 29, 6, 0), london(2026, 3, 29, 12, 0))
    assert alert.alert_kind is AlertKind.BED_NOT_LEFT
    assert alert.summary == (
        "Usually up by 08:00 (3 days in 4 of 14; median 08:00); still in bed at 09:00 "
        "(last activity outside the bedroom at 03:00)"
    )
    assert alert.occurred_at == london(2026, 3, 29, 9, 0)  # 08:00 UTC, BST


def test_up_on_time_across_the_autumn_change_raises_nothing() -> None:
    events = ordinary_days(date(2026, 10, 11), 21)
    outputs = Replay(lambda _who, _at: CONTEXT, timedelta(minutes=10)).run(
        events,
        london(2026, 11, 1, 0, 0),
    )
    assert outputs == []


def test_no_movement_alert_closes_when_the_person_gets_up() -> None:
    state, _ = run_alerts(ACTIVITY, ordinary_days(date(2026, 11, 1), 10), CONTEXT)
    state.in_bed = False  # no bed sensor reading this morning
    state, _ = run_alerts(
        ACTIVITY, [sensor(london(2026, 11, 11, 2, 0), Room.BATHROOM)], CONTEXT, state
    )
    [alert] = checks(state, london(2026, 11, 11, 9, 0), london(2026, 11, 11, 9, 40))
    assert alert.summary == (
        "Usually up by 08:00 (3 days in 4 of 10; median 08:00); not up at 09:00 (last "
        "activity outside the bedroom at 02:00)"
    )
    breakfast = [sensor(london(2026, 11, 11, 10, m), Room.KITCHEN) for m in (2, 5, 8)]
    state, [closed] = run_alerts(ACTIVITY, breakfast, CONTEXT, state)
    assert closed.action is AlertAction.CLOSE
    assert closed.alert_key == alert.alert_key
    assert closed.summary == (
        "Up: about outside the bedroom since 10:02 (movement in the kitchen at 10:08)"
    )


def test_away_mode_and_gps_far_from_home_suppress_inactivity() -> None:
    state, _ = run_alerts(ACTIVITY, ordinary_days(date(2026, 11, 1), 10), CONTEXT)
    morning = (london(2026, 11, 11, 6, 0), london(2026, 11, 11, 14, 0))
    away = PersonContext(zones=(HOME,), away_until=london(2026, 11, 14, 12, 0))
    assert checks(state, *morning, context=away) == []
    state, _ = run(
        ACTIVITY, [fix(london(2026, 11, 11, 6, 30), 55.9533, -3.1883)], CONTEXT, state
    )  # Edinburgh, 60 km away
    assert checks(state, *morning) == []


def test_front_door_at_night_states_the_usual_pattern() -> None:
    state, _ = run_alerts(ACTIVITY, ordinary_days(date(2026, 10, 15), 10), CONTEXT)
    # 01:30 on the night the clocks go back happens twice: the first (BST) one.
    state, [alert] = run_alerts(ACTIVITY, [door(london(2026, 10, 25, 1, 30))], CONTEXT, state)
    assert alert.alert_kind is AlertKind.DOOR_AT_NIGHT
    assert alert.summary == (
        "Front door opened at 01:30 after bedtime, from an occupied home (in bed); usually "
        "shut after bedtime (opened on 0 of the last 10 nights)"
    )
    assert alert.occurred_at == london(2026, 10, 25, 0, 30).replace(tzinfo=UTC)


def test_someone_who_goes_out_at_night_is_not_alerted() -> None:
    events = ordinary_days(date(2026, 11, 1), 10)
    events += [door(london(2026, 11, d, 23, 40)) for d in range(1, 11)]
    events.sort(key=lambda e: e.occurred_at)
    state, outputs = run_alerts(ACTIVITY, events, CONTEXT)
    assert [o for o in outputs if o.alert_kind is AlertKind.DOOR_AT_NIGHT][:1]
    _, later = run_alerts(ACTIVITY, [door(london(2026, 11, 11, 23, 45))], CONTEXT, state)
    assert later == []  # by now it is their usual pattern


def test_night_bathroom_visits_and_wandering() -> None:
    state, _ = run_alerts(ACTIVITY, ordinary_days(date(2026, 11, 1), 10), CONTEXT)
    night = [sensor(london(2026, 11, 11, 1, m), Room.BATHROOM) for m in (0, 15, 30)]
    night += [sensor(london(2026, 11, 11, 3, m), Room.HALL) for m in range(0, 50, 10)]
    state, outputs = run_alerts(ACTIVITY, night, CONTEXT, state)
    summaries = {o.alert_kind: o.summary for o in outputs if isinstance(o, Alert)}
    assert summaries[AlertKind.NIGHT_BATHROOM] == (
        "Usually 1 bathroom visits a night after bedtime (median of 10 nights); 3 tonight, "
        "the latest at 01:30"
    )
    assert summaries[AlertKind.NIGHT_WANDERING] == (
        "Usually 1 movements a night after bedtime (median of 10 nights; 9 in 10 at most "
        "1); 6 since bedtime (about 21:45) tonight, the latest: movement in the hall at 03:20"
    )


def test_sitting_far_longer_than_usual_in_the_chair() -> None:
    events: list[object] = []
    for d in range(1, 11):
        events += [
            sensor(london(2026, 11, d, 14, 0), Room.CHAIR),
            sensor(london(2026, 11, d, 15, 30), Room.CHAIR, False),
        ]
    state, _ = run_alerts(ACTIVITY, events, CONTEXT)
    state, _ = run_alerts(
        ACTIVITY, [sensor(london(2026, 11, 11, 13, 0), Room.CHAIR)], CONTEXT, state
    )
    # (Only a chair sensor: no morning is ever learnt, so "not up" by 10:55 is also raised.)
    [alert] = [
        a
        for a in checks(state, london(2026, 11, 11, 13, 0), london(2026, 11, 11, 17, 0))
        if a.alert_kind is AlertKind.CHAIR_NOT_LEFT
    ]
    assert alert.alert_kind is AlertKind.CHAIR_NOT_LEFT
    assert alert.summary == (
        "Usually sits for at most 1 h 30 min at a time in the daytime (median of 10 days; "
        "limit 2 h 15 min); in the chair since 13:00, 2 h 20 min"
    )


def test_less_activity_over_days_is_a_welfare_signal_not_an_alarm() -> None:
    busy = []
    for d in range(1, 15):
        busy += [sensor(london(2026, 11, d, h, 5), Room.KITCHEN) for h in range(8, 20)]
    quiet = []
    for d in range(15, 19):
        quiet += [sensor(london(2026, 11, d, h, 5), Room.KITCHEN) for h in (9, 13, 17)]
    _, outputs = run(ACTIVITY, busy + quiet, CONTEXT)
    [signal] = outputs
    assert isinstance(signal, Signal)
    assert signal.script.value == "welfare_check"
    assert signal.reason == (
        "Less activity at home: 3 sensor events a day over the last 3 days, usually 12 "
        "(median of 14 days)"
    )
    assert signal.call_by == date(2026, 11, 18)
    assert signal.person_id == WHO
