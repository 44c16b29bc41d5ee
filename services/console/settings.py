"""Console configuration from the environment (TECFLOW_CONSOLE_*), built by the CLI."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    """Every variable here is listed in the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="TECFLOW_CONSOLE_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Where `tecflow console` listens")
    port: int = Field(default=8090)
    secure_cookies: bool = Field(
        default=False,
        description="Mark cookies Secure whatever the scheme (set behind an HTTPS proxy "
        "that does not pass X-Forwarded-Proto); requests that arrive over HTTPS get "
        "Secure cookies anyway",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1", description="Proxies whose X-Forwarded-Proto/-For are trusted"
    )
    session_hours: float = Field(default=12.0, gt=0, description="A sign-in lasts a shift")
    idle_minutes: float = Field(default=60.0, gt=0, description="Signed out after this idle")
    lockout_failures: int = Field(default=5, ge=1, description="Failed sign-ins before lock-out")
    lockout_minutes: float = Field(default=15.0, gt=0, description="How long a lock-out lasts")
    timezone: str = Field(
        default="Europe/London",
        validation_alias=AliasChoices("TECFLOW_TIMEZONE", "TECFLOW_CONSOLE_TIMEZONE"),
        description="Times on the pages are shown in this zone (stored in UTC)",
    )
    queue_poll_s: float = Field(
        default=0.1,
        gt=0,
        description="How often the live queue looks for changed alerts (one indexed count "
        "per console process, whatever the number of open pages)",
    )
    oidc_issuer: str | None = Field(
        default=None, description="OpenID Connect issuer URL; unset: local accounts only"
    )
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_username_claim: str = Field(
        default="preferred_username",
        description="ID-token claim naming the console account the person signs in as",
    )

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)
