"""Recorded homes as zigbee2mqtt messages, and the home's equipment.

Two formats: CASAS text (`2010-11-04 00:03:50.209589<TAB>M003<TAB>ON`, naive local wall
clock) and zigbee2mqtt JSON lines (`{"at": ISO, "topic": "zigbee2mqtt/NAME", "payload":
{...}}`, what a bridge records). A home file says the time zone and, for each sensor of
the log, where it is and what it senses (the equipment register's placement)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from contracts.devices import SensorPlacement
from contracts.errors import TecflowError

BASE_TOPIC = "zigbee2mqtt"
Kind = Literal["motion", "contact", "state", "pressure"]
KINDS: tuple[Kind, ...] = ("motion", "contact", "state", "pressure")
# CASAS words for a sensor that is firing (motion seen, door open, appliance on).
ACTIVE = frozenset({"ON", "OPEN", "PRESENT", "START"})
INACTIVE = frozenset({"OFF", "CLOSE", "CLOSED", "ABSENT", "END"})


class LogRejected(TecflowError, ValueError):
    """A log or home file that cannot be read."""


@dataclass(frozen=True)
class Sensor:
    name: str  # its id in the log, and its zigbee2mqtt friendly name
    placement: SensorPlacement
    kind: Kind

    def payload(self, active: bool) -> dict[str, Any]:
        """What zigbee2mqtt publishes for this sensor firing (or going quiet)."""
        if self.kind == "contact":
            return {"contact": not active}  # zigbee2mqtt: contact true is closed
        if self.kind == "state":
            return {"state": "ON" if active else "OFF"}
        return {"occupancy": active}


@dataclass(frozen=True)
class Home:
    tz: str
    sensors: dict[str, Sensor]
    source: str = ""

    @property
    def front_door(self) -> Sensor | None:
        return next(
            (s for s in self.sensors.values() if s.placement is SensorPlacement.FRONT_DOOR), None
        )


@dataclass(frozen=True, order=True)
class Message:
    """One zigbee2mqtt state message, stamped with its time (`last_seen`, as zigbee2mqtt
    adds it when `advanced.last_seen` is on), so the events carry the log's time."""

    at: datetime
    name: str
    payload: dict[str, Any] = field(compare=False)

    @property
    def topic(self) -> str:
        return f"{BASE_TOPIC}/{self.name}"

    def to_bytes(self) -> bytes:
        return json.dumps({**self.payload, "last_seen": self.at.isoformat()}).encode()


def load_home(path: Path) -> Home:
    try:
        raw = json.loads(path.read_text())
        sensors = {
            name: Sensor(name, SensorPlacement(spec["placement"]), spec["kind"])
            for name, spec in raw["sensors"].items()
        }
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise LogRejected(f"home file {path}: {error}") from error
    bad = [s.name for s in sensors.values() if s.kind not in KINDS]
    if bad:
        raise LogRejected(f"home file {path}: unknown kind for {', '.join(bad)}")
    return Home(
        tz=raw.get("timezone", "Europe/London"), sensors=sensors, source=raw.get("source", "")
    )


def read_casas(path: Path, home: Home) -> Iterator[Message]:
    """CASAS lines of the home's sensors as messages; other sensors (temperature,
    light level) and unreadable lines are passed over."""
    zone = ZoneInfo(home.tz)
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            parts = line.split()
            if len(parts) < 4 or (sensor := home.sensors.get(parts[2])) is None:
                continue
            word = parts[3].upper()
            if word not in ACTIVE and word not in INACTIVE:
                continue
            stamp = f"{parts[0]} {parts[1]}"
            try:
                wall = datetime.fromisoformat(stamp)
            except ValueError:
                continue
            at = wall.replace(tzinfo=zone).astimezone(UTC)
            yield Message(at, sensor.name, sensor.payload(word in ACTIVE))


def read_z2m_jsonl(path: Path) -> Iterator[Message]:
    prefix = BASE_TOPIC + "/"
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                at = datetime.fromisoformat(raw["at"]).astimezone(UTC)
                topic, payload = raw["topic"], raw["payload"]
            except (ValueError, KeyError, TypeError) as error:
                raise LogRejected(f"{path}:{number}: {error}") from error
            if not topic.startswith(prefix) or not isinstance(payload, dict):
                raise LogRejected(f"{path}:{number}: not a zigbee2mqtt state message")
            yield Message(at, topic[len(prefix) :], payload)


def read_log(path: Path, format: str, home: Home) -> list[Message]:
    messages = list(read_casas(path, home) if format == "casas" else read_z2m_jsonl(path))
    if not messages:
        raise LogRejected(f"{path}: no readings of the home's sensors")
    return sorted(messages)


def write_z2m_jsonl(path: Path, messages: list[Message]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for m in messages:
            out.write(
                json.dumps({"at": m.at.isoformat(), "topic": m.topic, "payload": m.payload}) + "\n"
            )
