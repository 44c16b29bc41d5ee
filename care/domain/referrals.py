"""Referrals: suggested (by a flag, a call or a handler), then moved on by a person:
suggested -> sent -> accepted -> completed, or declined from any open step. One open
referral per person and service: a second suggestion for the same service is dropped.
No step backwards; every step keeps who, when and why."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from care.errors import ReferralChangeRefused
from contracts.codes import ReferralStatus, ReferralTarget

OPEN = frozenset({ReferralStatus.SUGGESTED, ReferralStatus.SENT, ReferralStatus.ACCEPTED})
STEPS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    ReferralStatus.SUGGESTED: frozenset({ReferralStatus.SENT, ReferralStatus.DECLINED}),
    ReferralStatus.SENT: frozenset({ReferralStatus.ACCEPTED, ReferralStatus.DECLINED}),
    ReferralStatus.ACCEPTED: frozenset({ReferralStatus.COMPLETED, ReferralStatus.DECLINED}),
    ReferralStatus.DECLINED: frozenset(),
    ReferralStatus.COMPLETED: frozenset(),
}


@dataclass(frozen=True)
class ReferralChange:
    status: ReferralStatus
    by: str
    at: datetime
    reason: str | None


@dataclass
class Referral:
    id: uuid.UUID
    person_id: str
    target: ReferralTarget
    status: ReferralStatus
    reason: str
    origin: str  # flag, call, handler, signal
    created_at: datetime
    changed_by: str
    updated_at: datetime
    changes: list[ReferralChange] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @classmethod
    def suggested(
        cls,
        *,
        id: uuid.UUID,
        person_id: str,
        target: ReferralTarget,
        status: ReferralStatus,
        reason: str,
        origin: str,
        by: str,
        at: datetime,
    ) -> Referral:
        referral = cls(
            id=id,
            person_id=person_id,
            target=target,
            status=status,
            reason=reason,
            origin=origin,
            created_at=at,
            changed_by=by,
            updated_at=at,
        )
        referral.changes.append(ReferralChange(status, by, at, reason))
        return referral

    def move(self, *, status: ReferralStatus, by: str, at: datetime, reason: str | None) -> None:
        if status not in STEPS[self.status]:
            raise ReferralChangeRefused(
                f"referral {self.id} is {self.status.value}; it cannot become {status.value}"
            )
        self.status, self.changed_by, self.updated_at = status, by, at
        self.changes.append(ReferralChange(status, by, at, reason))
