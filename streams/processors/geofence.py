"""Geofences: a GPS tracker leaving the person's safe zones at night, or for longer than
allowed by day, is an alert with the last known position; coming back closes it.

OwnTracks locations and region transitions are both used; an Android beacon `leave`
carries 0,0, which is not a position. Zones with hours only count during them."""

from __future__ import annotations

from datetime import datetime, timedelta
from math import asin, cos, radians, sin, sqrt

from pydantic import BaseModel

from contracts.codes import AlertKind, AlertPriority
from contracts.devices import GeoPoint, LocationEvent, LocationKind
from streams.processors.clock import NIGHT, clock_at, duration, local, minute_of_day
from streams.processors.context import PersonContext, SafeZone
from streams.processors.outputs import Output, alert, close

NAME = "geofence"
DAY_LIMIT = timedelta(hours=3)
EARTH_RADIUS_M = 6_371_000.0


class Fix(BaseModel):
    lat: float
    lon: float
    at: datetime
    accuracy_m: float | None = None


class Outside(BaseModel):
    zone: str
    since: datetime
    alerted: bool = False


class GeofenceState(BaseModel):
    person_id: str
    last_fix: Fix | None = None
    outside: Outside | None = None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    dlat, dlon = radians(lat2 - lat1), radians(lon2 - lon1)
    h = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(sqrt(h))


def is_position(point: GeoPoint | None) -> bool:
    return point is not None and not (point.lat == 0 and point.lon == 0)


def active_zones(context: PersonContext, at: datetime) -> list[SafeZone]:
    wall = local(at, context.tz).time()
    return [zone for zone in context.zones if zone.active_at(wall)]


def process(
    state: GeofenceState, event: object, context: PersonContext
) -> tuple[GeofenceState, list[Output]]:
    if not isinstance(event, LocationEvent):
        return state, []
    state = state.model_copy(deep=True)
    if is_position(event.position) and event.location_kind is LocationKind.LOCATION:
        assert event.position is not None
        at = event.fix_at or event.occurred_at
        state.last_fix = Fix(
            lat=event.position.lat,
            lon=event.position.lon,
            at=at,
            accuracy_m=event.position.accuracy_m,
        )
    zones = active_zones(context, event.occurred_at)
    outside_of = _outside_of(state, event, zones)
    if outside_of is None:
        return state, []
    if outside_of == "":
        return state, _came_back(state, event, context)
    if state.outside is None or state.outside.zone != outside_of:
        state.outside = Outside(zone=outside_of, since=event.occurred_at)
    if state.outside.alerted:
        return state, []
    outputs = check(state, context, event.occurred_at)
    state.outside.alerted = bool(outputs)
    return state, outputs


def _outside_of(state: GeofenceState, event: LocationEvent, zones: list[SafeZone]) -> str | None:
    """The zone the person is outside of, "" when inside one, None when unknown."""
    if not zones:
        return None
    names = {zone.name for zone in zones}
    if event.location_kind is LocationKind.TRANSITION and event.region in names:
        return "" if event.transition == "enter" else event.region
    if event.location_kind is not LocationKind.LOCATION or not is_position(event.position):
        return None
    assert event.position is not None
    lat, lon = event.position.lat, event.position.lon
    if any(distance_m(lat, lon, z.lat, z.lon) <= z.radius_m for z in zones):
        return ""
    nearest = min(zones, key=lambda z: distance_m(lat, lon, z.lat, z.lon))
    return nearest.name


def _came_back(state: GeofenceState, event: LocationEvent, context: PersonContext) -> list[Output]:
    outside, state.outside = state.outside, None
    if outside is None:
        return []
    reason = f"Back in safe zone '{outside.zone}' at {clock_at(event.occurred_at, context.tz)}"
    return [
        close(
            NAME,
            event.event_id,
            person_id=event.person_id,
            at=event.occurred_at,
            key=_key(event.person_id),
            kind=AlertKind.LEFT_SAFE_ZONE,
            reason=reason,
            caused_by=(event.event_id,),
        )
    ]


def _key(person_id: str) -> str:
    return f"left_safe_zone:{person_id}"


def check(state: GeofenceState, context: PersonContext, now: datetime) -> list[Output]:
    """Outside at night, or longer than allowed by day: one alert per time out, whether
    a fix or the timed check finds it first."""
    outside = state.outside
    if outside is None or outside.zone not in {z.name for z in active_zones(context, now)}:
        return []  # not out, or the zone left no longer applies at this hour
    at_night = NIGHT.contains(minute_of_day(now, context.tz))
    if not at_night and now - outside.since <= DAY_LIMIT:
        return []
    zone = next((z for z in context.zones if z.name == outside.zone), None)
    summary = (
        f"Left safe zone '{outside.zone}' at {clock_at(outside.since, context.tz)}"
        + (" at night" if at_night else f", out for {duration(now - outside.since)}")
        + f" (allowed: {'none at night' if at_night else duration(DAY_LIMIT) + ' by day'})"
    )
    evidence: tuple[str, ...] = ()
    if state.last_fix is not None:
        fix = state.last_fix
        where = f"last known position {fix.lat:.5f},{fix.lon:.5f}"
        if fix.accuracy_m is not None:
            where += f" (±{fix.accuracy_m:.0f} m)"
        where += f" at {clock_at(fix.at, context.tz)}"
        if zone is not None:
            where += f", {distance_m(fix.lat, fix.lon, zone.lat, zone.lon) / 1000:.1f} km "
            where += "from its centre"
        summary += f"; {where}"
        evidence = (where,)
    return [
        alert(
            NAME,
            state.person_id,
            "left",
            outside.zone,
            outside.since.isoformat(),
            person_id=state.person_id,
            at=now,
            key=_key(state.person_id),
            kind=AlertKind.LEFT_SAFE_ZONE,
            summary=summary,
            priority=AlertPriority.URGENT if at_night else AlertPriority.HIGH,
            evidence=evidence,
        )
    ]
