"""Client-credentials tokens, verification failures, key rotation and persistence."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from libs.auth import (
    Authenticator,
    Forbidden,
    InMemoryServiceAccountStore,
    KeyRing,
    OAuthError,
    Principal,
    TokenIssuer,
    Unauthenticated,
    create_service_account,
    require_scope,
    scopes,
)

ISS, AUD = "https://museo.test", "museo-admin-api"
Accounts = InMemoryServiceAccountStore
Creds = tuple[str, str]


@pytest.fixture()
def accounts() -> InMemoryServiceAccountStore:
    return InMemoryServiceAccountStore()


@pytest.fixture()
def creds(accounts: InMemoryServiceAccountStore) -> tuple[str, str]:
    account, secret = create_service_account(
        accounts, "admin-mcp", [scopes.CATALOG_READ, scopes.CATALOG_WRITE], hash_n=2**10
    )
    return account.client_id, secret


def make(accounts: InMemoryServiceAccountStore, ring: KeyRing) -> tuple[TokenIssuer, Authenticator]:
    issuer = TokenIssuer(accounts, ring, issuer=ISS, audience=AUD, ttl_seconds=900)
    return issuer, Authenticator(ring, issuer=ISS, audience=AUD, accounts=accounts)


def code_of(auth: Authenticator, header: str | None) -> str:
    with pytest.raises(Unauthenticated) as info:
        auth.authenticate(header)
    return info.value.code


def test_issued_token_authenticates_with_granted_scopes(accounts: Accounts, creds: Creds) -> None:
    issuer, auth = make(accounts, KeyRing())
    response = issuer.issue_token(*creds, "catalog:read")
    assert response.token_type == "Bearer" and response.expires_in == 900
    assert response.scope == "catalog:read"
    principal = auth.authenticate(f"Bearer {response.access_token}")
    assert principal.subject == "admin-mcp" and principal.scopes == {"catalog:read"}
    assert principal.kind == "service_account"
    claims = jwt.decode(response.access_token, options={"verify_signature": False})
    assert {"iss", "aud", "sub", "scope", "iat", "exp", "jti"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 900
    assert jwt.get_unverified_header(response.access_token)["kid"] == issuer.keyring.current.kid


def test_no_scopes_requested_grants_all_account_scopes(accounts: Accounts, creds: Creds) -> None:
    issuer, _ = make(accounts, KeyRing())
    assert issuer.issue_token(*creds).scope == "catalog:read catalog:write"


def test_bad_credentials_are_invalid_client(accounts: Accounts, creds: Creds) -> None:
    issuer, _ = make(accounts, KeyRing())
    for client_id, secret in [(creds[0], "wrong"), ("nobody", creds[1]), (creds[0], "")]:
        with pytest.raises(OAuthError) as info:
            issuer.issue_token(client_id, secret)
        assert info.value.error == "invalid_client" and info.value.status_code == 401
        assert creds[1] not in str(info.value)


def test_disabled_account_gets_no_token_and_its_tokens_stop_working(
    accounts: Accounts, creds: Creds
) -> None:
    issuer, auth = make(accounts, KeyRing())
    token = issuer.issue_token(*creds).access_token
    account = accounts.get(creds[0])
    assert account is not None
    accounts.put(account.model_copy(update={"disabled": True}))
    with pytest.raises(OAuthError):
        issuer.issue_token(*creds)
    assert code_of(auth, f"Bearer {token}") == "disabled"


def test_scopes_beyond_the_account_are_invalid_scope(accounts: Accounts, creds: Creds) -> None:
    issuer, _ = make(accounts, KeyRing())
    with pytest.raises(OAuthError) as info:
        issuer.issue_token(*creds, ["catalog:read", "users:admin"])
    assert info.value.error == "invalid_scope"
    assert info.value.to_dict()["error"] == "invalid_scope"


def test_missing_and_malformed_headers_are_unauthenticated(accounts: Accounts) -> None:
    _, auth = make(accounts, KeyRing())
    assert code_of(auth, None) == "missing"
    assert code_of(auth, "Basic abc") == "malformed"
    assert code_of(auth, "Bearer") == "malformed"
    assert code_of(auth, "Bearer not.a.jwt") == "malformed"


def test_wrong_scope_is_forbidden(accounts: Accounts, creds: Creds) -> None:
    issuer, auth = make(accounts, KeyRing())
    principal = auth.authenticate(
        "Bearer " + issuer.issue_token(*creds, "catalog:read").access_token
    )
    require_scope(principal, scopes.CATALOG_READ)
    with pytest.raises(Forbidden) as info:
        require_scope(principal, scopes.CATALOG_IMPORT)
    assert info.value.status_code == 403 and info.value.scope == "catalog:import"


def test_expired_token_is_rejected(accounts: Accounts, creds: Creds) -> None:
    issuer, auth = make(accounts, KeyRing())
    old = issuer.issue_token(*creds, now=time.time() - 3600).access_token
    assert code_of(auth, f"Bearer {old}") == "expired"


def test_forged_signature_and_tampered_payload_are_rejected(
    accounts: Accounts, creds: Creds
) -> None:
    ring = KeyRing()
    issuer, auth = make(accounts, ring)
    good = issuer.issue_token(*creds, "catalog:read").access_token
    claims = jwt.decode(good, options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "scope": "users:admin"},
        Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={"kid": ring.current.kid},
    )
    assert code_of(auth, f"Bearer {forged}") == "invalid_signature"
    header, payload, sig = good.split(".")
    other = jwt.encode({**claims, "sub": "root"}, Ed25519PrivateKey.generate(), algorithm="EdDSA")
    tampered = ".".join([header, other.split(".")[1], sig])
    assert code_of(auth, f"Bearer {tampered}") == "invalid_signature"
    none_alg = jwt.encode(claims, "", algorithm="none", headers={"kid": ring.current.kid})
    assert code_of(auth, f"Bearer {none_alg}") == "malformed"


def test_unknown_kid_and_wrong_audience_are_rejected(accounts: Accounts, creds: Creds) -> None:
    ring = KeyRing()
    issuer, auth = make(accounts, ring)
    claims = jwt.decode(
        issuer.issue_token(*creds).access_token, options={"verify_signature": False}
    )
    unknown = jwt.encode(claims, ring.current.private_key, algorithm="EdDSA", headers={"kid": "x"})
    assert code_of(auth, f"Bearer {unknown}") == "unknown_kid"
    other_api = TokenIssuer(accounts, ring, issuer=ISS, audience="storefront").issue_token(*creds)
    assert code_of(auth, f"Bearer {other_api.access_token}") == "invalid_audience"


def test_rotation_keeps_old_tokens_valid_until_the_old_key_is_pruned(
    accounts: Accounts, creds: Creds
) -> None:
    ring = KeyRing(retain_seconds=930)
    issuer, auth = make(accounts, ring)
    before = issuer.issue_token(*creds).access_token
    old_kid = ring.current.kid
    rotated_at = time.time()
    new = ring.rotate(now=rotated_at)
    after = issuer.issue_token(*creds).access_token
    assert jwt.get_unverified_header(after)["kid"] == new.kid != old_kid
    assert {k["kid"] for k in ring.jwks()["keys"]} == {old_kid, new.kid}
    assert auth.authenticate(f"Bearer {before}").subject == "admin-mcp"
    assert ring.prune(now=rotated_at + 10) == []
    assert ring.prune(now=rotated_at + 931) == [old_kid]
    assert code_of(auth, f"Bearer {before}") == "unknown_kid"
    assert auth.authenticate(f"Bearer {after}").subject == "admin-mcp"


def test_removed_key_revokes_its_tokens_at_once(accounts: Accounts, creds: Creds) -> None:
    ring = KeyRing()
    issuer, auth = make(accounts, ring)
    token = issuer.issue_token(*creds).access_token
    old_kid = ring.current.kid
    with pytest.raises(ValueError):
        ring.remove(old_kid)
    ring.rotate()
    ring.remove(old_kid)
    assert code_of(auth, f"Bearer {token}") == "unknown_kid"


def test_keys_persist_and_other_processes_pick_up_rotation(
    tmp_path: Path, accounts: Accounts, creds: Creds
) -> None:
    signer = KeyRing(tmp_path / "keys")
    verifier = KeyRing(tmp_path / "keys", reload_interval=0)
    assert verifier.current.kid == signer.current.kid
    signer.rotate()
    issuer, _ = make(accounts, signer)
    token = issuer.issue_token(*creds).access_token
    auth = Authenticator(verifier, issuer=ISS, audience=AUD)
    assert isinstance(auth.authenticate(f"Bearer {token}"), Principal)
    restarted = KeyRing(tmp_path / "keys")
    assert restarted.current.kid == signer.current.kid and len(restarted.kids) == 2
    pem = next((tmp_path / "keys").glob("*.pem"))
    assert pem.stat().st_mode & 0o077 == 0


def test_jwks_has_public_parts_only() -> None:
    jwks = KeyRing().jwks()
    (key,) = jwks["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA"
    assert "d" not in key and len(key["x"]) == 43


def test_a_rotation_by_another_process_is_picked_up_for_signing(tmp_path: Path) -> None:
    from libs.auth.keyring import KeyRing

    gateway = KeyRing(tmp_path, reload_interval=0)
    before = gateway.current.kid
    other_process = KeyRing(tmp_path, reload_interval=0)
    rotated = other_process.rotate()
    assert gateway.current.kid == rotated.kid != before
