"""The scheduler's plain data: what a campaign asks for and what is known of a person."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum


class Every(StrEnum):
    DAY = "day"
    WEEK = "week"
    AFTER_EVENT = "after_event"
    ONCE = "once"


class AnchorEvent(StrEnum):
    """Events a `days after` campaign counts from."""

    DISCHARGE = "discharge"
    FALLS_FLAG = "falls_flag"


@dataclass(frozen=True)
class Frequency:
    every: Every
    weekdays: frozenset[int] = frozenset()  # 0 = Monday, as date.weekday()
    days_after: tuple[int, ...] = ()
    anchor: AnchorEvent | None = None
    on: date | None = None
    skip_bank_holidays: bool = True


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    spacing_s: int = 1800


@dataclass(frozen=True)
class CampaignSpec:
    id: str
    script: str
    cohort_rule: str
    cohort_params: dict[str, object]
    frequency: Frequency
    window_start: time
    window_end: time
    retry: RetryPolicy = RetryPolicy()
    language: str | None = None  # None: each person's own language


@dataclass(frozen=True)
class PersonFacts:
    """What the scheduler may know of a person: rules and cohort facts, no names or numbers."""

    person_id: str
    timezone: str = "Europe/London"
    language: str = "en-GB"
    postcode: str | None = None
    lives_alone: bool = False
    has_care_package: bool = False
    do_not_call: bool = False
    opted_out: bool = False
    preferred_start: time | None = None
    preferred_end: time | None = None
    away_until: datetime | None = None
    in_hospital: bool = False
    on_unmet_need_list: bool = False
    active_falls_flag_at: datetime | None = None
    last_discharged_at: datetime | None = None


@dataclass(frozen=True)
class Window:
    """A call window as UTC instants (start inclusive, end exclusive)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class PlannedCall:
    """One call slot: its id is deterministic, so planning it twice yields the same call."""

    id: uuid.UUID
    person_id: str
    local_date: date
    script: str
    reason: str
    window: Window
    language: str
    retry: RetryPolicy
    campaign_id: str | None = None
    signal_id: uuid.UUID | None = None
