"""The processors' demo: a fall detector goes off in one home and a pendant is pressed
by mistake and cancelled in another; then the alerts and signals in the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contracts.codes import ScaipDeviceType, ScaipStatus
from contracts.devices import AlarmEvent
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.sim.cohort import SimPerson
from services.sim.spine_demo import wait_for
from services.store.db import transaction
from services.store.models import AlertRecord, SignalRecord


def demo_alarms(people: list[SimPerson], now: datetime) -> list[AlarmEvent]:
    fallen, mistaken = people[0], people[-1]

    def scaip(person: SimPerson, ref: str, at: datetime, **fields: object) -> AlarmEvent:
        return AlarmEvent(person_id=person.person_id, occurred_at=at, source="sim.scaip",
                          reference=ref, controller_id=person.device("scaip_hub").identifier,
                          **fields)

    return [
        scaip(fallen, "7001", now, device_type=ScaipDeviceType.FALL_DETECTOR,
              status_code=ScaipStatus.AUTOMATIC_ALARM, location_code=11),
        scaip(mistaken, "7002", now, device_type=ScaipDeviceType.PERSONAL_TRIGGER,
              status_code=ScaipStatus.MANUAL_ALARM),
        scaip(mistaken, "7003", now + timedelta(seconds=30),
              device_type=ScaipDeviceType.PERSONAL_TRIGGER, status_code=ScaipStatus.CANCEL),
    ]


def report(factory: sessionmaker[Session], people: list[SimPerson]) -> tuple[list[str], bool]:
    """What the store holds for these people, and whether this demo's results are in:
    the falls signal for the first and the closed mistaken press of the last."""
    ids = [p.person_id for p in people]
    with transaction(factory) as session:
        alerts = session.scalars(select(AlertRecord).where(AlertRecord.person_id.in_(ids))
                                 .order_by(AlertRecord.raised_at)).all()
        signals = session.scalars(select(SignalRecord).where(SignalRecord.person_id.in_(ids))).all()
    lines = ["", "Alerts (person, queue, priority, status: summary):"]
    lines += [f"  {a.person_id:<9} {a.queue:<20} {a.priority:<7} {a.status}: {a.summary}"
              + (f" [{a.close_reason}]" if a.close_reason else "") for a in alerts]
    lines.append("Signals (person, script: reason):")
    lines += [f"  {s.person_id:<9} {s.script}: {s.reason}" for s in signals]
    fallen, mistaken = people[0].person_id, people[-1].person_id
    done = any(s.person_id == fallen and s.script == "falls_follow_up" for s in signals) and any(
        a.person_id == mistaken and a.kind == "alarm" and a.status == "closed" for a in alerts
    )
    return lines, done


def run_alerts_demo(
    publisher: EventPublisher,
    factory: sessionmaker[Session],
    people: list[SimPerson],
    still_running: Callable[[], None] = lambda: None,
    timeout_s: float = 90.0,
) -> str:
    for event in demo_alarms(people, datetime.now(UTC)):
        publisher.publish(Topic.DEVICE_ALARMS, event)
    arrived = wait_for(lambda: report(factory, people)[1], timeout_s, still_running)
    lines, _ = report(factory, people)
    if not arrived:
        raise TimeoutError("the processors' alerts did not arrive\n" + "\n".join(lines))
    return "Sent a fall alarm and a cancelled pendant press." + "\n".join(lines)
