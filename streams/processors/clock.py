"""Local time for routines: UTC inside, the person's wall clock (Europe/London by
default) for "usually up by 08:10", with DST nights handled by zoneinfo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

MINUTES_A_DAY = 24 * 60


@dataclass(frozen=True)
class NightWindow:
    """The night, in wall-clock minutes: 23:00-06:00 unless told otherwise."""

    start_min: int = 23 * 60
    end_min: int = 6 * 60

    def contains(self, minute: int) -> bool:
        if self.start_min > self.end_min:
            return minute >= self.start_min or minute < self.end_min
        return self.start_min <= minute < self.end_min


NIGHT = NightWindow()


def local(at: datetime, tz: str) -> datetime:
    return at.astimezone(ZoneInfo(tz))


def minute_of_day(at: datetime, tz: str) -> int:
    wall = local(at, tz)
    return wall.hour * 60 + wall.minute


def routine_day(at: datetime, tz: str, night: NightWindow = NIGHT) -> date:
    """The day an event belongs to, starting at the night's start: 23:30 on the 28th
    belongs to the 29th, whose night it is. Wall-clock arithmetic, so a 23- or 25-hour
    DST day is still one day."""
    wall = local(at, tz).replace(tzinfo=None)
    return (wall + timedelta(minutes=MINUTES_A_DAY - night.start_min)).date()


def at_wall_clock(day: date, minute: int, tz: str) -> datetime:
    """The instant a wall-clock minute of `day` falls at (a time in the spring gap
    resolves forwards, as zoneinfo does)."""
    return datetime.combine(day, time(minute // 60 % 24, minute % 60), ZoneInfo(tz))


def clock(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def clock_at(at: datetime, tz: str) -> str:
    return local(at, tz).strftime("%H:%M")


def duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def stamp(at: datetime, tz: str) -> str:
    """A local date and time for evidence lines, e.g. "Sun 29 Mar 03:12"."""
    return local(at, tz).strftime("%a %d %b %H:%M")


class Clock(Protocol):
    """Where "now" comes from for the timed checks. Rules never read the time
    themselves: `process` takes the event's `occurred_at`, `check` takes `now`.

    Two ways to run the same rules faster than real time (an accelerated demo):
    - stamp the events with the simulated time and run the worker on the event clock
      (`TECFLOW_STREAMS_CLOCK=event`): each person's checks are caught up, every
      `TECFLOW_STREAMS_CHECK_INTERVAL_S` of event time, before their next event
      (`streams.processing.step`, `streams.processors.replay.Replay`);
    - or give `streams.processing.Runtime` another `clock` (e.g. one whose now() runs
      N times faster from a start) and keep the wall-clock timer."""

    def now(self) -> datetime: ...


class WallClock:
    """The machine's clock: the production worker."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class EventClock:
    """Time as the events tell it: the latest event time seen (a watermark that never
    goes back). Replays of recorded logs, and a demo that feeds events faster than
    real time, run the same rules on this clock."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start

    def advance(self, at: datetime) -> None:
        if self._now is None or at > self._now:
            self._now = at

    def now(self) -> datetime:
        if self._now is None:
            raise RuntimeError("the event clock has seen no event yet")
        return self._now


def check_times(after: datetime | None, upto: datetime, every: timedelta) -> list[datetime]:
    """The instants the timed checks run at in (after, upto]: whole multiples of
    `every` since the epoch, so a person's checks fall at the same instants whoever
    replays them (the worker on the bus, `tecflow evaluate`, a test). With no check
    yet (`after` None) there is none to catch up."""
    if after is None:
        return []
    step = every.total_seconds()
    first = (int(after.timestamp() // step) + 1) * step
    times: list[datetime] = []
    at = first
    while at <= upto.timestamp():
        times.append(datetime.fromtimestamp(at, UTC))
        at += step
    return times
