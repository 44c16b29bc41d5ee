"""Device facts a falls flag should state, read from the store: fall-detector alarms in
the last 12 months and the falls follow-up signals the stream processors raised. Their
wording and keys are the care record's (`care/domain/flags.py`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.domain.flags import Fact, fall_detector_fact, signal_facts
from contracts.codes import ALARM_STATUSES, ScaipDeviceType, ScriptName
from services.store.models import DeviceEventRecord, SignalRecord

FACTS_LOOKBACK = timedelta(days=365)  # "falls in the past 12 months"


def falls_facts(session: Session, person_id: str, now: datetime) -> tuple[Fact, ...]:
    since = now - FACTS_LOOKBACK
    alarms = session.scalars(
        select(DeviceEventRecord)
        .where(
            DeviceEventRecord.person_id == person_id,
            DeviceEventRecord.kind == "alarm",
            DeviceEventRecord.occurred_at >= since,
        )
        .order_by(DeviceEventRecord.occurred_at)
    ).all()
    falls = [
        a.occurred_at
        for a in alarms
        if a.payload.get("device_type") == ScaipDeviceType.FALL_DETECTOR
        and a.payload.get("status_code") in (None, *ALARM_STATUSES)
    ]
    facts = [fact] if (fact := fall_detector_fact(falls)) else []
    signals = session.scalars(
        select(SignalRecord)
        .where(
            SignalRecord.person_id == person_id,
            SignalRecord.script == ScriptName.FALLS_FOLLOW_UP.value,
            SignalRecord.raised_at >= since,
        )
        .order_by(SignalRecord.raised_at)
    ).all()
    for s in signals:
        facts += signal_facts(s.id, s.raised_at.date(), s.reason)[:1]
    return tuple(facts)
