"""Daytime: up by the usual time, still for too long while at home, bed and chair left;
the timed check of each."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from contracts.codes import AlertKind
from contracts.devices import SensorCapability, SensorEvent, SensorPlacement
from streams.processors.activity.routine import (
    LEFT_OUT,
    MIN_HISTORY_DAYS,
    Day,
    at_home,
    block_name,
    block_of,
    usual,
    usual_gap,
    usual_sleep,
    usual_up,
)
from streams.processors.activity.state import (
    BEDROOM,
    DAY_ROOMS,
    DOORS,
    NAME,
    ActivityState,
    after_noon,
    days_before,
    far_from_home,
    judges_stillness,
    out_since,
)
from streams.processors.clock import (
    NIGHT,
    at_wall_clock,
    clock,
    clock_at,
    duration,
    minute_of_day,
    routine_day,
)
from streams.processors.context import PersonContext
from streams.processors.outputs import Output, alert, close, sentence

# Up: activity outside the bedroom (no pause over BOUT_PAUSE) kept up this long, or
# reaching the rooms the day is spent in (three readings there over five minutes or
# more, or one among three places), from 04:00. A toilet
# visit and back to bed is not getting up.
SUSTAINED = timedelta(minutes=15)
DAY_ROOM_READINGS = 3
DAY_ROOM_SPAN = timedelta(minutes=5)
DAY_ROOM_PLACES = 3  # ...or a day room among three places (hall, bathroom, kitchen)
# Back in bed this soon after seeming up: it was a night-time trip after all.
BACK_TO_BED = timedelta(minutes=30)
BOUT_PAUSE = timedelta(minutes=30)
EARLIEST_UP_MIN = 4 * 60
# "Not up" falls 55 minutes after the time the person is usually up by (on three
# mornings in four): within the hour of it, and rarely on an ordinary late morning.
MORNING_MARGIN = 55
DEFAULT_UP_MIN = 10 * 60
# Activity outside the bedroom this recent may be the person getting up: wait for it.
GETTING_UP = timedelta(minutes=20)
# Still at home in the daytime: longer than the person's usual longest still spell of
# that time of day (nine days in ten), by half again and by an hour at least; within
# these bounds.
MIN_STILL = timedelta(minutes=90)
MAX_STILL = timedelta(hours=3, minutes=30)
STILL_MARGIN = timedelta(minutes=60)
STILL_UNTIL_BEDTIME = 120  # minutes before their usual bedtime the rule stops
# ...and at 18:00 at the latest: an evening's quiet before bed is too like going to bed
# early where no sensor watches the bed (the morning's "not up" follows it).
STILL_UNTIL_MIN = 18 * 60
# The chair, by time of day: the evening's television is not the morning's.
EVENING_MIN = 18 * 60
CHAIR_LIMIT = {False: timedelta(hours=4), True: timedelta(hours=5)}
MIN_CHAIR_LIMIT = timedelta(hours=2)


def describe(event: SensorEvent) -> str:
    assert event.placement is not None
    place = event.placement.value.replace("_", " ")
    if event.capability is SensorCapability.CONTACT:
        return f"{place} {'closed' if event.value else 'opened'}"
    if event.capability is SensorCapability.STATE:
        return f"{place} appliance {'on' if event.value else 'off'}"
    if event.placement is SensorPlacement.BED:
        return "out of bed" if event.value is False else "in bed"
    if event.placement is SensorPlacement.CHAIR:
        return "chair left" if event.value is False else "in the chair"
    return f"movement in the {place}"


def bed_and_chair(state: ActivityState, event: SensorEvent, context: PersonContext) -> list[Output]:
    occupied = event.value is True
    if event.placement is SensorPlacement.BED:
        state.in_bed = occupied
        if occupied:
            state.bed_at = event.occurred_at
        today = state.today
        if (
            occupied
            and today is not None
            and today.up_min is not None
            and state.up_at is not None
            and event.occurred_at - state.up_at < BACK_TO_BED
        ):
            today.up_min = state.up_at = None  # back to bed: not up yet
    if event.placement is not SensorPlacement.CHAIR:
        return []
    if occupied:
        state.chair_since = state.chair_since or event.occurred_at
        return []
    since, state.chair_since = state.chair_since, None
    if since is None:
        return []
    sat = event.occurred_at - since
    evening = _evening(since, context)
    assert state.today is not None
    minutes = int(sat.total_seconds() // 60)
    if evening:
        state.today.evening_sit_min = max(state.today.evening_sit_min, minutes)
    else:
        state.today.longest_sit_min = max(state.today.longest_sit_min, minutes)
    if sat <= chair_limit(state.history, evening)[0]:
        return []
    reason = f"Left the chair at {clock_at(event.occurred_at, context.tz)} after {duration(sat)}"
    return [
        close(
            NAME,
            event.event_id,
            person_id=event.person_id,
            at=event.occurred_at,
            key=f"chair:{event.person_id}",
            kind=AlertKind.CHAIR_NOT_LEFT,
            reason=reason,
            caused_by=(event.event_id,),
        )
    ]


def _evening(at: datetime, context: PersonContext) -> bool:
    minute = minute_of_day(at, context.tz)
    return minute >= EVENING_MIN or minute < EARLIEST_UP_MIN


def chair_limit(days: list[Day], evening: bool) -> tuple[timedelta, str]:
    part = "in the evening" if evening else "in the daytime"
    sits = usual(days, lambda d: (d.evening_sit_min if evening else d.longest_sit_min) or None)
    if sits is None:
        limit = CHAIR_LIMIT[evening]
        return limit, f"no routine yet {part}, limit {duration(limit)}"
    limit = max(MIN_CHAIR_LIMIT, timedelta(minutes=1.5 * sits.high))
    usually = duration(timedelta(minutes=sits.value))
    return limit, (
        f"usually sits for at most {usually} at a time {part} (median of "
        f"{sits.days} days; limit {duration(limit)})"
    )


def about(state: ActivityState, event: SensorEvent, context: PersonContext) -> list[Output]:
    """Activity outside the bedroom: is the person up for the day?"""
    today = state.today
    assert today is not None and event.placement is not None
    at = event.occurred_at
    if (
        state.bout_start is None
        or state.last_about_at is None
        or at - state.last_about_at > BOUT_PAUSE
    ):
        state.bout_start, state.bout_day_room, state.bout_places = at, 0, []
    state.last_about_at = at
    if event.placement in DAY_ROOMS:
        state.bout_day_room += 1
    if event.placement not in state.bout_places:
        state.bout_places = [*state.bout_places, event.placement]
    span = at - state.bout_start
    sustained = (
        span >= SUSTAINED
        or (state.bout_day_room >= DAY_ROOM_READINGS and span >= DAY_ROOM_SPAN)
        or (state.bout_day_room > 0 and len(state.bout_places) >= DAY_ROOM_PLACES)
    )
    began = minute_of_day(state.bout_start, context.tz)
    if today.up_min is not None or not sustained or not EARLIEST_UP_MIN <= began < NIGHT.start_min:
        return []  # up already, not yet, or up late in the evening before the day
    today.up_min = minute_of_day(state.bout_start, context.tz)
    state.up_at, state.asleep_since = at, None
    due, _ = morning_due(state, today.day, context)
    if due is None or at < due:
        return []  # no "not up" alert can have been raised
    # The timed check may have raised "not up": being up closes it.
    reason = (
        f"Up: about outside the bedroom since {clock_at(state.bout_start, context.tz)}"
        f" ({describe(event)} at {clock_at(at, context.tz)})"
    )
    return [
        close(
            NAME,
            event.event_id,
            person_id=event.person_id,
            at=at,
            key=_morning_key(event.person_id, today.day),
            kind=AlertKind.NO_MORNING_ACTIVITY,
            reason=reason,
            caused_by=(event.event_id,),
        )
    ]


def _morning_key(person_id: str, day: date) -> str:
    return f"inactivity:{person_id}:{day.isoformat()}"


def morning_due(
    state: ActivityState, day: date, context: PersonContext
) -> tuple[datetime | None, str]:
    """When not being up becomes an alert, and the usual it comes from. After the
    warm-up, a person whose mornings could not be learnt (too few at home, or too
    irregular) is expected up by DEFAULT_UP: no one goes unwatched."""
    days = days_before(state, day)
    up = usual_up(days)
    if up is None:
        if len(at_home(days)) < MIN_HISTORY_DAYS:
            return None, ""
        return (
            at_wall_clock(day, DEFAULT_UP_MIN + MORNING_MARGIN, context.tz),
            f"No usual time up learnt yet (up by {clock(DEFAULT_UP_MIN)} assumed)",
        )
    due_min = min(int(up.upper) + MORNING_MARGIN, 23 * 60 - 1)
    usually = (
        f"Usually up by {clock(int(up.upper))} (3 days in 4 of {up.days}; "
        f"median {clock(int(up.value))})"
    )
    return at_wall_clock(day, due_min, context.tz), usually


def still_limit(days: list[Day], block: int) -> tuple[timedelta, str]:
    gap = usual_gap(days, block)
    if gap is None:
        return MAX_STILL, f"no routine yet for {block_name(block)}"
    high = timedelta(minutes=gap.high)
    limit = min(MAX_STILL, max(MIN_STILL, high * 1.5, high + STILL_MARGIN))
    return limit, (
        f"at home between {block_name(block)} usually still for at most "
        f"{duration(timedelta(minutes=gap.value))} at a time (median of {gap.days}"
        f" days; 9 days in 10 within {duration(high)})"
    )


def still_since(
    state: ActivityState, context: PersonContext, now: datetime
) -> tuple[datetime, timedelta, str] | None:
    """A daytime stillness the rule watches: since the last activity indoors, in the
    daytime, after getting up and two hours or more before the usual bedtime, at home,
    begun outside the bedroom and not in the chair. Returns its start, limit and why."""
    if not judges_stillness(state):
        return None  # the home's sensors cannot see stillness at home (see there)
    last, today = state.last_indoor_at, state.today
    if last is not None and state.last_door_at is not None and state.last_door_at > last:
        last = state.last_door_at  # someone came in (or went out: then `out_since` says)
    # In bed, unless seen about outside the bedroom since (a mat can stick "occupied").
    in_bed = state.in_bed and (
        state.bed_at is None or state.last_about_at is None or state.bed_at >= state.last_about_at
    )
    if (
        last is None
        or today is None
        or today.up_min is None
        or in_bed
        or state.chair_since is not None
        or state.last_indoor_place in BEDROOM
    ):
        return None  # asleep or resting (the chair has its own rule)
    if routine_day(last, context.tz) != today.day or out_since(state, now) is not None:
        return None
    block = block_of(minute_of_day(last, context.tz))
    if block is None or minute_of_day(last, context.tz) >= STILL_UNTIL_MIN:
        return None
    sleep = usual_sleep(state.history)
    if sleep is not None and after_noon(last, context.tz) > sleep.value - STILL_UNTIL_BEDTIME:
        return None
    limit, usually = still_limit(state.history, block)
    if state.last_indoor_place is SensorPlacement.CHAIR and last == state.last_indoor_at:
        # Resting in the chair (some mats report a shift, not the whole sit): at least
        # the chair's own limit.
        sits, sat = chair_limit(state.history, _evening(last, context))
        if sits > limit:
            limit, usually = sits, sat
    return last, limit, usually


def record_gap(state: ActivityState, event: SensorEvent, context: PersonContext) -> list[Output]:
    """Before an indoor activity is noted: the still spell it ends, learnt for its time
    of day, and the close of an inactivity alert it may have raised."""
    watched = still_since(state, context, event.occurred_at)
    if watched is None:
        return []
    last, limit, _ = watched
    assert state.today is not None
    still = event.occurred_at - last
    block = block_of(minute_of_day(last, context.tz))
    assert block is not None
    if still <= limit:
        minutes = int(still.total_seconds() // 60)
        if state.today.gaps[block] >= 0:
            state.today.gaps[block] = max(state.today.gaps[block], minutes)
        return []
    state.today.gaps[block] = LEFT_OUT  # raised an alert: not the new normal
    reason = (
        f"Activity again at {clock_at(event.occurred_at, context.tz)} "
        f"({describe(event)}) after {duration(still)} still"
    )
    return [
        close(
            NAME,
            event.event_id,
            "still",
            person_id=event.person_id,
            at=event.occurred_at,
            key=_still_key(event.person_id, last),
            kind=AlertKind.DAYTIME_INACTIVITY,
            reason=reason,
            caused_by=(event.event_id,),
        )
    ]


def _still_key(person_id: str, since: datetime) -> str:
    return f"still:{person_id}:{since.isoformat()}"


def check(state: ActivityState, context: PersonContext, now: datetime) -> list[Output]:
    """Timed: not up by the usual time, still for too long, or still in the chair."""
    if state.today is None or context.away_at(now) or far_from_home(state, context, now):
        return []
    outputs: list[Output] = []
    out = out_since(state, now)
    day = routine_day(now, context.tz)
    due, usually = morning_due(state, day, context)
    # Up, or away (in away mode) some of the day: nothing to say about the morning.
    up_today = state.today.day == day and (state.today.up_min is not None or state.today.away)
    getting_up = state.last_about_at is not None and now - state.last_about_at < GETTING_UP
    if due is not None and now >= due and not up_today and out is None and not getting_up:
        outputs.append(_not_up(state, day, context, now, usually))
    watched = still_since(state, context, now)
    if watched is not None and now - watched[0] > watched[1]:
        outputs.append(_still(state, context, now, *watched))
    if state.chair_since is not None:
        limit, sits = chair_limit(state.history, _evening(state.chair_since, context))
        if now - state.chair_since > limit:
            summary = (
                f"{sentence(sits)}; in the chair since "
                f"{clock_at(state.chair_since, context.tz)}, {duration(now - state.chair_since)}"
            )
            outputs.append(
                alert(
                    NAME,
                    state.person_id,
                    "chair",
                    state.chair_since.isoformat(),
                    person_id=state.person_id,
                    at=now,
                    key=f"chair:{state.person_id}",
                    kind=AlertKind.CHAIR_NOT_LEFT,
                    summary=summary,
                )
            )
    return outputs


def _still(
    state: ActivityState,
    context: PersonContext,
    now: datetime,
    last: datetime,
    limit: timedelta,
    usually: str,
) -> Output:
    place = (
        state.last_indoor_place.value.replace("_", " ") if state.last_indoor_place else "indoors"
    )
    summary = (
        f"{sentence(usually)}; no activity since {clock_at(last, context.tz)} "
        f"({place}), {duration(now - last)}, at home (limit {duration(limit)})"
    )
    return alert(
        NAME,
        state.person_id,
        "still",
        last.isoformat(),
        person_id=state.person_id,
        at=now,
        key=_still_key(state.person_id, last),
        kind=AlertKind.DAYTIME_INACTIVITY,
        summary=summary,
    )


def _not_up(
    state: ActivityState, day: date, context: PersonContext, now: datetime, usually: str
) -> Output:
    seen = (
        f"last activity outside the bedroom at {clock_at(state.last_about_at, context.tz)}"
        if state.last_about_at is not None and routine_day(state.last_about_at, context.tz) == day
        else "no activity outside the bedroom since bedtime"
    )
    if state.in_bed:
        kind = AlertKind.BED_NOT_LEFT
        summary = f"{usually}; still in bed at {clock_at(now, context.tz)} ({seen})"
    else:
        kind = AlertKind.NO_MORNING_ACTIVITY
        summary = f"{usually}; not up at {clock_at(now, context.tz)} ({seen})"
    return alert(
        NAME,
        state.person_id,
        "morning",
        day.isoformat(),
        person_id=state.person_id,
        at=now,
        key=_morning_key(state.person_id, day),
        kind=kind,
        summary=summary,
    )


def is_about(event: SensorEvent) -> bool:
    """Activity outside the bedroom (doors to the street aside)."""
    return event.placement not in BEDROOM and event.placement not in DOORS
