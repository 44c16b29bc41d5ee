"""What the alerts say about a home: false alerts per person-month after the warm-up,
and, with incidents written in, which were detected and how late."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median

from contracts.care import Alert
from contracts.codes import AlertAction, AlertKind
from services.evaluate.inject import WARM_UP, Incident
from streams.processors.outputs import Output

MONTH = timedelta(days=30.44)
# Which alerts answer which incident.
DETECTS: dict[str, frozenset[AlertKind]] = {
    "no_wake": frozenset(
        {AlertKind.NO_MORNING_ACTIVITY, AlertKind.BED_NOT_LEFT, AlertKind.DAYTIME_INACTIVITY}
    ),
    "floor": frozenset(
        {
            AlertKind.DAYTIME_INACTIVITY,
            AlertKind.NO_MORNING_ACTIVITY,
            AlertKind.BED_NOT_LEFT,
            AlertKind.CHAIR_NOT_LEFT,
        }
    ),
    "door_night": frozenset({AlertKind.DOOR_AT_NIGHT}),
    "wandering": frozenset({AlertKind.NIGHT_WANDERING}),
}


@dataclass
class Detection:
    kind: str
    injected: int = 0
    delays: list[timedelta] = field(default_factory=list)

    @property
    def detected(self) -> int:
        return len(self.delays)

    @property
    def median_delay(self) -> timedelta | None:
        return median_delay(self.delays)


def median_delay(delays: list[timedelta]) -> timedelta | None:
    return timedelta(seconds=median(d.total_seconds() for d in delays)) if delays else None


@dataclass
class Report:
    start: datetime
    end: datetime
    false_alerts: Counter[str]
    detections: dict[str, Detection]

    @property
    def person_months(self) -> float:
        return max(self.end - self.start - WARM_UP, timedelta(0)) / MONTH

    def rate(self, kind: str) -> float:
        months = self.person_months
        return self.false_alerts[kind] / months if months else 0.0


def raised(outputs: list[Output]) -> list[Alert]:
    """The alerts raised, once each: a repeat under the same key ("opened again")
    merges into the open alert in the queue, so it is not another alert."""
    first: dict[str, Alert] = {}
    for o in sorted(outputs, key=lambda o: o.occurred_at):
        if isinstance(o, Alert) and o.action is AlertAction.RAISE:
            first.setdefault(o.alert_key, o)
    return list(first.values())


def report(
    outputs: list[Output], start: datetime, end: datetime, incidents: Sequence[Incident] = ()
) -> Report:
    alerts = raised(outputs)
    detections: dict[str, Detection] = {}
    explained: set[object] = set()
    for incident in incidents:
        found = detections.setdefault(incident.kind, Detection(incident.kind))
        found.injected += 1
        inside = [a for a in alerts if incident.start <= a.occurred_at <= incident.end]
        explained.update(a.event_id for a in inside)
        hit = next((a for a in inside if a.alert_kind in DETECTS[incident.kind]), None)
        if hit is not None:
            found.delays.append(max(hit.occurred_at - incident.reference, timedelta(0)))
    after_warm_up = start + WARM_UP
    false = Counter(
        a.alert_kind.value
        for a in alerts
        if a.occurred_at >= after_warm_up and a.event_id not in explained
    )
    return Report(start, end, false, detections)


def minutes(delta: timedelta | None) -> str:
    return "-" if delta is None else f"{delta.total_seconds() / 60:.0f} min"
