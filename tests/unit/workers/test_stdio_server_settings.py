"""The stdio MCP servers read their own pydantic settings under the variable names they always
read (users have them in Claude Desktop configs), with the same defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.mcp_workers.admin.api_client import AdminApiClient, credentials
from services.mcp_workers.admin.settings import AdminServerSettings, SpoolSettings
from services.mcp_workers.intent.settings import IntentSettings
from services.mcp_workers.notifications.kafka_client import KafkaConfig
from services.mcp_workers.notifications.settings import NotificationsServerSettings
from services.mcp_workers.storefront.runtime import RuntimeConfig
from services.mcp_workers.storefront.settings import StorefrontSettings

NAMES = ("KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL", "STOREFRONT_BASE_URL",
         "STOREFRONT_CHECKOUT_SECRET", "MUSEO_CATALOG_TOPIC", "MUSEO_ORDERS_TOPIC",
         "MUSEO_CHECKOUTS_TOPIC", "MUSEO_REDIS_PREFIX", "MUSEO_PUBLIC_BASE_URL",
         "MUSEO_MARKETS_TOPIC", "MUSEO_MARKETS_TIMEOUT_S", "MUSEO_NOTIFY_REQUESTS_TOPIC",
         "MUSEO_NOTIFICATIONS_REQUESTS_TOPIC", "MUSEO_SHIPMENTS_TOPIC", "MUSEO_ADMIN_CLIENT_ID",
         "MUSEO_ADMIN_CLIENT_SECRET", "MUSEO_AUTH_STATE_DIR", "MUSEO_GATEWAY_URL",
         "MUSEO_SPOOL_DIR", "MUSEO_CACHE_DIR", "MUSEO_LOG_LEVEL")  # fmt: skip


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def test_storefront_defaults_are_the_old_ones() -> None:
    s = StorefrontSettings()
    assert (s.kafka_bootstrap_servers, s.redis_url) == ("127.0.0.1:9092", "redis://127.0.0.1:6379/0")
    assert (s.catalog_topic, s.orders_topic, s.checkouts_topic) == (
        "catalog.products", "orders", "checkouts")
    assert (s.redis_prefix, s.public_base_url) == ("", "http://127.0.0.1:3300")
    assert (s.markets_topic, s.markets_timeout_s) == ("markets.requests", 3.0)
    assert (s.storefront_base_url, s.storefront_checkout_secret) == ("http://localhost:3300", None)
    assert s.log_level == "INFO"


def test_storefront_reads_its_documented_names(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"KAFKA_BOOTSTRAP_SERVERS": "k:1", "REDIS_URL": "redis://r:2/0",
           "MUSEO_CATALOG_TOPIC": "t.catalog", "MUSEO_ORDERS_TOPIC": "t.orders",
           "MUSEO_CHECKOUTS_TOPIC": "t.checkouts", "MUSEO_REDIS_PREFIX": "t:",
           "MUSEO_PUBLIC_BASE_URL": "https://shop", "MUSEO_MARKETS_TOPIC": "t.markets",
           "MUSEO_MARKETS_TIMEOUT_S": "1.5", "MUSEO_CHECKOUT_SECRET": "sign-me",
           "STOREFRONT_BASE_URL": "https://file-mode", "STOREFRONT_CHECKOUT_SECRET": "s"}  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = StorefrontSettings()
    cfg = RuntimeConfig.from_settings(settings)
    assert (cfg.bootstrap, cfg.redis_url, cfg.catalog_topic, cfg.orders_topic) == (
        "k:1", "redis://r:2/0", "t.catalog", "t.orders")
    assert (cfg.checkouts_topic, cfg.redis_prefix, cfg.base_url, cfg.secret) == (
        "t.checkouts", "t:", "https://shop", "sign-me")
    assert (cfg.markets_topic, cfg.markets_timeout_s) == ("t.markets", 1.5)
    assert settings.storefront_base_url == "https://file-mode"
    assert settings.storefront_checkout_secret is not None
    assert settings.storefront_checkout_secret.get_secret_value() == "s"


def test_notifications_server_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    assert KafkaConfig.from_settings(NotificationsServerSettings()) == KafkaConfig(
        "127.0.0.1:9092", "notify.requests", "notifications.requests", "shipments")
    for name, value in {"KAFKA_BOOTSTRAP_SERVERS": "k:1", "MUSEO_NOTIFY_REQUESTS_TOPIC": "a",
                        "MUSEO_NOTIFICATIONS_REQUESTS_TOPIC": "b",
                        "MUSEO_SHIPMENTS_TOPIC": "c"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    assert KafkaConfig.from_settings(NotificationsServerSettings()) == KafkaConfig(
        "k:1", "a", "b", "c")


def test_admin_credentials_from_env_else_the_demo_secret_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # the default state dir is relative
    assert credentials(AdminServerSettings()) == ("museo-admin", "")
    (tmp_path / "auth").mkdir()
    (tmp_path / "auth" / "ops.secret").write_text("from-file\n")
    monkeypatch.setenv("MUSEO_AUTH_STATE_DIR", str(tmp_path / "auth"))
    monkeypatch.setenv("MUSEO_ADMIN_CLIENT_ID", "ops")
    assert credentials(AdminServerSettings()) == ("ops", "from-file")
    monkeypatch.setenv("MUSEO_ADMIN_CLIENT_SECRET", "from-env")
    assert credentials(AdminServerSettings()) == ("ops", "from-env")
    monkeypatch.setenv("MUSEO_ADMIN_CLIENT_ID", "")  # empty means the default, as before
    assert AdminServerSettings().admin_client_id == "museo-admin"


async def test_admin_client_calls_the_configured_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    client = AdminApiClient.from_settings(AdminServerSettings())
    assert str(client._http.base_url) == "http://127.0.0.1:3300"
    await client.aclose()
    monkeypatch.setenv("MUSEO_GATEWAY_URL", "http://gw:8080")
    client = AdminApiClient.from_settings(AdminServerSettings())
    assert str(client._http.base_url) == "http://gw:8080"
    await client.aclose()


def test_spool_and_cache_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert SpoolSettings().spool_dir == Path(".local/data/spool")
    monkeypatch.setenv("MUSEO_SPOOL_DIR", "")
    assert SpoolSettings().spool_dir == Path(".local/data/spool")
    monkeypatch.setenv("MUSEO_SPOOL_DIR", str(tmp_path))
    assert SpoolSettings().spool_dir == tmp_path
    assert IntentSettings().cache_dir == Path.home() / ".cache" / "museo"
    monkeypatch.setenv("MUSEO_CACHE_DIR", str(tmp_path))
    assert IntentSettings().cache_dir == tmp_path
