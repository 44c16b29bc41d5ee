"""The shared language of tecflow: every event and command on the bus, the topic
catalogue and the code lists. Pure data: no I/O and no imports from other packages."""

from contracts.calls import Answer, CallOutcome, CallRequested
from contracts.care import Alert, Flag, NeedUpdate, Referral, Signal
from contracts.deadletter import DeadLetter
from contracts.devices import AlarmEvent, DeviceEvent, LocationEvent, SensorEvent, VoiceEvent
from contracts.envelope import Envelope, deterministic_id
from contracts.topics import CATALOGUE, Topic, TopicSpec

__all__ = [
    "CATALOGUE",
    "AlarmEvent",
    "Alert",
    "Answer",
    "CallOutcome",
    "CallRequested",
    "DeadLetter",
    "DeviceEvent",
    "Envelope",
    "Flag",
    "LocationEvent",
    "NeedUpdate",
    "Referral",
    "SensorEvent",
    "Signal",
    "Topic",
    "TopicSpec",
    "VoiceEvent",
    "deterministic_id",
]
