"""The local Redis (what `make run`, `infra up` and the tests start) lets in only who has its
password, and a stale passwordless Redis on the port is named as such instead of failing later
with NOAUTH deep inside a service."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from deploy.local.infra import InfraConfig, redis_command, wait_redis
from deploy.local.system import free_port


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def local_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InfraConfig]:
    """A Redis started exactly as the launcher starts it, with a password generated once under
    its own data folder."""
    monkeypatch.delenv("MUSEO_REDIS_PASSWORD", raising=False)
    cfg = InfraConfig(redis_port=free_port(), data_dir=tmp_path / "data")
    proc = subprocess.Popen(redis_command(cfg), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_redis(cfg, proc=proc)
        yield cfg
    finally:
        _stop(proc)


def test_a_client_without_the_password_is_refused(local_redis: InfraConfig) -> None:
    anonymous = redis.Redis(port=local_redis.redis_port, socket_timeout=2)
    with pytest.raises(redis.AuthenticationError, match="NOAUTH|authenticated"):
        anonymous.set("museo-auth-probe", "1")


def test_a_client_with_a_wrong_password_is_refused(local_redis: InfraConfig) -> None:
    wrong = redis.Redis(port=local_redis.redis_port, password="not-the-password", socket_timeout=2)
    with pytest.raises(redis.AuthenticationError, match="WRONGPASS|invalid"):
        wrong.ping()


def test_the_url_every_process_gets_carries_the_password_and_works(
    local_redis: InfraConfig,
) -> None:
    client = redis.Redis.from_url(local_redis.redis_url, socket_timeout=2)
    assert client.set("museo-auth-probe", "1") and client.get("museo-auth-probe") == b"1"
    assert client.config_get("protected-mode") == {"protected-mode": "yes"}
    assert local_redis.redis_password not in local_redis.redis_address


def test_the_password_is_generated_once_in_a_private_file(local_redis: InfraConfig) -> None:
    secret = local_redis.data_dir / "redis.password"
    assert secret.read_text().strip() == local_redis.redis_password
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    conf = local_redis.data_dir / f"redis-{local_redis.redis_port}" / "redis.conf"
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    # nothing on the command line that `ps` shows to every user of the machine
    assert local_redis.redis_password not in " ".join(redis_command(local_redis))


def test_the_password_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUSEO_REDIS_PASSWORD", "from env/with:odd@chars")
    cfg = InfraConfig(redis_port=free_port(), data_dir=tmp_path)
    proc = subprocess.Popen(redis_command(cfg), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_redis(cfg, proc=proc)
        assert redis.Redis.from_url(cfg.redis_url).ping()
        assert not (tmp_path / "redis.password").exists()
    finally:
        _stop(proc)


def test_a_stale_passwordless_redis_on_the_port_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MUSEO_REDIS_PASSWORD", raising=False)
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed (make infra-install)"
    port = free_port()
    old = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                            "--dir", str(tmp_path)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        cfg = InfraConfig(redis_port=port, data_dir=tmp_path / "data")
        with pytest.raises(RuntimeError, match="runs without a password") as caught:
            wait_redis(cfg)
        assert "make infra-down" in str(caught.value)
        assert cfg.redis_password not in str(caught.value)
    finally:
        _stop(old)


def test_a_redis_started_with_another_password_is_named(
    local_redis: InfraConfig, tmp_path: Path
) -> None:
    other = InfraConfig(redis_port=local_redis.redis_port, data_dir=tmp_path / "elsewhere")
    with pytest.raises(RuntimeError, match="refuses the password"):
        wait_redis(other)
    assert os.path.exists(other.data_dir / "redis.password")
