"""The activity processor's per-person state, and where the person is: at home or out
(from the front door and the activity after it), in bed or up."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field

from contracts.devices import SensorCapability, SensorEvent, SensorPlacement
from streams.processors.activity.routine import Day, usual_sleep, usual_up
from streams.processors.clock import NIGHT, local, minute_of_day
from streams.processors.context import PersonContext
from streams.processors.geofence import Fix, distance_m

NAME = "activity"
FAR_FROM_HOME_M = 1000.0
FIX_FRESH = timedelta(hours=12)
DOORS = frozenset({SensorPlacement.FRONT_DOOR, SensorPlacement.BACK_DOOR})
BEDROOM = frozenset({SensorPlacement.BED, SensorPlacement.BEDROOM})
# Out: the front door, then nobody about indoors for this long. Activity within a minute
# of the door is the person passing the hall on the way out.
OUT_AFTER = timedelta(minutes=10)
DOOR_SETTLE = timedelta(minutes=1)
# Door readings this close together are one passage (opened, shut, opened again).
PASSAGE = timedelta(minutes=2)
# Rooms the day is spent in: activity there is being up, unlike a visit to the toilet.
DAY_ROOMS = frozenset(
    {
        SensorPlacement.KITCHEN,
        SensorPlacement.FRIDGE,
        SensorPlacement.LIVING_ROOM,
        SensorPlacement.CHAIR,
        SensorPlacement.OTHER,
    }
)
# What can see a person sitting still by day: movement in a room the day is spent in, or
# a chair mat. Cupboard and appliance contacts only tell when something is used, so in a
# home with nothing else an afternoon's reading looks like a collapse.
STILL_WATCHERS = frozenset(
    {SensorPlacement.KITCHEN, SensorPlacement.LIVING_ROOM, SensorPlacement.OTHER}
)
# Gone to bed: this still outside the bedroom, from an hour before their usual bedtime.
SETTLED = timedelta(minutes=30)
BEDTIME_EARLY_MIN = 60
NOON_MIN = 12 * 60
EARLIEST_LATE_NIGHT_END = 6 * 60


class ActivityState(BaseModel):
    person_id: str
    history: list[Day] = Field(default_factory=list, description="closed days, oldest first")
    today: Day | None = None
    in_bed: bool = False
    chair_since: datetime | None = None
    last_bathroom_at: datetime | None = None
    last_fix: Fix | None = None
    last_signal: dict[str, date] = Field(default_factory=dict)
    last_door_at: datetime | None = None
    last_indoor_at: datetime | None = None  # the latest activity other than a door
    last_indoor_place: SensorPlacement | None = None
    last_about_at: datetime | None = None  # the latest activity outside the bedroom
    bout_start: datetime | None = None  # activity outside the bedroom since, no long pause
    asleep_since: datetime | None = None
    last_move_at: datetime | None = None  # the latest night movement counted
    coming_in: bool = False  # the latest passage of the front door found the home empty
    bout_day_room: int = 0  # readings of this bout in the kitchen, living room...
    bout_places: list[SensorPlacement] = Field(default_factory=list)
    up_at: datetime | None = None
    bed_at: datetime | None = None  # when the bed last became occupied
    # What the home's sensors have been seen to cover (see `judges_stillness`).
    sees_door: bool = False
    sees_day_room: bool = False


def note_coverage(state: ActivityState, event: SensorEvent) -> None:
    """Remember what the home's sensors can see, from what has reported."""
    if event.placement in DOORS:
        state.sees_door = True
    elif event.placement is SensorPlacement.CHAIR or (
        event.capability is SensorCapability.OCCUPANCY and event.placement in STILL_WATCHERS
    ):
        state.sees_day_room = True


def judges_stillness(state: ActivityState) -> bool:
    """A home can tell "still at home" from "out" and from "sitting quietly" only with a
    front or back door sensor and a motion sensor or chair mat where the day is spent.
    Without them the daytime stillness rule stays silent: an alarm that cries wolf every
    afternoon would be ignored, and the morning's "not up" and the chair rule still
    watch. Patient safety is served by saying so on the home's setup, not by guessing."""
    return state.sees_door and state.sees_day_room


def days_before(state: ActivityState, day: date) -> list[Day]:
    """Every finished day before `day`, including `today` once it has ended."""
    days = list(state.history)
    if state.today is not None and state.today.day < day:
        days.append(state.today)
    return days


def far_from_home(state: ActivityState, context: PersonContext, now: datetime) -> bool:
    home, fix = context.home, state.last_fix
    if home is None or fix is None or now - fix.at > FIX_FRESH:
        return False
    return distance_m(fix.lat, fix.lon, home.lat, home.lon) > max(home.radius_m, FAR_FROM_HOME_M)


def is_activity(event: SensorEvent) -> bool:
    """Someone did something: motion seen, a door or cupboard moved, an appliance or the
    flush switched on, a bed or chair got in or out of. A motion sensor clearing or an
    appliance switching itself off is not."""
    if event.placement in (SensorPlacement.BED, SensorPlacement.CHAIR):
        return event.value is not None
    if event.capability is SensorCapability.CONTACT:
        return event.value is not None
    return event.value is True


def out_since(state: ActivityState, at: datetime) -> datetime | None:
    """When the person went out, if the home has been empty since: the front door, and
    no activity indoors after it."""
    door = state.last_door_at
    if door is None or at - door < OUT_AFTER:
        return None
    if state.last_indoor_at is not None and state.last_indoor_at > door + DOOR_SETTLE:
        return None
    return door


def after_noon(at: datetime, tz: str) -> int:
    """Minutes since the noon before: bedtimes either side of midnight compare."""
    return (minute_of_day(at, tz) - NOON_MIN) % (24 * 60)


def in_night(state: ActivityState, at: datetime, context: PersonContext) -> bool:
    """The person's own night: from an hour before their usual bedtime (23:00 until
    learnt) to 06:00, or to an hour before they usually get up if that is later."""
    sleep, up = usual_sleep(state.history), usual_up(state.history)
    start = sleep.value - BEDTIME_EARLY_MIN if sleep is not None else NIGHT.start_min - NOON_MIN
    end = NIGHT.end_min + NOON_MIN
    if up is not None and EARLIEST_LATE_NIGHT_END <= up.value - 60 < NOON_MIN:
        end = int(up.value) - 60 + NOON_MIN
    return start <= after_noon(at, context.tz) < end


def gone_to_bed(state: ActivityState, at: datetime, context: PersonContext) -> bool:
    """At home, and settled for the night: in their night (`in_night`), in bed or still
    outside the bedroom for a while."""
    if out_since(state, at) is not None or not in_night(state, at, context):
        return False
    about = state.last_about_at
    return state.in_bed or about is None or at - about >= SETTLED


def wall(at: datetime, tz: str) -> str:
    return local(at, tz).strftime("%H:%M")
