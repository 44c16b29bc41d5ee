"""A resident's day as a list of timed acts: what their devices will say, and what
happened to them (the state their answers on a call follow). Pure: the same resident,
day, seed and state give the same day."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.sim.community import RATES, Resident

TZ = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Sensor:
    """A zigbee2mqtt reading: `key` is the payload's field (occupancy, contact, battery)."""

    placement: str
    key: str
    value: bool | int


@dataclass(frozen=True)
class Availability:
    placement: str
    online: bool


@dataclass(frozen=True)
class Alarm:
    """A SCAIP message from the hub: a pendant press, the falls pendant, a cancel, or a
    device status (battery low)."""

    what: str  # pendant | fall | cancel


@dataclass(frozen=True)
class Position:
    lat: float
    lon: float


@dataclass(frozen=True)
class Voice:
    """An Alexa skill request from the resident's Echo."""

    intent: str  # CheckInOkIntent | CheckInNeedHelpIntent


@dataclass(frozen=True)
class Happened:
    """Something the person lives through: it changes what they say on a call."""

    what: str  # fall | fall_injured | admitted | discharged | crisis | coping
    day: date


Act = Sensor | Availability | Alarm | Position | Voice | Happened


@dataclass(order=True, frozen=True)
class Timed:
    at: datetime
    seq: int
    person_id: str = field(compare=False)
    act: Act = field(compare=False)


@dataclass
class LifeState:
    """What carries from one day to the next."""

    in_hospital_until: date | None = None


def wall(day: date, minute: float) -> datetime:
    """The local time `minute` minutes after the start of `day`, to the millisecond."""
    day += timedelta(days=int(minute // 1440))
    millis = round(minute % 1440 * 60_000)
    return datetime.combine(
        day,
        time(millis // 3_600_000, millis // 60_000 % 60, millis // 1000 % 60, millis % 1000 * 1000),
        TZ,
    )


class _Day:
    def __init__(self, resident: Resident, day: date, rng: random.Random, scale: float):
        self.resident = resident
        self.profile = resident.profile
        self.day = day
        self.rng = rng
        self.scale = scale
        self.acts: list[tuple[float, Act]] = []

    def chance(self, incident: str, factor: float = 1.0) -> bool:
        return self.rng.random() < RATES[incident] * self.scale * factor

    def add(self, minute: float, act: Act) -> None:
        self.acts.append((minute, act))

    def move(self, minute: float, *rooms: str) -> float:
        """PIR blinks through `rooms`, a minute or two apart."""
        for room in rooms:
            self.add(minute, Sensor(room, "occupancy", True))
            self.add(minute + 1.5, Sensor(room, "occupancy", False))
            minute += self.rng.uniform(1, 3)
        return minute

    def night(self, wandering: bool) -> None:
        if wandering:
            minute = self.rng.uniform(60, 150)
            self.add(minute, Sensor("bed", "occupancy", False))
            for _ in range(self.rng.randint(8, 14)):
                minute = self.move(
                    minute + self.rng.uniform(4, 12),
                    self.rng.choice(("hall", "kitchen", "hall", "bathroom")),
                )
            if self.rng.random() < 0.3:  # tries the front door
                self.add(minute + 1, Sensor("front_door", "contact", False))
                self.add(minute + 3, Sensor("front_door", "contact", True))
                minute += 4
            self.add(minute + 5, Sensor("bed", "occupancy", True))
            return
        visits = int(self.profile.night_visits + self.rng.random())
        for minute in sorted(self.rng.sample(range(40, 330, 15), min(visits, 5))):
            self.add(minute, Sensor("bed", "occupancy", False))
            self.move(minute + 0.5, "bedroom", "hall", "bathroom")
            self.move(minute + 9, "hall", "bedroom")
            self.add(minute + 12, Sensor("bed", "occupancy", True))

    def out(self, minute: float, back_after: float) -> None:
        self.add(minute, Sensor("front_door", "contact", False))
        self.add(minute + 0.5, Sensor("front_door", "contact", True))
        if "gps" in self.resident.kit:
            lat, lon = self.profile.home
            for step in range(int(back_after // 10)):
                away = min(step, int(back_after // 10) - step) * 0.002
                self.add(minute + 5 + step * 10, Position(lat + away, lon + away / 2))
        self.add(minute + back_after, Sensor("front_door", "contact", False))
        self.add(minute + back_after + 0.5, Sensor("front_door", "contact", True))

    def daytime(self, up: float, stop: float, fall_at: float | None) -> float | None:
        """About the house from `up` to `stop`; a fall may end the day's activity.
        Returns the minute the activity stopped early, if it did."""
        self.add(up, Sensor("bed", "occupancy", False))
        minute = self.move(up + 0.5, "bedroom", "hall", "bathroom", "kitchen")
        outing = self.rng.random() < self.profile.goes_out
        out_at = self.rng.uniform(10 * 60, 15 * 60) if outing else None
        sitting = False
        while minute < stop:
            if fall_at is not None and minute >= fall_at:
                if sitting:
                    self.add(minute, Sensor("chair", "occupancy", False))
                return minute
            if out_at is not None and minute >= out_at:
                if sitting:
                    self.add(minute, Sensor("chair", "occupancy", False))
                    sitting = False
                back_after = self.rng.uniform(45, 180)
                self.move(minute, "hall")
                self.out(minute + 2, back_after)
                minute = self.move(minute + back_after + 3, "hall", "kitchen")
                out_at = None
                continue
            room = self.rng.choice(("kitchen", "living", "living", "bathroom", "hall"))
            if room == "living":
                if not sitting:
                    self.add(minute, Sensor("chair", "occupancy", True))
                    sitting = True
            else:
                if sitting:
                    self.add(minute, Sensor("chair", "occupancy", False))
                    sitting = False
                self.move(minute + 0.5, room)
            minute += self.rng.uniform(15, 75)
        if sitting:
            self.add(minute, Sensor("chair", "occupancy", False))
        return None


def live_day(
    resident: Resident, day: date, state: LifeState, seed: int, scale: float = 1.0
) -> list[tuple[datetime, Act]]:
    """Everything that happens to `resident` on local `day` (00:00 to 24:00), in time
    order. `scale` multiplies the incident rates (tests use it to see incidents in a
    small community)."""
    rng = random.Random(f"{seed}/{resident.person.person_id}/{day.isoformat()}")  # noqa: S311
    life = _Day(resident, day, rng, scale)
    profile = resident.profile
    sensors = resident.has_sensors
    if state.in_hospital_until is not None:
        if day < state.in_hospital_until:
            return []
        state.in_hospital_until = None
        back = rng.uniform(11 * 60, 16 * 60)
        life.add(back, Happened("discharged", day))
        if sensors:
            life.out(back - 600, 600)  # the door, as they come home
            life.move(back + 2, "hall", "kitchen")
            life.move(profile.bed_min - 8, "bathroom", "bedroom")
            life.add(profile.bed_min, Sensor("bed", "occupancy", True))
        return _timed(life, day)

    wandering = sensors and profile.dementia and life.chance("night_wandering")
    if sensors:
        life.night(wandering)
        # The hall sensor reports its battery about hourly, as Aqara sensors do.
        for hour in range(24):
            life.add(
                hour * 60 + rng.uniform(0, 50), Sensor("hall", "battery", rng.randint(70, 100))
            )
    up = profile.wake_min + rng.uniform(-profile.spread_min, profile.spread_min)
    if sensors and life.chance("missed_morning"):
        up += rng.uniform(150, 240)  # stays in bed, unwell
        life.add(up, Happened("unwell", day))
        if "alexa" in resident.kit:
            life.add(up + 5, Voice("CheckInNeedHelpIntent"))
    elif "alexa" in resident.kit and rng.random() < 0.6:  # the morning check-in
        life.add(up + rng.uniform(20, 90), Voice("CheckInOkIntent"))

    # Most falls happen to the people assessed at risk (who have the falls pendants).
    falls = life.chance("fall", 2.0 if profile.falls_risk else 0.45)
    fall_at = rng.uniform(up + 30, profile.bed_min - 30) if falls else None
    admitted_at = None
    if life.chance("hospital"):
        admitted_at = rng.uniform(up + 60, profile.bed_min - 60)
        state.in_hospital_until = day + timedelta(days=rng.randint(2, 12))
    stop = min(t for t in (profile.bed_min - 10, fall_at, admitted_at) if t is not None)
    stopped = life.daytime(up, stop, fall_at) if sensors else None
    if fall_at is not None:
        injured = rng.random() < 0.25
        life.add(fall_at, Happened("fall_injured" if injured else "fall", day))
        if "falls" in resident.kit and rng.random() < 0.8:
            life.add(fall_at + 0.2, Alarm("fall"))
        elif rng.random() < 0.7:
            life.add(fall_at + rng.uniform(0.5, 10), Alarm("pendant"))
        # Helped up (a responder or family) and carries on more quietly.
        if sensors and stopped is not None:
            resume = fall_at + rng.uniform(40, 180)
            if resume < profile.bed_min - 20:
                life.daytime(resume, profile.bed_min - 10, None)
    if admitted_at is not None:
        life.add(admitted_at, Happened("admitted", day))
        if sensors:
            life.add(admitted_at + 5, Sensor("front_door", "contact", False))
            life.add(admitted_at + 5.5, Sensor("front_door", "contact", True))
        return _timed(life, day)
    if life.chance("false_press"):
        at = rng.uniform(up, profile.bed_min)
        life.add(at, Alarm("pendant"))
        life.add(at + rng.uniform(0.3, 1.0), Alarm("cancel"))
    if sensors:
        if life.chance("device_flat"):
            placement = rng.choice(("bedroom", "kitchen", "bathroom", "front_door"))
            life.add(rng.uniform(0, 1440), Sensor(placement, "battery", rng.randint(3, 9)))
        if life.chance("device_offline"):
            placement = rng.choice(("bedroom", "kitchen", "bathroom"))
            at = rng.uniform(0, 1200)
            life.add(at, Availability(placement, False))
            life.add(at + rng.uniform(60, 240), Availability(placement, True))
        life.move(profile.bed_min - 8, "bathroom", "bedroom")
        life.add(profile.bed_min, Sensor("bed", "occupancy", True))
    return _timed(life, day)


def _timed(life: _Day, day: date) -> list[tuple[datetime, Act]]:
    """In time order (acts past midnight, a late bedtime, stay on this day's list). A
    device stamps each message to the millisecond and two messages of one device never
    share a stamp: the gateway knows a message by device, field and stamp."""
    acts = sorted(((wall(day, minute), act) for minute, act in life.acts), key=lambda pair: pair[0])
    seen: set[tuple[object, datetime]] = set()
    unique = []
    for at, act in acts:
        while (key := (getattr(act, "placement", act), at)) in seen:
            at += timedelta(milliseconds=1)
        seen.add(key)
        unique.append((at, act))
    return unique
