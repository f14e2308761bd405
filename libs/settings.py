"""Settings shared by every service; each service subclasses `ServiceSettings` once."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]


def _instance_id() -> str:
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}".lower().replace(".", "-")


class ServiceSettings(BaseSettings):
    """Kafka/Redis location, identity and observability, read from the environment."""

    model_config = SettingsConfigDict(env_prefix="MUSEO_", extra="ignore")

    #: `dev` (what the local launcher and the tests set) allows dev-only shortcuts such as the
    #: test-mode payment provider; anything else is treated as production.
    env: str = Field(default="production", max_length=32)
    service_name: str = "museo"
    instance_id: str = Field(default_factory=_instance_id)
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "MUSEO_KAFKA_BOOTSTRAP_SERVERS"),
    )
    redis_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        validation_alias=AliasChoices("REDIS_URL", "MUSEO_REDIS_URL"),
    )
    #: A name for this process that survives its restarts, unique among the live members of
    #: its consumer groups: set, the worker's groups use static membership (a restarted worker
    #: takes its partitions back at once instead of waiting out its dead self's session). The
    #: launcher sets it; unset (tests, k8s Deployments) keeps dynamic membership.
    group_instance_id: str | None = Field(default=None, max_length=200)
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"
    log_level: str = "INFO"
    data_dir: Path = ROOT / ".local" / "data"  # MUSEO_DATA_DIR: local state, caches, dev secrets
    request_timeout_s: float = 10.0
    shutdown_timeout_s: float = 15.0

    @property
    def is_dev(self) -> bool:
        return self.env.strip().lower() == "dev"
