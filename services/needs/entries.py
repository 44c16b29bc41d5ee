"""An entry on the unmet-need list: a person assessed for a care package and still
waiting for it, at home ("awaiting services") or in hospital (a delayed discharge)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from contracts.codes import NeedLevel, NeedStatus, WaitingLocation
from contracts.envelope import PersonId

UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class NeedRow(BaseModel):
    """The fields of the list a council keeps and exchanges (one CSV row)."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)

    person_id: PersonId
    need_level: NeedLevel
    hours_per_week: float = Field(ge=0, le=168)
    waiting_at: WaitingLocation
    assessed_on: date
    waiting_since: date
    status: NeedStatus = NeedStatus.UNKNOWN

    @field_validator("need_level", "waiting_at", "status", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower().replace(" ", "_") if isinstance(value, str) else value

    @field_validator("status", mode="before")
    @classmethod
    def _blank_status(cls, value: Any) -> Any:
        return NeedStatus.UNKNOWN if value in ("", None) else value

    @field_validator("assessed_on", "waiting_since", mode="before")
    @classmethod
    def _uk_date(cls, value: Any) -> Any:
        """ISO dates, or dd/mm/yyyy as spreadsheets in the UK write them."""
        if isinstance(value, str) and (match := UK_DATE.match(value.strip())):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return value

    @model_validator(mode="after")
    def _dates_make_sense(self, info: ValidationInfo) -> NeedRow:
        today = (info.context or {}).get("today")
        if self.waiting_since < self.assessed_on:
            raise ValueError("waiting_since is before assessed_on")
        if today is not None and self.assessed_on > today:
            raise ValueError("assessed_on is in the future")
        if today is not None and self.waiting_since > today:
            raise ValueError("waiting_since is in the future")
        return self


@dataclass(frozen=True)
class NeedEntry:
    """A list entry with what triage also weighs: where the person lives alone, whether a
    falls flag is in force, when they were last checked, and when care started."""

    row: NeedRow
    lives_alone: bool = False
    falls_flag: bool = False
    last_checked_at: datetime | None = None
    ended_on: date | None = None  # care started (or left the list) on this date

    @property
    def person_id(self) -> str:
        return self.row.person_id

    def waiting_on(self, day: date) -> bool:
        return self.row.waiting_since <= day and (self.ended_on is None or self.ended_on > day)

    def days_waiting(self, day: date) -> int:
        return (day - self.row.waiting_since).days
