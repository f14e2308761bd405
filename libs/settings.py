"""Settings shared by every service; each service subclasses `ServiceSettings` once."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]


def _instance_id() -> str:
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}".lower().replace(".", "-")


class KafkaClientSettings(BaseSettings):
    """How a process talks to Kafka. Who it is: unset (the single-broker dev default) means
    PLAINTEXT without SASL.

    The 3-broker mode (`MUSEO_KAFKA_BROKERS=3`) gives every service its own SCRAM user, passed
    by the launcher as MUSEO_KAFKA_SASL_USERNAME/PASSWORD; the broker's ACLs then allow that
    user only its own topics (libs/contracts/access.py). Every client factory reads this one
    model, so no Kafka client can forget to authenticate.
    """

    model_config = SettingsConfigDict(env_prefix="MUSEO_", extra="ignore")

    #: replication factor of the topics a process creates (ensure_topics, reply topics); the
    #: 3-broker mode sets 3 (its brokers' min.insync.replicas is 2)
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_sasl_mechanism: str = "SCRAM-SHA-512"
    kafka_sasl_username: str = ""
    kafka_sasl_password: SecretStr = SecretStr("")

    def kafka_client_kwargs(self) -> dict[str, Any]:
        """aiokafka keyword arguments (producer, consumer, admin client); empty without a user."""
        if not self.kafka_sasl_username:
            return {}
        return {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": self.kafka_sasl_mechanism,
            "sasl_plain_username": self.kafka_sasl_username,
            "sasl_plain_password": self.kafka_sasl_password.get_secret_value(),
        }


def kafka_client_kwargs() -> dict[str, Any]:
    """This process's Kafka credentials (from the environment), for factories given only a
    bootstrap address."""
    return KafkaClientSettings().kafka_client_kwargs()


def kafka_replication_factor() -> int:
    return KafkaClientSettings().kafka_replication_factor


class ServiceSettings(KafkaClientSettings):
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
