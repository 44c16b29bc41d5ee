"""The scheduler's settings (TECFLOW_SCHEDULER_*), every one in the README table."""

from __future__ import annotations

import os
import socket
from datetime import time

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class SchedulerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TECFLOW_SCHEDULER_", extra="ignore")

    bank_holidays: str = Field(
        default="ENG",
        description="UK nation whose bank holidays skip routine calls: ENG, WLS, SCT or NIR",
    )
    plan_every_s: int = Field(default=300, ge=1, description="How often each campaign plans")
    lease_ttl_s: int = Field(
        default=900, ge=1, description="How long a planner's lease lasts without renewal"
    )
    signal_window_start: time = Field(default=time(9), description="Local hours for signal calls")
    signal_window_end: time = Field(default=time(18))
    signal_max_attempts: int = Field(default=3, ge=1)
    signal_retry_after_s: int = Field(default=1800, ge=0)
    holder: str = Field(default_factory=_default_holder, description="This instance's lease name")

    @model_validator(mode="after")
    def _lease_outlives_a_round(self) -> SchedulerSettings:
        if self.lease_ttl_s <= self.plan_every_s:
            raise ValueError("lease_ttl_s must exceed plan_every_s: the lease must outlive a round")
        if self.signal_window_end <= self.signal_window_start:
            raise ValueError("signal window must end after it starts")
        return self
