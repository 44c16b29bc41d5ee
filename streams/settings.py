"""Settings of the stream processors (env prefix TECFLOW_STREAMS_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class StreamsSettings(BaseSettings):
    """Every variable here is listed in the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="TECFLOW_STREAMS_", extra="ignore")

    check_interval_s: float = Field(
        default=60.0, gt=0, description="How often the timed checks (not up, offline) run"
    )
    context_ttl_s: float = Field(
        default=60.0, ge=0, description="How long a person's away mode and zones are cached"
    )
