"""Device events for processor tests, in Europe/London wall-clock time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from contracts.care import Alert
from contracts.codes import ScaipDeviceType, ScaipMessageType, ScaipStatus
from contracts.devices import (
    AlarmEvent,
    GeoPoint,
    LocationEvent,
    SensorCapability,
    SensorEvent,
    SensorPlacement,
)
from streams.processors.catalogue import Processor
from streams.processors.context import PersonContext
from streams.processors.outputs import Output

T = TypeVar("T")

LONDON = ZoneInfo("Europe/London")
WHO = "P000001"


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant given as London wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def alarm(at: datetime, **overrides: Any) -> AlarmEvent:
    fields: dict[str, Any] = {
        "person_id": WHO,
        "occurred_at": at,
        "source": "gateway.scaip",
        "reference": "1001",
        "controller_id": "10149471",
        "device_type": ScaipDeviceType.PERSONAL_TRIGGER,
        "status_code": ScaipStatus.MANUAL_ALARM,
    }
    return AlarmEvent(**{**fields, **overrides})


def heartbeat(at: datetime, hub: str = "10149471", person_id: str = WHO) -> AlarmEvent:
    return alarm(
        at,
        person_id=person_id,
        message_type=ScaipMessageType.HEARTBEAT,
        controller_id=hub,
        device_type=ScaipDeviceType.LOCAL_UNIT,
        status_code=None,
        reference="77",
    )


def sensor(
    at: datetime,
    placement: SensorPlacement,
    value: object = True,
    capability: SensorCapability = SensorCapability.OCCUPANCY,
    person_id: str = WHO,
) -> SensorEvent:
    return SensorEvent(
        person_id=person_id,
        occurred_at=at,
        source="gateway.mqtt",
        device_id=f"{person_id.lower()} {placement.value}",
        capability=capability,
        value=value,
        placement=placement,
    )


def door(at: datetime, opened: bool = True, person_id: str = WHO) -> SensorEvent:
    # zigbee2mqtt: contact true means closed
    return sensor(at, SensorPlacement.FRONT_DOOR, not opened, SensorCapability.CONTACT, person_id)


def fix(at: datetime, lat: float, lon: float, **extra: Any) -> LocationEvent:
    return LocationEvent(
        person_id=WHO,
        occurred_at=at,
        source="gateway.location",
        tracker_id="p1/phone",
        position=GeoPoint(lat=lat, lon=lon, accuracy_m=10),
        **extra,
    )


def run(
    processor: Processor[Any],
    events: Iterable[object],
    context: PersonContext,
    state: Any = None,
) -> tuple[Any, list[Output]]:
    state = state if state is not None else processor.new_state(WHO)
    outputs: list[Output] = []
    for event in events:
        state, out = processor.process(state, event, context)
        outputs += out
    return state, outputs


def run_alerts(
    processor: Processor[Any],
    events: Iterable[object],
    context: PersonContext,
    state: Any = None,
) -> tuple[Any, list[Alert]]:
    """`run` for a processor expected to emit only alerts: a signal fails the test."""
    state, outputs = run(processor, events, context, state)
    return state, only(Alert, outputs)


def only(kind: type[T], outputs: Iterable[object]) -> list[T]:
    """The outputs, each checked to be of one kind."""
    items = list(outputs)
    assert all(isinstance(o, kind) for o in items), items
    return [o for o in items if isinstance(o, kind)]
