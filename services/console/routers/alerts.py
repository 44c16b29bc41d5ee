"""Alerts as JSON: the queue a role works, and one alert."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from contracts.envelope import utcnow
from services.console.deps import Db, QueueWorker
from services.console.roles import QUEUES_OF
from services.console.schemas import PersonFacts
from services.console.views import KeyFacts, QueueRow, key_facts, queue, row
from services.store.models import Alert

api = APIRouter(prefix="/alerts", tags=["alerts"])


class AlertOut(BaseModel):
    id: uuid.UUID
    kind: str
    priority: str
    queue: str
    summary: str
    evidence: list[Any]
    occurrences: int
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    person: PersonFacts

    @classmethod
    def of(cls, found: QueueRow) -> AlertOut:
        facts: KeyFacts = found.person
        return cls(
            **{name: getattr(found, name) for name in cls.model_fields if name != "person"},
            person=PersonFacts(**facts.__dict__),
        )


@api.get("")
def list_alerts(session: Db, staff: QueueWorker) -> list[AlertOut]:
    """Open alerts of the queues this role works: most urgent first, then oldest."""
    return [AlertOut.of(found) for found in queue(session, QUEUES_OF[staff.role], utcnow().date())]


@api.get("/{alert_id}", responses={404: {"description": "no such alert"}})
def get_alert(alert_id: uuid.UUID, session: Db, _staff: QueueWorker) -> AlertOut:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise HTTPException(404, "no such alert")
    facts = key_facts(session, {alert.person_id}, utcnow().date())
    return AlertOut.of(row(alert, facts[alert.person_id]))
