"""The one place that builds the local Redis URL puts the password in it so that redis-py reads
back exactly that password, and what is printed never carries it."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.connection import parse_url

from deploy.local.hygiene import without_password
from deploy.local.infra import InfraConfig
from libs.dev_secrets import local_redis_url


def test_an_odd_password_survives_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSEO_REDIS_PASSWORD", "p@ss:w/rd %#?")
    url = local_redis_url(6390)
    assert parse_url(url)["password"] == "p@ss:w/rd %#?"
    assert parse_url(url)["port"] == 6390


def test_without_the_variable_the_password_is_the_data_folders_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MUSEO_REDIS_PASSWORD", raising=False)
    cfg = InfraConfig(redis_port=6391, data_dir=tmp_path)
    assert parse_url(cfg.redis_url)["password"] == (tmp_path / "redis.password").read_text().strip()
    assert cfg.redis_password_source == str(tmp_path / "redis.password")
    assert cfg.redis_password not in cfg.redis_address


def test_printed_urls_lose_their_password() -> None:
    assert without_password("redis://:s3cret@127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert without_password("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
