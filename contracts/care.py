"""What the platform concludes: alerts, call signals, flags, need updates, referrals."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from contracts.codes import (
    SNOMED_AT_RISK_OF_FALLS,
    AlertAction,
    AlertKind,
    AlertPriority,
    AlertQueue,
    FlagStatus,
    NeedLevel,
    NeedStatus,
    ReferralStatus,
    ReferralTarget,
    ScriptName,
    WaitingLocation,
)
from contracts.envelope import Envelope, UtcDatetime


class Alert(Envelope):
    """Something a person must look at. Repeats share `alert_key`, so they update one
    open alert rather than filling the queue; a close carries its reason."""

    kind: Literal["alert"] = "alert"
    alert_key: str = Field(min_length=1, max_length=200, description="Merges repeats")
    alert_kind: AlertKind
    action: AlertAction = AlertAction.RAISE
    priority: AlertPriority
    queue: AlertQueue = AlertQueue.CALL_HANDLER
    summary: str = Field(min_length=1, max_length=500, description="What happened, plainly")
    evidence: tuple[str, ...] = Field(default=(), description="The facts that raised it")
    caused_by: tuple[uuid.UUID, ...] = Field(default=(), description="event_ids behind it")
    close_reason: str | None = None


class Signal(Envelope):
    """A reason to place a proactive call today (not an alarm)."""

    kind: Literal["signal"] = "signal"
    script: ScriptName
    reason: str = Field(min_length=1, max_length=500)
    evidence: tuple[str, ...] = ()
    call_by: date | None = Field(default=None, description="Local date the call is due by")


class Flag(Envelope):
    """A falls-risk flag: the facts that raised it and the referral it recommends,
    never a probability of falling (NICE NG249)."""

    kind: Literal["flag"] = "flag"
    flag_id: uuid.UUID
    code: str = SNOMED_AT_RISK_OF_FALLS
    status: FlagStatus = FlagStatus.ACTIVE
    evidence: tuple[str, ...] = Field(min_length=1, description="New facts, as they read")
    evidence_keys: tuple[str, ...] = Field(
        default=(),
        description="What each fact is about (same order as `evidence`); a fact whose key "
        "the flag already holds replaces it. Empty: each fact is its own key",
    )
    recommended_referral: ReferralTarget | None = None
    changed_by: str = Field(default="system", description="Staff id or 'system'")
    change_reason: str | None = None

    @model_validator(mode="after")
    def _one_key_per_fact(self) -> Flag:
        if self.evidence_keys and len(self.evidence_keys) != len(self.evidence):
            raise ValueError("evidence_keys must name each fact of evidence, in order")
        return self


class NeedUpdate(Envelope):
    """A change to a person's entry on the RMU unmet-need list."""

    kind: Literal["need_update"] = "need_update"
    status: NeedStatus | None = None
    need_level: NeedLevel | None = None
    hours_per_week: float | None = Field(default=None, ge=0, le=168)
    waiting_at: WaitingLocation | None = None
    answers: dict[str, str] = Field(default_factory=dict)
    checked_at: UtcDatetime | None = None
    changed_by: str = "system"
    change_reason: str | None = None


class Referral(Envelope):
    kind: Literal["referral"] = "referral"
    referral_id: uuid.UUID
    target: ReferralTarget
    status: ReferralStatus = ReferralStatus.SUGGESTED
    reason: str = Field(min_length=1, max_length=500)
    origin: Literal["flag", "call", "handler", "signal"] = "call"
    changed_by: str = "system"
