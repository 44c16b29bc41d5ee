"""The activity rules on hand-written days: home or out from the front door, getting up
as sustained activity outside the bedroom, stillness in the daytime, the door and
movement after bedtime, and what is learnt (and not learnt) from each day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from contracts.care import Alert
from contracts.codes import AlertAction, AlertKind
from contracts.devices import SensorCapability, SensorEvent
from contracts.devices import SensorPlacement as Room
from streams.processors import activity
from streams.processors.activity.routine import usual_up
from tests.unit.streams.factories import door, london, run_alerts, sensor
from tests.unit.streams.test_activity import ACTIVITY, CONTEXT, checks, ordinary_days

FORTNIGHT = date(2026, 11, 1)  # 14 ordinary days: up 08:00, about all day, bed 22:30
DAY = (2026, 11, 15)


def after_fortnight(*extra: SensorEvent) -> tuple[activity.ActivityState, list[Alert]]:
    return run_alerts(ACTIVITY, [*ordinary_days(FORTNIGHT, 14), *extra], CONTEXT)


def at(h: int, m: int = 0, day: tuple[int, int, int] = DAY) -> datetime:
    return london(*day, h, m)


def kinds(outputs: list[Alert]) -> list[AlertKind]:
    return [o.alert_kind for o in outputs if o.action is AlertAction.RAISE]


def test_coming_home_at_one_in_the_morning_raises_nothing() -> None:
    evening_out = [door(at(19, 0, (2026, 11, 14))), door(at(19, 0, (2026, 11, 14)), False)]
    state, outputs = after_fortnight(
        *(e for e in ordinary_days(date(2026, 11, 14), 1) if e.occurred_at.hour < 19),
        *evening_out,
        door(at(1, 0)),
        door(at(1, 0), False),  # home, after the usual bedtime
        sensor(at(1, 2), Room.HALL),
        sensor(at(1, 5), Room.BATHROOM),
        sensor(at(1, 10), Room.BED),
    )
    assert kinds(outputs) == []
    assert checks(state, at(1, 0), at(7, 0)) == []


def test_away_overnight_raises_no_not_up() -> None:
    state, _ = after_fortnight(
        *(e for e in ordinary_days(date(2026, 11, 15), 1) if e.occurred_at.hour < 20),
        door(at(20, 0)),
        door(at(20, 1), False),  # out for the night, nobody in after
    )
    assert checks(state, at(6, 0, (2026, 11, 16)), at(12, 0, (2026, 11, 16))) == []
    # Home at 11:00: coming in is not "not up" either, and not a morning learnt from.
    state, outputs = run_alerts(
        ACTIVITY,
        [door(at(11, 0, (2026, 11, 16))), sensor(at(11, 2, (2026, 11, 16)), Room.KITCHEN)],
        CONTEXT,
        state,
    )
    assert kinds(outputs) == []
    assert checks(state, at(11, 0, (2026, 11, 16)), at(13, 0, (2026, 11, 16))) == []
    assert state.today.out_night


def test_a_toilet_visit_at_half_past_six_then_silence_still_raises_not_up() -> None:
    state, _ = after_fortnight(
        sensor(at(6, 30), Room.BED, False),
        sensor(at(6, 31), Room.HALL),
        sensor(at(6, 32), Room.BATHROOM),
        sensor(at(6, 33), Room.BATHROOM, True, SensorCapability.STATE),  # the flush
        sensor(at(6, 36), Room.HALL),
    )
    [alert] = checks(state, at(6, 0), at(12, 0))
    assert alert.alert_kind is AlertKind.NO_MORNING_ACTIVITY
    assert alert.occurred_at == at(9, 0)  # 08:00 + 55 min, on the 10-minute checks
    assert alert.summary == (
        "Usually up by 08:00 (3 days in 4 of 14; median 08:00); not up at 09:00 (last "
        "activity outside the bedroom at 06:36)"
    )


# The post fetched at 10:05 on the first day: the home has a front-door sensor, which the
# stillness rule needs to tell "still at home" from "out" (and to learn the usual gaps).
POST = (door(at(10, 5, (2026, 11, 1))), door(at(10, 5, (2026, 11, 1)), False))


def with_post(events: list[SensorEvent]) -> list[SensorEvent]:
    return sorted([*events, *POST], key=lambda e: e.occurred_at)


def test_four_silent_hours_at_home_in_the_afternoon_raise_an_inactivity_alert() -> None:
    morning = [e for e in ordinary_days(date(*DAY), 1) if e.occurred_at < at(13, 0)]
    state, outputs = run_alerts(
        ACTIVITY,
        [*with_post([*ordinary_days(FORTNIGHT, 14), *morning]), sensor(at(13, 10), Room.KITCHEN)],
        CONTEXT,
    )
    assert kinds(outputs) == []
    [alert] = checks(state, at(13, 10), at(17, 10))
    assert alert.alert_kind is AlertKind.DAYTIME_INACTIVITY
    # Usually never more than 45 minutes without a reading at this time of day: the
    # limit is that and an hour (on the 10-minute checks, the first past it is 15:00).
    assert alert.occurred_at == at(15, 0)
    assert alert.summary == (
        "At home between 12:00-15:00 usually still for at most 45 min at a time (median "
        "of 14 days; 9 days in 10 within 45 min); no activity since 13:10 (kitchen), "
        "1 h 50 min, at home (limit 1 h 45 min)"
    )
    state, [closed] = run_alerts(ACTIVITY, [sensor(at(17, 10), Room.LIVING_ROOM)], CONTEXT, state)
    assert (closed.action, closed.alert_key) == (AlertAction.CLOSE, alert.alert_key)
    # The afternoon that raised it is not learnt as this person's normal.
    assert state.today.gaps[2] == -1


def test_a_home_that_cannot_see_stillness_raises_no_inactivity_alert() -> None:
    morning = [e for e in ordinary_days(date(*DAY), 1) if e.occurred_at < at(13, 0)]
    # No front-door sensor: an afternoon out cannot be told from stillness at home.
    state, _ = after_fortnight(*morning, sensor(at(13, 10), Room.KITCHEN))
    assert not state.sees_door and state.sees_day_room
    assert checks(state, at(13, 10), at(17, 10)) == []
    # A door, but only cupboard contacts in the day rooms (no motion, no chair mat).
    cupboards = [
        sensor(e.occurred_at, Room.KITCHEN, False, SensorCapability.CONTACT)
        if e.placement in (Room.KITCHEN, Room.LIVING_ROOM)
        else e
        for e in with_post([*ordinary_days(FORTNIGHT, 14), *morning])
    ]
    state, _ = run_alerts(
        ACTIVITY,
        [*cupboards, sensor(at(13, 10), Room.KITCHEN, False, SensorCapability.CONTACT)],
        CONTEXT,
    )
    assert state.sees_door and not state.sees_day_room
    assert checks(state, at(13, 10), at(17, 10)) == []


def test_out_for_the_afternoon_is_not_inactivity() -> None:
    morning = [e for e in ordinary_days(date(*DAY), 1) if e.occurred_at < at(13, 0)]
    state, _ = after_fortnight(
        *morning, sensor(at(13, 10), Room.HALL), door(at(13, 11)), door(at(13, 12), False)
    )
    assert checks(state, at(13, 10), at(17, 10)) == []


def test_a_door_contact_only_home_can_raise_night_wandering() -> None:
    cupboard, fridge = Room.KITCHEN, Room.FRIDGE

    def contacts_day(d: date) -> list[object]:
        y, m, n = d.year, d.month, d.day
        return [
            *(
                sensor(london(y, m, n, 7, 30 + k), place, False, SensorCapability.CONTACT)
                for k, place in ((0, cupboard), (3, fridge), (6, cupboard))
            ),
            *(
                sensor(london(y, m, n, h, 15), cupboard, False, SensorCapability.CONTACT)
                for h in range(9, 22)
            ),
        ]

    days = [e for n in range(14) for e in contacts_day(FORTNIGHT + timedelta(days=n))]
    state, _ = run_alerts(ACTIVITY, days, CONTEXT)
    night = [
        sensor(
            at(2, 30) + timedelta(minutes=5 * k),
            cupboard if k % 2 else fridge,
            False,
            SensorCapability.CONTACT,
        )
        for k in range(8)
    ]
    state, outputs = run_alerts(ACTIVITY, night, CONTEXT, state)
    [wandering] = [
        o for o in outputs if isinstance(o, Alert) and o.alert_kind is AlertKind.NIGHT_WANDERING
    ]
    assert wandering.summary.startswith(
        "Usually 0 movements a night after bedtime (median of 14 nights; 9 in 10 at most 0);"
        " 6 since bedtime (about 21:15) tonight"
    )


def test_going_out_after_bedtime_from_an_occupied_home_is_an_alert() -> None:
    _, outputs = after_fortnight(door(at(2, 0)), door(at(2, 0), False))
    assert kinds(outputs) == [AlertKind.DOOR_AT_NIGHT]


def test_a_morning_that_raised_not_up_is_not_learnt() -> None:
    late = [sensor(at(11, 0 + m), Room.KITCHEN) for m in (0, 3, 7)]
    state, _ = after_fortnight(*late)
    state, _ = run_alerts(ACTIVITY, ordinary_days(date(2026, 11, 16), 1), CONTEXT, state)
    learnt = usual_up(state.history)
    assert learnt is not None and learnt.upper == 8 * 60  # 11:00 left out
    assert any(d.late_up for d in state.history)


def test_the_chair_limit_follows_the_time_of_day() -> None:
    sits: list[SensorEvent] = []
    for n in range(14):
        d = FORTNIGHT + timedelta(days=n)
        sits += [
            sensor(london(d.year, d.month, d.day, 14, 0), Room.CHAIR),
            sensor(london(d.year, d.month, d.day, 14, 40), Room.CHAIR, False),
            sensor(london(d.year, d.month, d.day, 19, 0), Room.CHAIR),
            sensor(london(d.year, d.month, d.day, 22, 0), Room.CHAIR, False),
        ]
    days = sorted([*ordinary_days(FORTNIGHT, 14), *sits], key=lambda e: e.occurred_at)
    state, _ = run_alerts(ACTIVITY, days, CONTEXT)
    evening, _ = run_alerts(ACTIVITY, [sensor(at(19, 0), Room.CHAIR)], CONTEXT, state)
    assert [
        a for a in checks(evening, at(19, 0), at(23, 0)) if a.alert_kind is AlertKind.CHAIR_NOT_LEFT
    ] == []  # 4 h 30 min: their evenings
    afternoon, _ = run_alerts(ACTIVITY, [sensor(at(14, 0), Room.CHAIR)], CONTEXT, state)
    [alert] = [
        a
        for a in checks(afternoon, at(14, 0), at(17, 0))
        if a.alert_kind is AlertKind.CHAIR_NOT_LEFT
    ]
    assert alert.summary.startswith(
        "Usually sits for at most 40 min at a time in the daytime (median of 14 days; "
        "limit 2 h 00 min)"
    )
