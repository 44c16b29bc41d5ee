"""The gateways' configuration (environment variables prefixed TECFLOW_GATEWAY_)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    """Every variable here is listed in the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="TECFLOW_GATEWAY_", extra="ignore")

    sip_host: str = Field(default="0.0.0.0", description="SCAIP receiver bind address")  # noqa: S104
    sip_port: int = Field(default=5060, description="SCAIP receiver port (UDP and TCP)")
    sip_advertised_host: str = Field(
        default="127.0.0.1", description="Our address in the Via/From of the <mrs> MESSAGE"
    )
    sip_allowed_sources: str = Field(
        default="", description="Comma-separated networks SCAIP may come from (empty: any)"
    )
    scaip_hubs_file: Path | None = Field(
        default=None, description="Hub provisioning (JSON) for SIP digest auth (unset: none)"
    )
    sip_realm: str = Field(default="tecflow", description="SIP digest realm")
    sip_tls_port: int | None = Field(default=None, description="SIP over TLS port (unset: off)")
    sip_tls_cert: Path | None = Field(default=None, description="TLS certificate chain (PEM)")
    sip_tls_key: Path | None = Field(default=None, description="TLS private key (PEM)")
    sip_tls_client_ca: Path | None = Field(
        default=None, description="CA (PEM) that issues the hubs' client certificates"
    )
    sip_rate_per_s: float = Field(default=20.0, description="SCAIP requests/s per source")
    sip_burst: float = Field(default=40.0, description="SCAIP burst per source")
    sip_tcp_idle_s: float = Field(default=60.0, description="Close idle SIP/TCP after this")
    sip_tcp_max_connections: int = Field(default=512, description="SIP/TCP connection cap")
    http_host: str = Field(default="127.0.0.1", description="OwnTracks HTTP and Alexa bind")
    http_port: int = Field(default=8085, description="OwnTracks HTTP and Alexa port")
    mqtt_enabled: bool = Field(default=True, description="Run the MQTT bridge")
    mqtt_host: str = Field(default="127.0.0.1")
    mqtt_port: int = Field(default=1883)
    mqtt_tls: bool = Field(default=False, description="TLS to the MQTT broker")
    mqtt_username: str | None = None
    mqtt_password: SecretStr | None = None
    zigbee_base_topic: str = Field(default="zigbee2mqtt", description="zigbee2mqtt base topic")
    owntracks_base_topic: str = Field(default="owntracks", description="OwnTracks topic root")
    owntracks_http_username: str | None = Field(
        default=None, description="Basic-auth user for OwnTracks HTTP (unset: no auth)"
    )
    owntracks_http_password: SecretStr | None = None
    alexa_application_id: str | None = Field(
        default=None, description="The skill's applicationId (unset: Alexa endpoint refuses)"
    )
    alexa_trust_roots: Path | None = Field(
        default=None, description="PEM bundle of trusted roots (unset: certifi's bundle)"
    )
    alexa_cert_chain: Path | None = Field(
        default=None,
        description="PEM chain taken for every SignatureCertChainUrl instead "
        "of fetching it from Amazon (a closed network, or the demo's own key); it must still "
        "reach the trusted roots (unset: fetched)",
    )
    register_cache_s: float = Field(default=30.0, description="Equipment-register cache TTL")
    publish_timeout_s: float = Field(
        default=5.0, description="Wait this long for the broker before spooling to disk"
    )

    def http_refusal(self) -> str | None:
        """Why the HTTP endpoints must not start as configured, or None. Beyond loopback,
        OwnTracks HTTP without credentials would take anyone's fake positions."""
        try:
            loopback = ipaddress.ip_address(self.http_host).is_loopback
        except ValueError:
            loopback = self.http_host == "localhost"
        if loopback or (self.owntracks_http_username and self.owntracks_http_password):
            return None
        return (
            f"HTTP on {self.http_host} needs TECFLOW_GATEWAY_OWNTRACKS_HTTP_USERNAME and "
            "_PASSWORD (or bind to loopback): OwnTracks HTTP is not started"
        )
