"""Falls-risk flags in the store: apply flag events (one flag in force per person and
code), status changes with who and why, and the facts a new flag should mention."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import contracts
from contracts.codes import ALARM_STATUSES, FlagStatus, ScaipDeviceType, ScriptName
from services.flags.lifecycle import IN_FORCE, FlagTransitionRefused, check_transition
from services.store.idempotency import claim
from services.store.models import DeviceEventRecord, FlagHistory, FlagRecord, SignalRecord

log = logging.getLogger(__name__)

FACTS_LOOKBACK = timedelta(days=365)  # "falls in the past 12 months"


def flag_in_force(session: Session, person_id: str, code: str) -> FlagRecord | None:
    return session.scalar(
        select(FlagRecord)
        .where(FlagRecord.person_id == person_id, FlagRecord.code == code,
               FlagRecord.status.in_([s.value for s in IN_FORCE]))
        .order_by(FlagRecord.raised_at.desc())
        .limit(1)
    )


def apply_flag(session: Session, flag: contracts.Flag) -> bool:
    """Raise or change a flag, with a history row saying who and why; False on a
    redelivery or a change the lifecycle refuses (logged, kept out of the store).

    A new flag for someone who already has one in force is merged into it: two calls
    processed close together must not leave two active flags for one person."""
    if not claim(session, "flags", flag.event_id):
        return False
    record = session.get(FlagRecord, flag.flag_id)
    if record is None and flag.status in IN_FORCE:
        record = flag_in_force(session, flag.person_id, flag.code)
    if record is None:
        record = FlagRecord(id=flag.flag_id, person_id=flag.person_id, code=flag.code,
                            status=flag.status.value, risk=flag.risk.value, evidence=[],
                            recommended_referral=None, raised_at=flag.occurred_at)
        session.add(record)
    else:
        try:
            check_transition(FlagStatus(record.status), flag.status)
        except FlagTransitionRefused as refused:
            log.warning("flag %s: %s (event %s)", record.id, refused, flag.event_id)
            return False
    record.status = flag.status.value
    record.risk = flag.risk.value
    record.evidence = list(dict.fromkeys([*record.evidence, *flag.evidence]))
    if flag.recommended_referral is not None:
        record.recommended_referral = flag.recommended_referral.value
    session.flush()
    session.add(FlagHistory(flag_id=record.id, status=record.status, risk=record.risk,
                            evidence=list(record.evidence), changed_by=flag.changed_by,
                            reason=flag.change_reason, changed_at=flag.occurred_at))
    return True


def change_status(
    session: Session, flag_id: uuid.UUID, status: FlagStatus, by: str, reason: str,
    at: datetime,
) -> FlagRecord:
    """A handler reviews, resolves or marks a flag entered in error; raises
    FlagTransitionRefused or LookupError. Evidence is kept as it was."""
    record = session.get(FlagRecord, flag_id)
    if record is None:
        raise LookupError(f"no flag {flag_id}")
    check_transition(FlagStatus(record.status), status)
    record.status = status.value
    session.add(FlagHistory(flag_id=record.id, status=record.status, risk=record.risk,
                            evidence=list(record.evidence), changed_by=by, reason=reason,
                            changed_at=at))
    return record


def falls_facts(session: Session, person_id: str, now: datetime) -> tuple[str, ...]:
    """Device facts a falls flag should state: fall-detector alarms in the last 12 months
    and falls follow-up signals the stream processors raised."""
    since = now - FACTS_LOOKBACK
    alarms = session.scalars(
        select(DeviceEventRecord)
        .where(DeviceEventRecord.person_id == person_id, DeviceEventRecord.kind == "alarm",
               DeviceEventRecord.occurred_at >= since)
        .order_by(DeviceEventRecord.occurred_at)
    ).all()
    falls = [a.occurred_at for a in alarms
             if a.payload.get("device_type") == ScaipDeviceType.FALL_DETECTOR
             and a.payload.get("status_code") in (None, *ALARM_STATUSES)]
    facts = []
    if falls:
        facts.append(f"{len(falls)} fall-detector alarm(s) in the last 12 months, "
                     f"latest {falls[-1]:%Y-%m-%d %H:%M} UTC")
    signals = session.scalars(
        select(SignalRecord)
        .where(SignalRecord.person_id == person_id,
               SignalRecord.script == ScriptName.FALLS_FOLLOW_UP.value,
               SignalRecord.raised_at >= since)
        .order_by(SignalRecord.raised_at)
    ).all()
    facts += [f"{s.raised_at:%Y-%m-%d} device signal: {s.reason}" for s in signals]
    return tuple(facts)
