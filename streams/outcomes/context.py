"""What the store knows about a person that a call's answers do not: read by the agent,
passed to the pure processors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from care.domain.flags import Fact
from contracts.codes import ReferralTarget


@dataclass(frozen=True)
class ActiveFlag:
    """The person's falls flag in force (active or reviewed), as the store holds it."""

    flag_id: uuid.UUID
    recommended_referral: ReferralTarget | None


@dataclass(frozen=True)
class OutcomeContext:
    """What the store knows that the call's answers do not."""

    falls_flag: ActiveFlag | None = None
    falls_facts: tuple[Fact, ...] = ()  # fall-detector alarms, falls follow-up signals
    in_crisis: bool = False  # "in crisis" on the unmet-need list
    last_urgent_alert_at: datetime | None = None
