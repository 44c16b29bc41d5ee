"""Configuration from the environment, one class per running part's shared needs."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every variable here is listed in the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="TECFLOW_", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Files: SQLite, spool, broker logs")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; a SQLite file in data_dir when unset"
    )
    kafka_bootstrap_servers: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "TECFLOW_KAFKA_BOOTSTRAP_SERVERS"),
        description="host:port[,host:port]; `tecflow up` starts an embedded broker when unset",
    )
    app_id: str = Field(default="tecflow", description="Faust app id and consumer-group prefix")
    worker_web_port: int = Field(default=6066, description="Faust worker web port")
    dead_letter_retention_days: int = Field(
        default=90, ge=1, description="`tecflow purge` deletes older dead letters"
    )
    device_event_retention_days: int = Field(
        default=365, ge=1, description="`tecflow purge` deletes older device events"
    )
    group_timeout_s: float = Field(
        default=10.0,
        description="Consumer session and rebalance timeout; short, so a restarted "
        "worker gets its partitions back quickly",
    )
    fetch_max_wait_ms: int = Field(
        default=20,
        description="Longest a consumer's fetch waits on the broker for new records: "
        "what an event on a quiet topic can wait before a worker sees it",
    )
    producer_linger_ms: int = Field(
        default=5,
        description="How long a worker's producer gathers records into one request: "
        "table changelogs and outputs of many events then travel together",
    )
    topic_partitions: int | None = Field(
        default=None, description="Override every topic's partition count (dev: fewer)"
    )
    replication_factor: int = Field(default=1, description="Topic replication factor")
    timezone: str = Field(default="Europe/London", description="Default local time zone")
    log_level: str = Field(default="INFO")
    metrics_host: str = Field(
        default="127.0.0.1",
        description="Where a part's Prometheus metrics listen: loopback unless set "
        "(0.0.0.0 in a pod, for the scraper)",
    )
    metrics_port: int | None = Field(
        default=None, description="A part's Prometheus metrics port; none served when unset"
    )

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'tecflow.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
