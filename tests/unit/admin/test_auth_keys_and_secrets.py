"""API keys, secret hashing, JSON stores and log redaction."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from libs.auth import (
    Authenticator,
    InMemoryApiKeyStore,
    JsonFileApiKeyStore,
    JsonFileServiceAccountStore,
    KeyRing,
    RedactingFilter,
    TokenIssuer,
    Unauthenticated,
    create_api_key,
    create_service_account,
    hash_secret,
    parse_api_key,
    redact,
    verify_api_key,
    verify_secret,
)

ISS, AUD = "https://museo.test", "museo-admin-api"


def test_secret_hash_is_salted_and_verifies_only_the_right_secret() -> None:
    first, second = hash_secret("s3cret", n=2**10), hash_secret("s3cret", n=2**10)
    assert first != second and "s3cret" not in first
    assert verify_secret("s3cret", first) and verify_secret("s3cret", second)
    assert not verify_secret("s3cret!", first)
    assert not verify_secret("s3cret", "garbage") and not verify_secret("s3cret", "md5$x$y$z$a$b")


def test_json_account_store_never_holds_the_plaintext(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    store = JsonFileServiceAccountStore(path)
    _, secret = create_service_account(store, "demo-admin", ["catalog:import"], hash_n=2**10)
    assert secret not in path.read_text() and path.stat().st_mode & 0o077 == 0
    reopened = JsonFileServiceAccountStore(path)
    issuer = TokenIssuer(reopened, KeyRing(), issuer=ISS, audience=AUD)
    assert issuer.issue_token("demo-admin", secret).scope == "catalog:import"


def test_create_account_rejects_unknown_scopes_and_bad_ids(tmp_path: Path) -> None:
    store = JsonFileServiceAccountStore(tmp_path / "a.json")
    with pytest.raises(ValueError):
        create_service_account(store, "demo", ["catalog:everything"])
    with pytest.raises(ValueError):
        create_service_account(store, "Bad Id!", ["catalog:read"])


def test_api_key_round_trip_and_hash_only_storage(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    store = JsonFileApiKeyStore(path)
    record, key = create_api_key(store, "pos-sync", ["catalog:read"])
    assert key.startswith(f"mk_live_{record.key_id}_")
    assert key.split("_", 3)[3] not in path.read_text()
    assert parse_api_key(key) is not None
    found = verify_api_key(JsonFileApiKeyStore(path), key)
    assert found is not None and found.key_id == record.key_id


def test_api_key_rejections() -> None:
    store = InMemoryApiKeyStore()
    record, key = create_api_key(store, "n", ["catalog:read"], ttl_seconds=60)
    assert verify_api_key(store, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert verify_api_key(store, key.replace("mk_live_", "mk_test_")) is None
    assert verify_api_key(store, "mk_live_short") is None
    assert verify_api_key(store, key, now=time.time() + 61) is None
    store.put(record.model_copy(update={"disabled": True}))
    assert verify_api_key(store, key) is None


def test_authenticate_with_api_key_header_or_bearer() -> None:
    store = InMemoryApiKeyStore()
    _, key = create_api_key(store, "n", ["catalog:read", "orders:read"])
    auth = Authenticator(KeyRing(), issuer=ISS, audience=AUD, api_keys=store)
    principal = auth.authenticate(x_api_key=key)
    assert principal.kind == "api_key" and principal.scopes == {"catalog:read", "orders:read"}
    assert auth.authenticate(f"Bearer {key}").subject == principal.subject
    with pytest.raises(Unauthenticated) as info:
        auth.authenticate(x_api_key="mk_live_aaaaaaaaaaaa_" + "x" * 40)
    assert info.value.code == "invalid_key" and "invalid_token" in info.value.www_authenticate
    with pytest.raises(Unauthenticated):
        auth.authenticate(f"Bearer {key}", x_api_key=key)


def test_redact_masks_tokens_keys_and_secrets() -> None:
    _, key = create_api_key(InMemoryApiKeyStore(), "n", ["catalog:read"])
    jwt_like = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    text = (
        f"Authorization: Bearer {jwt_like} key={key} client_secret=hunter2&x=1 "
        f'{{"password": "pw", "token": "{jwt_like}"}}'
    )
    out = redact(text)
    for secret in (jwt_like, key.split("_", 3)[3], "hunter2", '"pw"'):
        assert secret not in out
    assert key.rsplit("_", 1)[0].split("_")[2] in out  # key id kept for support
    assert "x=1" in out


def test_logging_filter_masks_message_args_and_extras(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("museo.test.redact")
    caplog.handler.addFilter(RedactingFilter())
    logger.warning("got %s", "Bearer abc.def.ghi", extra={"header": "client_secret=zzz"})
    record = caplog.records[-1]
    assert "abc.def.ghi" not in caplog.text and record.__dict__["header"] == "client_secret=***"
    assert json.dumps(record.getMessage()).count("***") == 1
