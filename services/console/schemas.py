"""The JSON API's response and request bodies (the OpenAPI document is built from these)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict


class PersonFacts(BaseModel):
    """What a handler needs before picking up the phone."""

    person_id: str
    name: str | None
    age: int | None
    phone: str | None
    postcode: str | None
    lives_alone: bool
    keyholders: int
    open_flags: list[str]
    need_level: str | None


class Row(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ContactOut(Row):
    name: str
    relationship_to_person: str | None
    phone: str | None
    is_keyholder: bool
    is_responder: bool
    call_order: int


class AlertSummary(Row):
    id: uuid.UUID
    kind: str
    priority: str
    status: str
    summary: str
    raised_at: datetime
    acknowledged_by: str | None
    outcome: str | None
    closed_by: str | None


class FlagOut(Row):
    id: uuid.UUID
    code: str
    status: str
    evidence: list[Any]
    recommended_referral: str | None
    raised_at: datetime


class AnswerOut(Row):
    question_id: str
    value: str
    via: str
    answered_at: datetime


class CallOut(BaseModel):
    id: uuid.UUID
    script: str
    campaign_id: str | None
    due_at: datetime
    status: str
    transferred_to_handler: bool
    answers: list[AnswerOut]


class NeedOut(Row):
    need_level: str
    hours_per_week: float
    waiting_at: str
    waiting_since: date
    status: str
    active: bool


class ReferralOut(Row):
    id: uuid.UUID
    target: str
    status: str
    reason: str
    changed_by: str
    updated_at: datetime


class SafeZoneOut(Row):
    name: str
    lat: float
    lon: float
    radius_m: float
    active_from: time | None
    active_to: time | None


class HospitalStayOut(Row):
    admitted_at: datetime
    discharged_at: datetime | None


class DeviceOut(BaseModel):
    kind: str
    identifier: str
    model: str | None
    placement: str | None
    status: str
    last_seen_at: datetime | None
    loaned_at: datetime


class PersonRecordOut(BaseModel):
    id: str
    name: str
    age: int | None
    phone: str | None
    address: str | None
    postcode: str | None
    lives_alone: bool
    language: str
    timezone: str
    away_until: datetime | None
    do_not_call: bool
    opted_out: bool
    contacts: list[ContactOut]
    devices: list[DeviceOut]
    alerts: list[AlertSummary]
    flags: list[FlagOut]
    calls: list[CallOut]
    need: NeedOut | None
    referrals: list[ReferralOut]
    safe_zones: list[SafeZoneOut]
    hospital_stays: list[HospitalStayOut]
    campaigns: list[str]
