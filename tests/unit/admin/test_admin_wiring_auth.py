"""Gateway auth wiring without a broker: demo account, confirmation tokens, log redaction."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from libs.auth import AuthSettings, check_client_credentials
from services.gateway.admin_auth import GatewayAuth, install_redaction


def _auth(tmp_path: Path) -> GatewayAuth:
    return GatewayAuth.load(AuthSettings(state_dir=tmp_path / "auth"))


def test_demo_account_is_created_once_with_its_secret_only_in_a_0600_file(
    tmp_path: Path,
) -> None:
    auth = _auth(tmp_path)
    path = auth.ensure_demo_account()
    assert path is not None and stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_text()
    account = check_client_credentials(auth.accounts, "museo-admin", secret)
    assert account is not None and "catalog:import" in account.scopes
    assert secret not in auth.settings.accounts_path.read_text()  # only the hash is stored
    assert auth.ensure_demo_account() is None  # accounts exist: nothing new
    assert (auth.settings.keys_dir / "keyring.json").exists()


def test_confirmation_token_round_trips_and_rejects_tampering_and_expiry(
    tmp_path: Path,
) -> None:
    auth = _auth(tmp_path)
    token = auth.sign_confirmation({"sub": "a", "op": {"action": "delete"}})
    assert auth.verify_confirmation(token)["op"] == {"action": "delete"}
    data, mac = token.rsplit(".", 1)
    with pytest.raises(ValueError, match="genuine"):
        auth.verify_confirmation(data + "x." + mac)
    with pytest.raises(ValueError, match="expired"):
        auth.verify_confirmation(auth.sign_confirmation({"sub": "a"}, ttl_seconds=-1))
    other = _auth(tmp_path / "other")
    with pytest.raises(ValueError):
        other.verify_confirmation(token)


def test_redaction_masks_secrets_logged_through_any_logger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_redaction()
    caplog.set_level(logging.INFO)
    logging.getLogger("some.library").info(
        "posting client_secret=%s with %s", "s3cr3t-value", "Bearer eyJa.eyJb.sig"
    )
    assert "s3cr3t-value" not in caplog.text and "eyJb" not in caplog.text
    assert "client_secret=***" in caplog.text
