"""What a processor needs to know about a person beyond their events: their time zone,
away (holiday) mode and safe zones. Read from the store by the adapter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

DEFAULT_TZ = "Europe/London"


@dataclass(frozen=True)
class SafeZone:
    """A circle the person is expected to stay in; with `active_from`/`active_to`
    (local wall-clock times) only during those hours."""

    name: str
    lat: float
    lon: float
    radius_m: float
    active_from: time | None = None
    active_to: time | None = None

    def active_at(self, wall: time) -> bool:
        if self.active_from is None or self.active_to is None:
            return True
        if self.active_from <= self.active_to:
            return self.active_from <= wall < self.active_to
        return wall >= self.active_from or wall < self.active_to


@dataclass(frozen=True)
class PersonContext:
    tz: str = DEFAULT_TZ
    away_until: datetime | None = None
    zones: tuple[SafeZone, ...] = ()

    def away_at(self, at: datetime) -> bool:
        return self.away_until is not None and at < self.away_until

    @property
    def home(self) -> SafeZone | None:
        """The zone called home, else the first one: where "far from home" is measured."""
        for zone in self.zones:
            if zone.name.strip().lower() == "home":
                return zone
        return self.zones[0] if self.zones else None


NO_CONTEXT = PersonContext()
