"""zigbee2mqtt messages to sensor readings: pure functions over (topic, payload).

Meanings are zigbee-herdsman-converters' (protocols.md): `contact` true is CLOSED, an SOS
button sends `action: "emergency"` then `""` or null, some expose a boolean `sos`,
`battery` may be the string "100.00", values may be null after a restart, and
availability is a plain string (1.x) or `{"state": ...}` (2.x)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from contracts.devices import SensorCapability, SensorEvent, SensorPlacement
from contracts.envelope import deterministic_id
from contracts.errors import TecflowError
from services.gateway.payloads import epoch, json_object, lenient_number

BOOLEAN_READINGS = {
    "contact": SensorCapability.CONTACT,
    "occupancy": SensorCapability.OCCUPANCY,
    "vibration": SensorCapability.VIBRATION,
    "water_leak": SensorCapability.WATER_LEAK,
    "smoke": SensorCapability.SMOKE,
    "tamper": SensorCapability.TAMPER,
    "battery_low": SensorCapability.BATTERY_LOW,
    "sos": SensorCapability.SOS,
}
SOS_ACTION = "emergency"
# A switch, smart plug or flush sensor's `state`: someone used the toilet, the kettle, the
# television. zigbee2mqtt sends "ON"/"OFF" (some converters "on"/"off").
STATES = {"ON": True, "OFF": False}
PLACEMENTS = {str(p) for p in SensorPlacement}
AVAILABILITY = {"online": True, "offline": False}
# Topics under the base that are not a device's state: the bridge's own, commands sent
# to devices, and the legacy `<name>/action` topic that repeats the state's `action`.
IGNORED_SUFFIXES = ("/set", "/get", "/action")


class ZigbeeRejected(TecflowError, ValueError):
    """Not a zigbee2mqtt message we can read."""


@dataclass(frozen=True)
class Reading:
    capability: SensorCapability
    value: bool | float | str | None


@dataclass(frozen=True)
class ZigbeeMessage:
    friendly_name: str
    readings: tuple[Reading, ...]
    seen_at: datetime | None = None
    last_seen: str | None = field(default=None, repr=False)

    def event_id(self, reading: Reading) -> uuid.UUID:
        """Stable when the device stamped the message (a retained or repeated copy is
        the same event); otherwise every message is new."""
        if self.last_seen is None:
            return uuid.uuid4()
        return deterministic_id(
            "zigbee2mqtt", self.friendly_name, reading.capability, self.last_seen
        )

    def to_events(
        self, person_id: str, placement: str | None, received_at: datetime
    ) -> list[SensorEvent]:
        """One event per reading, as the contracts ask."""
        return [
            SensorEvent(
                event_id=self.event_id(reading),
                person_id=person_id,
                occurred_at=self.seen_at or received_at,
                received_at=received_at,
                source="gateway.zigbee2mqtt",
                device_id=self.friendly_name,
                capability=reading.capability,
                value=reading.value,
                placement=SensorPlacement(placement) if placement in PLACEMENTS else None,
            )
            for reading in self.readings
        ]


@dataclass(frozen=True)
class Ignored:
    reason: str


def parse(base_topic: str, topic: str, payload: bytes) -> ZigbeeMessage | Ignored:
    """The device's readings, Ignored for traffic that is not a reading, or ZigbeeRejected."""
    prefix = base_topic.rstrip("/") + "/"
    if not topic.startswith(prefix):
        raise ZigbeeRejected(f"topic is not under {prefix}")
    name = topic[len(prefix) :]
    if name == "bridge" or name.startswith("bridge/"):
        return Ignored("zigbee2mqtt bridge topic")
    if name.endswith(IGNORED_SUFFIXES):
        return Ignored(f"{name.rsplit('/', 1)[1]} topic")
    if name.endswith("/availability"):
        return _availability(name.removesuffix("/availability"), payload)
    if not name:
        raise ZigbeeRejected("no friendly name in the topic")
    return _state(name, json_object(payload, ZigbeeRejected))


def readings(state: dict[str, object]) -> tuple[Reading, ...]:
    found = [
        Reading(capability, value)
        for key, capability in BOOLEAN_READINGS.items()
        if isinstance(value := state.get(key), bool)
    ]
    if isinstance(switched := state.get("state"), str) and switched.upper() in STATES:
        found.append(Reading(SensorCapability.STATE, STATES[switched.upper()]))
    action = state.get("action")
    if action == SOS_ACTION:
        found.append(Reading(SensorCapability.SOS, True))
    elif isinstance(action, str) and action:  # "" (or null) only clears the last action
        found.append(Reading(SensorCapability.ACTION, action))
    if (battery := lenient_number(state.get("battery"))) is not None:
        found.append(Reading(SensorCapability.BATTERY, battery))
    return tuple(found)


def _state(name: str, state: dict[str, object]) -> ZigbeeMessage:
    last_seen = state.get("last_seen")
    return ZigbeeMessage(
        friendly_name=name,
        readings=readings(state),
        seen_at=_seen_at(last_seen),
        last_seen=str(last_seen) if last_seen is not None else None,
    )


def _availability(name: str, payload: bytes) -> ZigbeeMessage | Ignored:
    text = payload.decode(errors="replace").strip()
    if not text:
        return Ignored("availability cleared (device renamed or removed)")
    # 2.x publishes {"state": ...}; 1.x the bare word.
    state = json_object(payload, ZigbeeRejected).get("state") if text.startswith("{") else text
    if not isinstance(state, str) or state not in AVAILABILITY:
        raise ZigbeeRejected("availability is neither online nor offline")
    return ZigbeeMessage(name, (Reading(SensorCapability.AVAILABILITY, AVAILABILITY[state]),))


def _seen_at(value: object) -> datetime | None:
    """`last_seen` as ISO 8601 (with or without zone) or epoch milliseconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        millis = lenient_number(value)
        return epoch(millis / 1000 if millis is not None else None, ZigbeeRejected, "last_seen")
    if isinstance(value, str):
        try:
            seen = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return seen.astimezone(UTC) if seen.tzinfo else None
        except (ValueError, OverflowError):
            return None
    return None
