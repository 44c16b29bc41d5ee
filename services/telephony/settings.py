"""Telephony configuration from the environment. Twilio credentials have no defaults:
they come only from TECFLOW_TWILIO_* variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class TelephonySettings(BaseSettings):
    """Every variable here is listed in the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="TECFLOW_TELEPHONY_", extra="ignore")

    account_sid: str = Field(validation_alias="TECFLOW_TWILIO_ACCOUNT_SID")
    auth_token: SecretStr = Field(validation_alias="TECFLOW_TWILIO_AUTH_TOKEN")
    from_number: str = Field(validation_alias="TECFLOW_TWILIO_FROM_NUMBER")
    api_base_url: str | None = Field(
        default=None,
        validation_alias="TECFLOW_TWILIO_API_BASE_URL",
        description="Twilio REST base URL; the simulator's address locally, unset in production",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8088",
        description="The IVR's address as Twilio sees it (behind a proxy: the proxy's); "
        "webhook URLs are built from it and signatures are checked against it",
    )
    scrs_number: str = Field(description="The SCRS line a caller is transferred to")
    scrs_fallback_number: str | None = Field(
        default=None, description="A second line tried when the SCRS line does not answer"
    )
    transfer_timeout_s: int = Field(
        default=20, ge=5, le=60, description="How long each SCRS line rings (Dial timeout)"
    )
    calls_per_second: float = Field(default=1.0, gt=0, description="Dialling rate (Twilio: 1)")
    max_concurrent: int = Field(default=10, ge=1, description="Calls in progress at once")
    ring_timeout_s: int = Field(default=30, ge=5, le=600)
    ivr_host: str = "127.0.0.1"
    ivr_port: int = 8088
    sim_host: str = "127.0.0.1"
    sim_port: int = 8089
    sim_callers_file: Path | None = Field(
        default=None, description="YAML or JSON: phone number -> the caller's behaviour"
    )
    sim_seed: int = Field(default=7, description="Seed of the simulator's random callers")
    sim_ring_s: float = Field(default=0.2, ge=0, description="Simulated ringing time")

    @property
    def base_url(self) -> str:
        return self.public_base_url.rstrip("/")


def load_settings() -> TelephonySettings:
    """Raises pydantic.ValidationError naming each required variable that is unset."""
    return TelephonySettings()
