"""What callers ask the care record to do: one imperative dataclass per change. Each
says who asks (`by`), when (`at`), and why where a change needs a reason. Commands from
the bus carry the message's `event_id`, so a redelivery changes nothing twice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import contracts
from care.domain.flags import Fact, facts
from contracts.codes import (
    SNOMED_AT_RISK_OF_FALLS,
    AlertAction,
    AlertOutcome,
    AlertPriority,
    AlertQueue,
    FlagStatus,
    NeedLevel,
    NeedStatus,
    ReferralStatus,
    ReferralTarget,
    WaitingLocation,
)
from services.needs.csvfile import RowError
from services.needs.entries import NeedRow


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a member of staff (with their role and where they are), or a
    part of the platform (`Actor.system("streams.triage")`)."""

    id: str
    role: str = "system"
    origin: str | None = None  # an IP address, "cli"

    @classmethod
    def system(cls, component: str) -> Actor:
        return cls(id=component, role="system")

    @property
    def is_person(self) -> bool:
        return self.role != "system"


# --- alerts -----------------------------------------------------------------


@dataclass(frozen=True)
class RaiseAlert:
    """Raise an alert, or merge into the open one with the same key. `repeat` counts
    a repeat (another press); an update of the same condition (`repeat=False`) does not."""

    person_id: str
    key: str
    kind: str
    priority: AlertPriority
    summary: str
    by: Actor
    at: datetime
    queue: AlertQueue = AlertQueue.CALL_HANDLER
    evidence: tuple[str, ...] = ()
    repeat: bool = True
    event_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ClearAlert:
    """The devices or processors say the open alert with this key is over."""

    key: str
    reason: str
    by: Actor
    at: datetime
    event_id: uuid.UUID | None = None


@dataclass(frozen=True)
class AcknowledgeAlert:
    alert_id: uuid.UUID
    by: Actor
    at: datetime
    take_over: bool = False


@dataclass(frozen=True)
class ResolveAlert:
    alert_id: uuid.UUID
    outcome: AlertOutcome
    by: Actor
    at: datetime
    note: str | None = None
    take_over: bool = False


@dataclass(frozen=True)
class AddAlertNote:
    alert_id: uuid.UUID
    text: str
    by: Actor
    at: datetime


@dataclass(frozen=True)
class ReopenAlert:
    alert_id: uuid.UUID
    reason: str
    by: Actor
    at: datetime


def alert_command(alert: contracts.Alert) -> RaiseAlert | ClearAlert:
    """The command an alert event on the bus stands for."""
    by = Actor.system(alert.source)
    if alert.action is AlertAction.CLOSE:
        return ClearAlert(
            key=alert.alert_key,
            reason=alert.close_reason or alert.summary,
            by=by,
            at=alert.occurred_at,
            event_id=alert.event_id,
        )
    return RaiseAlert(
        person_id=alert.person_id,
        key=alert.alert_key,
        kind=alert.alert_kind.value,
        priority=alert.priority,
        summary=alert.summary,
        by=by,
        at=alert.occurred_at,
        queue=alert.queue,
        evidence=alert.evidence,
        repeat=alert.action is AlertAction.RAISE,
        event_id=alert.event_id,
    )


# --- flags ------------------------------------------------------------------


@dataclass(frozen=True)
class RaiseFlag:
    """Raise a flag with its facts, or add them to the flag in force for the person and
    code (or to `flag_id`, if it is still in force)."""

    flag_id: uuid.UUID
    person_id: str
    evidence: tuple[Fact, ...]
    by: Actor
    at: datetime
    code: str = SNOMED_AT_RISK_OF_FALLS
    status: FlagStatus = FlagStatus.ACTIVE
    recommended_referral: ReferralTarget | None = None
    reason: str | None = None
    event_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ReviewFlag:
    flag_id: uuid.UUID
    reason: str
    by: Actor
    at: datetime


@dataclass(frozen=True)
class ResolveFlag:
    flag_id: uuid.UUID
    reason: str
    by: Actor
    at: datetime


@dataclass(frozen=True)
class MarkFlagEnteredInError:
    flag_id: uuid.UUID
    reason: str
    by: Actor
    at: datetime


def flag_command(flag: contracts.Flag) -> RaiseFlag:
    return RaiseFlag(
        flag_id=flag.flag_id,
        person_id=flag.person_id,
        evidence=tuple(facts(flag.evidence, flag.evidence_keys)),
        by=_sender(flag, flag.changed_by),
        at=flag.occurred_at,
        code=flag.code,
        status=flag.status,
        recommended_referral=flag.recommended_referral,
        reason=flag.change_reason,
        event_id=flag.event_id,
    )


# --- referrals --------------------------------------------------------------


@dataclass(frozen=True)
class SuggestReferral:
    """A new referral (usually suggested); dropped if one to the same service is open."""

    referral_id: uuid.UUID
    person_id: str
    target: ReferralTarget
    reason: str
    origin: str  # flag, call, handler, signal
    by: Actor
    at: datetime
    status: ReferralStatus = ReferralStatus.SUGGESTED
    event_id: uuid.UUID | None = None


@dataclass(frozen=True)
class MoveReferral:
    """Move a referral on: sent, accepted, declined, completed."""

    referral_id: uuid.UUID
    status: ReferralStatus
    by: Actor
    at: datetime
    reason: str | None = None
    event_id: uuid.UUID | None = None


def referral_command(referral: contracts.Referral) -> SuggestReferral:
    """A referral message: a suggestion, or (for a referral the record holds) a move,
    which the handler works out (`suggest_referral`)."""
    return SuggestReferral(
        referral_id=referral.referral_id,
        person_id=referral.person_id,
        target=referral.target,
        reason=referral.reason,
        origin=referral.origin,
        by=_sender(referral, referral.changed_by),
        at=referral.occurred_at,
        status=referral.status,
        event_id=referral.event_id,
    )


# --- the unmet-need list ----------------------------------------------------


@dataclass(frozen=True)
class UpdateNeed:
    """What a call (or a handler, through the bus) learnt about a person's entry."""

    person_id: str
    by: Actor
    at: datetime
    status: NeedStatus | None = None
    need_level: NeedLevel | None = None
    hours_per_week: float | None = None
    waiting_at: WaitingLocation | None = None
    answers: dict[str, str] = field(default_factory=dict)
    checked_at: datetime | None = None  # set: a call's answers
    reason: str | None = None
    event_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ChangeNeedStatus:
    """A person's judgement of how someone on the list is managing."""

    person_id: str
    status: NeedStatus
    reason: str
    by: Actor
    at: datetime


@dataclass(frozen=True)
class ImportNeeds:
    """Rows of a council's list (from `services.needs.csvfile.read_rows`), added or
    updated; with `all_or_nothing`, any bad row imports nothing."""

    rows: tuple[tuple[int, NeedRow], ...]
    by: Actor
    at: datetime
    parse_errors: tuple[RowError, ...] = ()
    all_or_nothing: bool = False


@dataclass(frozen=True)
class CloseNeedEntry:
    """Care has started (or the person left the list): the entry stops waiting."""

    person_id: str
    reason: str
    by: Actor
    at: datetime


def need_command(update: contracts.NeedUpdate) -> UpdateNeed:
    return UpdateNeed(
        person_id=update.person_id,
        by=_sender(update, update.changed_by),
        at=update.occurred_at,
        status=update.status,
        need_level=update.need_level,
        hours_per_week=update.hours_per_week,
        waiting_at=update.waiting_at,
        answers=dict(update.answers),
        checked_at=update.checked_at,
        reason=update.change_reason,
        event_id=update.event_id,
    )


# --- away mode --------------------------------------------------------------


@dataclass(frozen=True)
class SetAwayMode:
    """Away until `until` (None: back home now)."""

    person_id: str
    until: datetime | None
    reason: str
    by: Actor
    at: datetime


def _sender(message: contracts.Envelope, changed_by: str) -> Actor:
    """Who a message speaks for: the platform part that sent it, or the member of staff
    it names (a change a handler made elsewhere, relayed on the bus)."""
    if changed_by == "system":
        return Actor.system(message.source)
    return Actor(changed_by, role="staff", origin=message.source)


# --- audit ------------------------------------------------------------------


@dataclass(frozen=True)
class RecordView:
    """Someone looked at part of a person's record."""

    entity: str
    entity_id: str | None
    person_id: str | None
    by: Actor
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordChange:
    """Someone changed part of a person's record kept outside the care tables (their
    details, contacts, devices): the audit line for it. Changes made through the other
    commands are audited by their handlers."""

    action: str
    entity: str
    entity_id: str | None
    person_id: str | None
    by: Actor
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


Command = (
    RaiseAlert
    | ClearAlert
    | AcknowledgeAlert
    | ResolveAlert
    | AddAlertNote
    | ReopenAlert
    | RaiseFlag
    | ReviewFlag
    | ResolveFlag
    | MarkFlagEnteredInError
    | SuggestReferral
    | MoveReferral
    | UpdateNeed
    | ChangeNeedStatus
    | ImportNeeds
    | CloseNeedEntry
    | SetAwayMode
    | RecordView
    | RecordChange
)
