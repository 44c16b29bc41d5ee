"""Events from devices in people's homes: alarms, sensors, trackers, voice assistants."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from contracts.codes import (
    ALARM_STATUSES,
    TECHNICAL_STATUSES,
    URGENT_DEVICE_TYPES,
    ScaipMessageType,
)
from contracts.envelope import Envelope, UtcDatetime


class GeoPoint(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0)


class AlarmEvent(Envelope):
    """A SCAIP `<mrq>` from an alarm hub, with its codes parsed as integers."""

    kind: Literal["alarm"] = "alarm"
    reference: str = Field(pattern=r"^[0-9a-zA-Z]{1,16}$", description="SCAIP ref")
    message_type: ScaipMessageType = ScaipMessageType.ALARM
    controller_id: str = Field(pattern=r"^[0-9]{1,16}$", description="SCAIP cid (hub id)")
    device_type: int = Field(ge=0, le=9999, description="SCAIP dty")
    device_id: str | None = Field(default=None, description="SCAIP did")
    device_component: str | None = None
    device_text: str | None = None
    status_code: int | None = Field(default=None, ge=0, le=9999, description="SCAIP stc")
    status_text: str | None = None
    priority: int | None = Field(default=None, ge=0, le=9)
    location_code: int | None = Field(default=None, description="SCAIP lco")
    location_text: str | None = None
    geo: GeoPoint | None = None
    location_time: str | None = Field(
        default=None, max_length=40, description="SCAIP lge/tim: when the fix was taken"
    )
    info_code: int | None = None
    info_text: str | None = None
    voice_route: str | None = Field(
        default=None, description="SCAIP crd, e.g. sip:..., gsm:+44..., no-voice:"
    )

    @property
    def is_alarm(self) -> bool:
        """An alarm raised by a person or a detector (not a heartbeat, test or battery note).

        A missing `<stc>` on an `ME` message means an alarm, as real devices send it."""
        if self.message_type is not ScaipMessageType.ALARM:
            return False
        if self.status_code is None:
            return True
        return self.status_code in ALARM_STATUSES or self.status_code not in TECHNICAL_STATUSES

    @property
    def is_urgent(self) -> bool:
        """Takes the priority lane: someone may need help now."""
        return self.is_alarm and self.device_type in URGENT_DEVICE_TYPES


class SensorCapability(StrEnum):
    """What a zigbee2mqtt reading says (one event per reading of a message)."""

    CONTACT = "contact"  # value True = closed, as zigbee2mqtt sends it
    OCCUPANCY = "occupancy"
    VIBRATION = "vibration"
    ACTION = "action"
    WATER_LEAK = "water_leak"
    SMOKE = "smoke"
    TAMPER = "tamper"
    BATTERY = "battery"
    BATTERY_LOW = "battery_low"
    SOS = "sos"
    AVAILABILITY = "availability"  # value True = online
    STATE = "state"  # a switch, plug or flush: value True = ON


class SensorPlacement(StrEnum):
    """Where and what the sensor watches, from the equipment register."""

    FRONT_DOOR = "front_door"
    BACK_DOOR = "back_door"
    BEDROOM = "bedroom"
    BED = "bed"
    CHAIR = "chair"
    BATHROOM = "bathroom"
    KITCHEN = "kitchen"
    LIVING_ROOM = "living_room"
    HALL = "hall"
    FRIDGE = "fridge"
    OTHER = "other"


class SensorEvent(Envelope):
    kind: Literal["sensor"] = "sensor"
    device_id: str = Field(min_length=1, description="zigbee2mqtt friendly name")
    capability: SensorCapability
    value: bool | float | str | None
    placement: SensorPlacement | None = None


class LocationKind(StrEnum):
    LOCATION = "location"
    TRANSITION = "transition"
    WAYPOINT = "waypoint"
    LWT = "lwt"


class LocationEvent(Envelope):
    """An OwnTracks message (or a GT06 fix) from a GPS tracker."""

    kind: Literal["location"] = "location"
    tracker_id: str = Field(min_length=1, description="OwnTracks user/device")
    location_kind: LocationKind = LocationKind.LOCATION
    position: GeoPoint | None = None
    fix_at: UtcDatetime | None = Field(default=None, description="OwnTracks tst")
    velocity_kmh: float | None = None
    battery_pct: int | None = Field(default=None, ge=0, le=100)
    trigger: str | None = Field(default=None, description="OwnTracks t")
    regions: tuple[str, ...] = ()
    transition: Literal["enter", "leave"] | None = None
    region: str | None = Field(default=None, description="OwnTracks desc of a region")
    region_radius_m: float | None = None
    sos: bool = False


class VoiceIntent(StrEnum):
    CHECKIN_OK = "checkin_ok"
    CHECKIN_NEED_HELP = "checkin_need_help"
    SOS = "sos"
    CALL_MY_CONTACT = "call_my_contact"
    REMINDER_ACKNOWLEDGED = "reminder_acknowledged"
    LAUNCH = "launch"
    SESSION_ENDED = "session_ended"


class VoiceEvent(Envelope):
    """What a person said to their Alexa device, as a care intent."""

    kind: Literal["voice"] = "voice"
    device_id: str = Field(min_length=1, description="Alexa context.System.device.deviceId")
    request_id: str
    intent: VoiceIntent
    reminder: Literal["medication", "fluids", "other"] | None = None
    locale: str | None = None


DeviceEvent = Annotated[
    AlarmEvent | SensorEvent | LocationEvent | VoiceEvent, Field(discriminator="kind")
]
DEVICE_EVENT_ADAPTER: TypeAdapter[AlarmEvent | SensorEvent | LocationEvent | VoiceEvent] = (
    TypeAdapter(DeviceEvent)
)
