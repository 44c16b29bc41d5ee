"""Incidents written into a recorded log, with the truth kept beside it.

- `no_wake`: the person never gets up: every reading from 03:00 until four hours after
  the time they really got up that day (16:00 at the earliest) is deleted. Delay is
  counted from the time they really got up.
- `floor`: lying on the floor in the afternoon: four hours of readings deleted from a
  moment between 13:00 and 16:00 when they were at home and about (a reading outside
  the bedroom in the half hour before, and no front door).
- `door_night`: the front door opened at 02:00 (and shut 30 s later) from an occupied
  home after bedtime.
- `wandering`: night-time movement from 02:30: twelve readings over an hour from the
  indoor sensors outside the bedroom (door contacts where there is no motion sensor).

Each incident takes a day of its own after the warm-up, a day the person was at home
for it (no front-door reading around it). Days are drawn with the seed. The injected
log is written as zigbee2mqtt JSON lines."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.devices import SensorPlacement
from services.evaluate.logs import Home, Message, Sensor

KINDS = ("no_wake", "floor", "door_night", "wandering")
WARM_UP = timedelta(days=7)
FLOOR = timedelta(hours=4)
NO_WAKE_AFTER = timedelta(hours=4)
WANDERING_READINGS = 12
WANDERING_SPAN = timedelta(minutes=60)
BEDROOM = frozenset({SensorPlacement.BED, SensorPlacement.BEDROOM})


@dataclass(frozen=True)
class Incident:
    kind: str
    start: datetime  # the window in which an alert counts as detecting it
    end: datetime
    reference: datetime  # delays are measured from here

    def as_json(self) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(self).items()}


class Injector:
    def __init__(self, messages: list[Message], home: Home, seed: int) -> None:
        self.messages = list(messages)
        self.home = home
        self.zone = ZoneInfo(home.tz)
        self.random = random.Random(seed)  # noqa: S311 - reproducible draws, not secrets
        first = self.local(messages[0].at).date()
        last = self.local(messages[-1].at).date()
        self.days = [
            first + timedelta(days=n) for n in range(WARM_UP.days + 1, (last - first).days)
        ]
        self.random.shuffle(self.days)
        self.used: set[date] = set()

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.zone)

    def between(self, start: datetime, end: datetime) -> list[Message]:
        return [m for m in self.messages if start <= m.at < end]

    def door_in(self, start: datetime, end: datetime) -> bool:
        door = self.home.front_door
        return door is not None and any(m.name == door.name for m in self.between(start, end))

    def inject(self, kind: str, count: int) -> list[Incident]:
        made: list[Incident] = []
        for day in self.days:
            if len(made) == count:
                break
            if day in self.used:
                continue
            incident = getattr(self, f"_{kind}")(day)
            if incident is not None:
                self.used.add(day)
                made.append(incident)
        return made

    def _no_wake(self, day: date) -> Incident | None:
        night = (self.at(day - timedelta(days=1), 20), self.at(day, 3))
        up = next(
            (
                m
                for m in self.between(self.at(day, 4), self.at(day, 13))
                if self.home.sensors[m.name].placement not in BEDROOM
            ),
            None,
        )
        if up is None or not self.between(*night) or self.door_in(night[0], up.at):
            return None  # not at home that night
        start, end = self.at(day, 3), max(up.at + NO_WAKE_AFTER, self.at(day, 16))
        self._delete(start, end)
        return Incident("no_wake", start, end, up.at)

    def _floor(self, day: date) -> Incident | None:
        start = self.at(day, 13) + timedelta(minutes=self.random.randrange(0, 180))
        end = start + FLOOR
        before = self.between(start - timedelta(minutes=30), start)
        if (
            not before
            or self.door_in(start - timedelta(minutes=30), start)
            or self.home.sensors[before[-1].name].placement in BEDROOM
        ):
            return None  # not at home and about
        self._delete(start, end)
        return Incident("floor", start, end, start)

    def _occupied_night(self, day: date, at: datetime) -> bool:
        evening = self.between(self.at(day - timedelta(days=1), 21), at)
        return bool(evening) and not self.door_in(
            self.at(day - timedelta(days=1), 21), at + timedelta(hours=2)
        )

    def _door_night(self, day: date) -> Incident | None:
        door, start = self.home.front_door, self.at(day, 2)
        if door is None or not self._occupied_night(day, start):
            return None
        self._add(door, start, timedelta(seconds=30))
        return Incident("door_night", start, start + timedelta(minutes=30), start)

    def _wandering(self, day: date) -> Incident | None:
        start = self.at(day, 2, 30)
        indoor = [
            s
            for s in self.home.sensors.values()
            if s.placement not in BEDROOM
            and s.placement not in (SensorPlacement.FRONT_DOOR, SensorPlacement.BACK_DOOR)
        ]
        moving = [s for s in indoor if s.kind == "motion"] or [
            s for s in indoor if s.kind == "contact"
        ]
        if not moving or not self._occupied_night(day, start):
            return None
        step = WANDERING_SPAN / WANDERING_READINGS
        for n in range(WANDERING_READINGS):
            self._add(moving[n % len(moving)], start + n * step, timedelta(seconds=20))
        return Incident("wandering", start, start + WANDERING_SPAN + timedelta(minutes=30), start)

    def _delete(self, start: datetime, end: datetime) -> None:
        self.messages = [m for m in self.messages if not start <= m.at < end]

    def _add(self, sensor: Sensor, at: datetime, lasting: timedelta) -> None:
        self.messages += [
            Message(at, sensor.name, sensor.payload(True)),
            Message(at + lasting, sensor.name, sensor.payload(False)),
        ]
        self.messages.sort()


def inject(
    messages: list[Message], home: Home, counts: dict[str, int], seed: int
) -> tuple[list[Message], list[Incident]]:
    injector = Injector(messages, home, seed)
    incidents = [i for kind, n in counts.items() for i in injector.inject(kind, n)]
    return injector.messages, sorted(incidents, key=lambda i: i.start)
