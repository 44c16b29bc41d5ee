"""A synthetic stretch of home-sensor data for a few people with different routines,
reproducible from a seed: three weeks of ordinary life (for the baselines to learn)
followed by a week in which something happens to some of them.

The people of the week:
- `regular`: up about 07:30, one bathroom visit a night; nothing to report.
- `stops_getting_up`: up about 08:00, until the last morning, when they stay in bed.
- `wanders`: from the second night of the week, up and about for hours every night.
- `door_at_night`: opens the front door at 03:05 one night of the week.
- `on_holiday`: away (set in the console) from the second day to the sixth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contracts.devices import SensorCapability, SensorEvent, SensorPlacement
from contracts.envelope import deterministic_id
from streams.processors.context import PersonContext

TZ = ZoneInfo("Europe/London")
RUN_IN_DAYS = 21
WEEK_DAYS = 7


@dataclass(frozen=True)
class Person:
    person_id: str
    story: str
    up_min: int
    bed_min: int = 22 * 60 + 30


@dataclass
class Week:
    """The events (in time order), each person's away periods as (set at, until), and
    the local dates of the week (after the run-in)."""

    events: list[SensorEvent]
    away: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    week: list[date] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)

    @property
    def end(self) -> datetime:
        return wall(self.week[-1] + timedelta(days=1), 0)

    def context_for(self, person_id: str, at: datetime) -> PersonContext:
        """What the console would say at `at`: away mode exists from when it was set."""
        away = self.away.get(person_id)
        return PersonContext(away_until=away[1] if away and away[0] <= at else None)


PEOPLE = (
    Person("SIM-REGULAR", "regular", 7 * 60 + 30),
    Person("SIM-STOPS", "stops_getting_up", 8 * 60),
    Person("SIM-WANDERS", "wanders", 7 * 60 + 45),
    Person("SIM-DOOR", "door_at_night", 7 * 60 + 15),
    Person("SIM-HOLIDAY", "on_holiday", 8 * 60 + 15),
)
# Which day of the week (0-based) each story's event falls on.
WANDERING_FROM = 1
DOOR_NIGHT = 3
HOLIDAY = (1, 5)


def wall(day: date, minute: int) -> datetime:
    """A wall-clock minute of a London day (may run past midnight)."""
    day += timedelta(days=minute // 1440)
    return datetime.combine(day, time(minute % 1440 // 60, minute % 60), TZ)


class _Home:
    def __init__(self, person: Person, rng: random.Random) -> None:
        self.person = person
        self.rng = rng
        self.events: list[SensorEvent] = []

    def add(
        self,
        at: datetime,
        placement: SensorPlacement,
        value: bool = True,
        capability: SensorCapability = SensorCapability.OCCUPANCY,
    ) -> None:
        self.events.append(
            SensorEvent(
                # Ids and times from the seed alone, so a replay is the same to the byte.
                event_id=deterministic_id("sim.routines", self.person.person_id, len(self.events)),
                person_id=self.person.person_id,
                occurred_at=at,
                received_at=at,
                source="sim.zigbee2mqtt",
                device_id=f"{self.person.person_id.lower()} {placement.value}",
                capability=capability,
                value=value,
                placement=placement,
            )
        )

    def move(self, day: date, minute: int, *rooms: SensorPlacement) -> int:
        for room in rooms:
            self.add(wall(day, minute), room)
            minute += self.rng.randint(1, 3)
        return minute

    def door(self, day: date, minute: int, back_after: int) -> None:
        self.add(wall(day, minute), SensorPlacement.FRONT_DOOR, False, SensorCapability.CONTACT)
        self.add(wall(day, minute + 1), SensorPlacement.FRONT_DOOR, True, SensorCapability.CONTACT)
        self.add(
            wall(day, minute + back_after),
            SensorPlacement.FRONT_DOOR,
            False,
            SensorCapability.CONTACT,
        )
        self.add(
            wall(day, minute + back_after + 1),
            SensorPlacement.FRONT_DOOR,
            True,
            SensorCapability.CONTACT,
        )

    def night(self, day: date, visits: int) -> None:
        """The night before `day`: bathroom visits after midnight, back to bed."""
        for minute in sorted(self.rng.sample(range(30, 300, 20), visits)):
            self.add(wall(day, minute), SensorPlacement.BED, False)
            self.move(
                day,
                minute + 1,
                SensorPlacement.HALL,
                SensorPlacement.BATHROOM,
                SensorPlacement.HALL,
            )
            self.add(wall(day, minute + 12), SensorPlacement.BED, True)

    def wander(self, day: date) -> None:
        self.add(wall(day, 60), SensorPlacement.BED, False)
        minute = 62
        for _ in range(self.rng.randint(11, 14)):
            room = self.rng.choice(
                (SensorPlacement.HALL, SensorPlacement.KITCHEN, SensorPlacement.LIVING_ROOM)
            )
            minute = self.move(day, minute + self.rng.randint(5, 12), room)
        self.add(wall(day, minute + 5), SensorPlacement.BED, True)

    def day(self, day: date, out_at: int | None = None, home_at: int | None = None) -> None:
        """Up, about the house, perhaps out for a while, to bed."""
        up = self.person.up_min + self.rng.randint(-20, 20)
        self.add(wall(day, up), SensorPlacement.BED, False)
        minute = self.move(
            day,
            up + 1,
            SensorPlacement.BEDROOM,
            SensorPlacement.HALL,
            SensorPlacement.BATHROOM,
            SensorPlacement.KITCHEN,
        )
        self.add(wall(day, minute + 2), SensorPlacement.FRIDGE, False, SensorCapability.CONTACT)
        end = self.person.bed_min - 10
        while minute < end:
            minute += self.rng.randint(30, 60)
            if out_at is not None and out_at <= minute < out_at + 60:
                self.door(day, out_at, back_after=self.rng.randint(60, 120))
                minute = out_at + 130
                continue
            self.move(
                day,
                minute,
                self.rng.choice(
                    (SensorPlacement.KITCHEN, SensorPlacement.LIVING_ROOM, SensorPlacement.HALL)
                ),
            )
        self.move(day, self.person.bed_min - 8, SensorPlacement.BATHROOM, SensorPlacement.BEDROOM)
        self.add(wall(day, self.person.bed_min), SensorPlacement.BED, True)


def _life(person: Person, days: list[date], week: list[date], rng: random.Random) -> _Home:
    home = _Home(person, rng)
    for day in days:
        n = week.index(day) if day in week else -1
        story = person.story
        if story == "wanders" and n >= WANDERING_FROM:
            home.wander(day)
        elif story == "on_holiday" and HOLIDAY[0] < n <= HOLIDAY[1]:
            pass  # nobody home at night
        else:
            home.night(day, rng.choice((0, 1, 1, 1, 2)))
        if story == "door_at_night" and n == DOOR_NIGHT:
            home.move(day, 3 * 60 + 2, SensorPlacement.HALL)
            home.door(day, 3 * 60 + 5, back_after=15)
            home.move(day, 3 * 60 + 22, SensorPlacement.HALL)
        if story == "stops_getting_up" and n == len(week) - 1:
            continue  # stays in bed
        if story == "on_holiday" and n == HOLIDAY[0]:
            home.day(day)
            home.add(
                wall(day, 12 * 60), SensorPlacement.FRONT_DOOR, False, SensorCapability.CONTACT
            )
            continue
        if story == "on_holiday" and HOLIDAY[0] < n < HOLIDAY[1]:
            continue
        if story == "on_holiday" and n == HOLIDAY[1]:
            home.add(wall(day, 15 * 60), SensorPlacement.FRONT_DOOR, True, SensorCapability.CONTACT)
            home.move(day, 15 * 60 + 2, SensorPlacement.HALL, SensorPlacement.KITCHEN)
            home.move(day, person.bed_min - 8, SensorPlacement.BATHROOM, SensorPlacement.BEDROOM)
            home.add(wall(day, person.bed_min), SensorPlacement.BED, True)
            continue
        home.day(day, out_at=rng.choice((None, 10 * 60 + 30, 14 * 60)))
    return home


def synthetic_week(last_day: date, seed: int = 2026) -> Week:
    """Three weeks of run-in, then the week ending on `last_day` (local dates)."""
    first = last_day - timedelta(days=RUN_IN_DAYS + WEEK_DAYS - 1)
    days = [first + timedelta(days=n) for n in range(RUN_IN_DAYS + WEEK_DAYS)]
    week = days[-WEEK_DAYS:]
    events: list[SensorEvent] = []
    away: dict[str, tuple[datetime, datetime]] = {}
    for index, person in enumerate(PEOPLE):
        rng = random.Random(seed * 100 + index)  # noqa: S311 - synthetic data
        events += _life(person, days, week, rng).events
        if person.story == "on_holiday":
            away[person.person_id] = (
                wall(week[HOLIDAY[0]], 11 * 60 + 55),
                wall(week[HOLIDAY[1]], 18 * 60),
            )
    events.sort(key=lambda e: e.occurred_at)
    return Week(events=events, away=away, week=week, people=list(PEOPLE))
