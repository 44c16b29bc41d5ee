"""Every processor, what it reads and its timed check: the one place that says what
handles what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from contracts.devices import AlarmEvent, LocationEvent, SensorEvent, VoiceEvent
from streams.processors import activity, falls, geofence, health, triage
from streams.processors.context import PersonContext
from streams.processors.outputs import Output

S = TypeVar("S", bound=BaseModel)


@dataclass(frozen=True)
class Processor(Generic[S]):
    name: str
    state_type: type[S]
    reads: tuple[type, ...]
    process: Callable[[S, Any, PersonContext], tuple[S, list[Output]]]
    check: Callable[[S, PersonContext, datetime], list[Output]] | None = None

    def new_state(self, person_id: str) -> S:
        return self.state_type(person_id=person_id)

    def load(self, person_id: str, stored: dict[str, Any] | None) -> S:
        return (
            self.new_state(person_id) if stored is None else self.state_type.model_validate(stored)
        )

    def due(self, state: S, context: PersonContext, now: datetime) -> list[Output]:
        return self.check(state, context, now) if self.check else []


PROCESSORS: tuple[Processor[Any], ...] = (
    Processor(
        triage.NAME,
        triage.TriageState,
        (AlarmEvent, SensorEvent, LocationEvent, VoiceEvent),
        triage.process,
    ),
    Processor(falls.NAME, falls.FallsState, (AlarmEvent,), falls.process),
    Processor(
        health.NAME,
        health.HealthState,
        (AlarmEvent, SensorEvent, LocationEvent),
        health.process,
        health.check,
    ),
    Processor(
        geofence.NAME,
        geofence.GeofenceState,
        (LocationEvent,),
        geofence.process,
        geofence.check,
    ),
    Processor(
        activity.NAME,
        activity.ActivityState,
        (SensorEvent, LocationEvent),
        activity.process,
        activity.check,
    ),
)
