"""Settings of the stream processors (env prefix TECFLOW_STREAMS_)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class StreamsSettings(BaseSettings):
    """Every variable here is listed in the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="TECFLOW_STREAMS_", extra="ignore")

    check_interval_s: float = Field(
        default=60.0, gt=0, description="How often the timed checks (not up, offline) run"
    )
    clock: Literal["wall", "event"] = Field(
        default="wall",
        description="Time of the timed checks: `wall`, the machine's clock (production); "
        "`event`, the events' own time, each person's checks caught up before their next "
        "event (replays of recorded logs, accelerated demos)",
    )
    context_ttl_s: float = Field(
        default=60.0, ge=0, description="How long a person's away mode and zones are cached"
    )
