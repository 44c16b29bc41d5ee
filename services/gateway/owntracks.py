"""OwnTracks JSON to location facts: pure functions (owntracks/booklet docs/tech/json.md).

Real traffic (protocols.md): numbers may arrive as strings, iOS sends `vel`/`cog` -1 for
unknown, an Android beacon `leave` carries lat/lon 0.0 (not a position), and HTTP posts
may be empty or name user/device in a `topic` key."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts.devices import GeoPoint, LocationEvent, LocationKind
from contracts.envelope import deterministic_id
from contracts.errors import TecflowError
from services.gateway.payloads import epoch, json_object, lenient_number

# Topic suffixes after owntracks/<user>/<device> that carry what we map.
SUFFIXES = {
    "": LocationKind.LOCATION,
    "event": LocationKind.TRANSITION,
    "waypoint": LocationKind.WAYPOINT,
    "waypoints": LocationKind.WAYPOINT,
}
MAPPED_TYPES = {"location", "transition", "waypoint", "waypoints", "lwt"}


class OwnTracksRejected(TecflowError, ValueError):
    """Not an OwnTracks message we can read."""


@dataclass(frozen=True)
class Ignored:
    reason: str


@dataclass(frozen=True)
class Fix:
    """One location fact from a tracker, before it is tied to a person."""

    tracker_id: str  # "<user>/<device>", as the equipment register names it
    kind: LocationKind
    at: datetime | None
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def event_id_parts(self) -> tuple[object, ...]:
        # The app resends its queue after a reconnect: same tracker, type, time and
        # region means the same fact.
        return (
            "owntracks",
            self.tracker_id,
            self.kind,
            self.at,
            self.fields.get("transition"),
            self.fields.get("region"),
        )

    def to_event(self, person_id: str, received_at: datetime, source: str) -> LocationEvent:
        return LocationEvent(
            event_id=self.event_id,
            person_id=person_id,
            occurred_at=self.at or received_at,
            received_at=received_at,
            source=source,
            tracker_id=self.tracker_id,
            location_kind=self.kind,
            **self.fields,
        )

    @property
    def event_id(self) -> uuid.UUID:
        return deterministic_id(*self.event_id_parts)


def tracker_from_topic(topic: str, base: str = "owntracks") -> tuple[str, str]:
    """(tracker_id, suffix) from owntracks/<user>/<device>[/<suffix>]."""
    prefix = base.rstrip("/") + "/"
    parts = topic.removeprefix(prefix).split("/") if topic.startswith(prefix) else []
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise OwnTracksRejected(f"topic is not {prefix}<user>/<device>")
    return f"{parts[0]}/{parts[1]}", "/".join(parts[2:])


def parse_mqtt(topic: str, payload: bytes, base: str = "owntracks") -> list[Fix] | Ignored:
    tracker, suffix = tracker_from_topic(topic, base)
    if suffix not in SUFFIXES:
        return Ignored(f"{suffix} topic")
    if not payload.strip():
        return Ignored("empty payload (retained message cleared)")
    return parse_payload(tracker, json_object(payload, OwnTracksRejected))


def parse_payload(tracker: str, message: dict[str, Any]) -> list[Fix] | Ignored:
    kind = message.get("_type")
    if kind == "encrypted":
        raise OwnTracksRejected("encrypted payload (no key configured)")
    if not isinstance(kind, str) or kind not in MAPPED_TYPES:
        return Ignored(f"_type {kind!r} is not a location fact")
    if kind == "waypoints":
        items = message.get("waypoints")
        if not isinstance(items, list):
            raise OwnTracksRejected("waypoints without a list")
        return [_waypoint(tracker, item) for item in items if isinstance(item, dict)]
    if kind == "lwt":
        return [Fix(tracker, LocationKind.LWT, _time(message.get("tst")))]
    if kind == "waypoint":
        return [_waypoint(tracker, message)]
    if kind == "transition":
        return [_transition(tracker, message)]
    return [_location(tracker, message)]


def _location(tracker: str, message: dict[str, Any]) -> Fix:
    position = _position(message, required=True)
    at = _time(message.get("tst"))
    if at is None:
        raise OwnTracksRejected("location without tst")
    velocity = lenient_number(message.get("vel"))
    battery = lenient_number(message.get("batt"))
    regions = message.get("inregions")
    return Fix(
        tracker,
        LocationKind.LOCATION,
        at,
        {
            "position": position,
            "fix_at": at,
            "velocity_kmh": velocity if velocity is not None and velocity >= 0 else None,
            "battery_pct": int(battery) if battery is not None and 0 <= battery <= 100 else None,
            "trigger": message.get("t") if isinstance(message.get("t"), str) else None,
            "regions": tuple(str(r) for r in regions) if isinstance(regions, list) else (),
        },
    )


def _transition(tracker: str, message: dict[str, Any]) -> Fix:
    event = message.get("event")
    if event not in ("enter", "leave"):
        raise OwnTracksRejected("transition event is not enter or leave")
    at = _time(message.get("tst"))
    return Fix(
        tracker,
        LocationKind.TRANSITION,
        at,
        {
            "transition": event,
            "region": _text(message.get("desc")),
            "position": _position(message, required=False),
            "fix_at": at,
            "trigger": message.get("t") if isinstance(message.get("t"), str) else None,
        },
    )


def _waypoint(tracker: str, message: dict[str, Any]) -> Fix:
    at = _time(message.get("tst"))
    return Fix(
        tracker,
        LocationKind.WAYPOINT,
        at,
        {
            "region": _text(message.get("desc")),
            "region_radius_m": lenient_number(message.get("rad")),
            "position": _position(message, required=False),
        },
    )


def _position(message: dict[str, Any], required: bool) -> GeoPoint | None:
    lat, lon = lenient_number(message.get("lat")), lenient_number(message.get("lon"))
    if lat is None or lon is None or (lat == 0.0 and lon == 0.0):
        if required:
            raise OwnTracksRejected("location without lat/lon")
        return None  # a beacon region has no position; 0,0 is the app's placeholder
    accuracy = lenient_number(message.get("acc"))
    try:
        return GeoPoint(
            lat=lat, lon=lon, accuracy_m=accuracy if accuracy is not None and accuracy > 0 else None
        )
    except ValueError as error:
        raise OwnTracksRejected("lat/lon out of range") from error


def _time(value: object) -> datetime | None:
    return epoch(lenient_number(value), OwnTracksRejected, "tst")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
