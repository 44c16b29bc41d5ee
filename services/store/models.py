"""The store's tables. Personal data (names, phone numbers, addresses) lives only here,
never on the bus or in logs: events carry the opaque person id."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from contracts.envelope import utcnow
from services.store.types import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- people -----------------------------------------------------------------


class Person(Timestamped, Base):
    """A service user."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    language: Mapped[str] = mapped_column(String(16), default="en-GB")
    lives_alone: Mapped[bool] = mapped_column(default=False)
    has_care_package: Mapped[bool] = mapped_column(default=False)
    do_not_call: Mapped[bool] = mapped_column(default=False)
    opted_out: Mapped[bool] = mapped_column(default=False)
    preferred_call_start: Mapped[time | None] = mapped_column(Time)
    preferred_call_end: Mapped[time | None] = mapped_column(Time)
    away_until: Mapped[datetime | None] = mapped_column(doc="Away / holiday mode until")

    contacts: Mapped[list[Contact]] = relationship(back_populates="person")


class Contact(Base):
    """A family member, keyholder or responder for a person."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relationship_to_person: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    is_keyholder: Mapped[bool] = mapped_column(default=False)
    is_responder: Mapped[bool] = mapped_column(default=False)
    call_order: Mapped[int] = mapped_column(default=1)

    person: Mapped[Person] = relationship(back_populates="contacts")


class CallConsent(Base):
    """Each time a person's consent to automated calls was given or withdrawn: by whom,
    when and how. `Person.opted_out` holds the latest; this is its history."""

    __tablename__ = "call_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    consent: Mapped[str] = mapped_column(String(16), doc="given | withdrawn")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]
    how: Mapped[str] = mapped_column(String(200), doc="e.g. in person, by phone, on a call")


class HospitalStay(Base):
    __tablename__ = "hospital_stays"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    admitted_at: Mapped[datetime]
    discharged_at: Mapped[datetime | None]


class SafeZoneRecord(Base):
    """A circle a person is expected to stay in, optionally only at certain hours."""

    __tablename__ = "safe_zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    active_from: Mapped[time | None] = mapped_column(Time)
    active_to: Mapped[time | None] = mapped_column(Time)


# --- equipment --------------------------------------------------------------


class Device(Timestamped, Base):
    """A piece of loaned equipment. `(kind, identifier)` is how its traffic names it:
    a SCAIP cid, a zigbee2mqtt friendly name, an OwnTracks user/device, an Alexa deviceId."""

    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("kind", "identifier"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(32))
    identifier: Mapped[str] = mapped_column(String(200))
    model: Mapped[str | None] = mapped_column(String(100))
    placement: Mapped[str | None] = mapped_column(String(32))
    sensitivity_level: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="in_stock")
    last_seen_at: Mapped[datetime | None]

    loans: Mapped[list[DeviceLoan]] = relationship(back_populates="device")


class DeviceLoan(Base):
    __tablename__ = "device_loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    loaned_at: Mapped[datetime] = mapped_column(default=utcnow)
    installed_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    installed_by: Mapped[str | None] = mapped_column(String(64))

    device: Mapped[Device] = relationship(back_populates="loans")


# --- what happened ----------------------------------------------------------


class ProcessedEvent(Base):
    """The idempotency ledger: one row per (consumer, event_id) whose effects are written."""

    __tablename__ = "processed_events"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeviceEventRecord(Base):
    """Every device event, as it came off the bus."""

    __tablename__ = "device_events"

    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    received_at: Mapped[datetime]
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any]]


class AlertRecord(Base):
    """An alert in the call handlers' (or technology assistants') queue. Written only by
    the care record (`care/`), whose rules say how it is raised, merged and closed."""

    __tablename__ = "alerts"
    __table_args__ = (
        # At most one open alert per key: repeats update it rather than queue again.
        Index(
            "uq_alerts_open_key",
            "alert_key",
            unique=True,
            sqlite_where=text("status != 'closed'"),
            postgresql_where=text("status != 'closed'"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    alert_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    priority: Mapped[str] = mapped_column(String(16))
    queue: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    summary: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    occurrences: Mapped[int] = mapped_column(default=1)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    close_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(32), doc="contracts.codes.AlertOutcome")

    history: Mapped[list[AlertHistory]] = relationship(
        back_populates="alert", order_by="AlertHistory.id"
    )


class AlertHistory(Base):
    """Every change of an alert (raised, repeated, acknowledged, note, resolved, ...):
    who, when, and the note or reason given."""

    __tablename__ = "alert_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alerts.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    alert: Mapped[AlertRecord] = relationship(back_populates="history")


class SignalRecord(Base):
    """A reason to call someone, waiting for the scheduler."""

    __tablename__ = "signals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    script: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    call_by: Mapped[date | None] = mapped_column(Date)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    planned_call_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


# --- calls ------------------------------------------------------------------


class Campaign(Timestamped, Base):
    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    script: Mapped[str] = mapped_column(String(32))
    cohort_rule: Mapped[str] = mapped_column(String(64))
    cohort_params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    frequency: Mapped[dict[str, Any]] = mapped_column(
        default=dict, doc='e.g. {"every": "day"} or {"every": "week", "days": ["mon"]}'
    )
    window_start: Mapped[time] = mapped_column(Time)
    window_end: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    max_attempts: Mapped[int] = mapped_column(default=3)
    retry_spacing_minutes: Mapped[int] = mapped_column(default=30)
    escalate_unanswered: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str | None] = mapped_column(
        String(16), doc="Call language for everyone; None: each person's own"
    )


class Call(Base):
    """One requested call (id = the CallRequested event_id) and how it went."""

    __tablename__ = "calls"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    campaign_id: Mapped[str | None] = mapped_column(String(64), index=True)
    script: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(index=True)
    window_end: Mapped[datetime]
    attempt: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="requested")
    provider_call_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    answered_by: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    duration_s: Mapped[int | None]
    script_completed: Mapped[bool] = mapped_column(default=False)
    transferred_to_handler: Mapped[bool] = mapped_column(default=False)


class CallAnswer(Base):
    """One answer, saved the moment it is given so a dropped call keeps it."""

    __tablename__ = "call_answers"
    __table_args__ = (UniqueConstraint("call_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(64))
    heard: Mapped[str | None] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(8))
    confidence: Mapped[float | None] = mapped_column(Float)
    answered_at: Mapped[datetime]


# --- care outcomes ----------------------------------------------------------


class FlagRecord(Base):
    __tablename__ = "flags"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24), index=True)
    evidence: Mapped[list[Any]] = mapped_column(default=list, doc="the facts, as they read")
    evidence_keys: Mapped[list[Any]] = mapped_column(
        default=list, doc="what each fact is about, in the same order (care/domain/flags.py)"
    )
    recommended_referral: Mapped[str | None] = mapped_column(String(32))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    history: Mapped[list[FlagHistory]] = relationship(
        back_populates="flag", order_by="FlagHistory.id"
    )


class FlagHistory(Base):
    __tablename__ = "flag_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("flags.id"), index=True)
    status: Mapped[str] = mapped_column(String(24))
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    changed_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    flag: Mapped[FlagRecord] = relationship(back_populates="history")


class UnmetNeed(Base):
    """A person's entry on the RMU unmet-need list."""

    __tablename__ = "unmet_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), unique=True)
    need_level: Mapped[str] = mapped_column(String(16))
    hours_per_week: Mapped[float] = mapped_column(Float)
    waiting_at: Mapped[str] = mapped_column(String(16), default="home")
    assessed_on: Mapped[date] = mapped_column(Date)
    waiting_since: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="unknown")
    last_checked_at: Mapped[datetime | None]
    last_answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(default=True, doc="False once care has started")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    history: Mapped[list[UnmetNeedHistory]] = relationship(
        back_populates="need", order_by="UnmetNeedHistory.id"
    )


class UnmetNeedHistory(Base):
    __tablename__ = "unmet_need_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("unmet_needs.id"), index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(doc="field -> [old, new]")
    changed_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    need: Mapped[UnmetNeed] = relationship(back_populates="history")


class ReferralRecord(Base):
    __tablename__ = "referrals"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16))
    changed_by: Mapped[str] = mapped_column(String(64), default="system")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    history: Mapped[list[ReferralHistory]] = relationship(
        back_populates="referral", order_by="ReferralHistory.id"
    )


class ReferralHistory(Base):
    """Every step of a referral: to which status, who, when and why."""

    __tablename__ = "referral_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referrals.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)

    referral: Mapped[ReferralRecord] = relationship(back_populates="history")


class AuditRecord(Base):
    """Who saw or changed what: every view and change of a person's record."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    person_id: Mapped[str | None] = mapped_column(String(64), index=True)
    origin: Mapped[str | None] = mapped_column(String(64), doc="where from: an IP address, cli")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DeadLetterRecord(Base):
    __tablename__ = "dead_letters"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    origin: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    raw_b64: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)


# --- issue 7: telephony (the dialer's queue and outbox) ---


class CallPlan(Base):
    """The dialer's side of a Call: the request as received and where dialling stands.
    These rows are the dialer's queue, so a restart keeps every waiting call and retry."""

    __tablename__ = "call_plans"

    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("calls.id"), primary_key=True)
    state: Mapped[str] = mapped_column(
        String(16), default="waiting", index=True, doc="waiting | dialling | placed | ended"
    )
    due_at: Mapped[datetime] = mapped_column(index=True)
    language: Mapped[str] = mapped_column(String(16))
    request: Mapped[dict[str, Any]] = mapped_column(doc="the CallRequested, as JSON")
    claimed_at: Mapped[datetime | None] = mapped_column(doc="when a dialer took it")
    end_reason: Mapped[str | None] = mapped_column(Text)


class OutboxRecord(Base):
    """An event written in the same transaction as the change that caused it (a planned
    call, a call's outcome, a retry, an alert) and published by its relay afterwards
    (services/store/outbox.py): none is lost if the broker is down at the time."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_relay_unpublished", "relay", "published_at"),)

    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    relay: Mapped[str] = mapped_column(String(16), doc="who publishes it: scheduler | dialer")
    topic: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]


# --- issue 6: scheduler ledger and lease ---


class PlannedCallRecord(Base):
    """The scheduler's ledger: one row per call slot, keyed by the CallRequested event_id
    (deterministic per campaign, person and local date), written in the transaction that
    claims the slot, so a slot is claimed once however often or wherever it is planned.
    The CallRequested goes out through the outbox, written in the same transaction."""

    __tablename__ = "planned_calls"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    campaign_id: Mapped[str | None] = mapped_column(String(64), index=True)
    signal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    local_date: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime]
    window_end: Mapped[datetime]
    planned_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchedulerLease(Base):
    """Who may plan: one row per lease; the holder renews it before `expires_at`, and
    another instance takes over only once it has expired."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime]


# --- issue 13: console accounts (who may sign in; not care data) ---


class ConsoleUser(Timestamped, Base):
    """A member of staff who signs in to the console. The role decides what they see;
    `password_hash` is argon2 (None for accounts that sign in only through OpenID
    Connect, matched by `oidc_subject`)."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0, doc="since the last success")
    locked_until: Mapped[datetime | None]


class ConsoleSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored,
    so a copy of this table signs nobody in."""

    __tablename__ = "console_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    client: Mapped[str | None] = mapped_column(String(64), doc="address it signed in from")

    user: Mapped[ConsoleUser] = relationship()


class LoginAttempt(Base):
    """Every sign-in attempt, good or bad: the lock-out counts these, an admin reads them."""

    __tablename__ = "console_login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)
    method: Mapped[str] = mapped_column(String(16), doc="password | oidc")
    reason: Mapped[str | None] = mapped_column(String(64))
    client: Mapped[str | None] = mapped_column(String(64))
