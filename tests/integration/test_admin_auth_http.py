"""Token endpoint and scope checks of the admin API, against a real gateway, Kafka and Redis."""

from __future__ import annotations

import logging
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from libs.auth import KeyRing, TokenIssuer, verify_access_token
from tests.integration import test_admin_support as support
from tests.integration.test_admin_support import AdminStack

admin_stack = support.admin_stack  # the shared module fixture
pytestmark = pytest.mark.asyncio(loop_scope="module")
GRANT = {"grant_type": "client_credentials"}


def _http(stack: AdminStack, **kw: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.base_url, timeout=20, **kw)  # type: ignore[arg-type]


async def test_token_with_basic_auth_and_form_fields(admin_stack: AdminStack) -> None:
    c = admin_stack.clients["importer"]
    async with _http(admin_stack) as http:
        basic = await http.post(
            "/oauth/token", data={**GRANT, "scope": "catalog:import"}, auth=(c.client_id, c.secret)
        )
        form = await http.post(
            "/oauth/token", data={**GRANT, "client_id": c.client_id, "client_secret": c.secret}
        )
        jwks = (await http.get("/.well-known/jwks.json")).json()
    assert basic.status_code == 200 and basic.headers["cache-control"] == "no-store"
    body = basic.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "catalog:import"
    assert body["expires_in"] == 300
    assert form.json()["scope"] == "catalog:import catalog:read catalog:write"
    kid = jwt.get_unverified_header(body["access_token"])["kid"]
    assert kid in {k["kid"] for k in jwks["keys"]}


async def test_token_errors_follow_rfc_6749(admin_stack: AdminStack) -> None:
    c = admin_stack.clients["reader"]
    async with _http(admin_stack) as http:
        bad_secret = await http.post("/oauth/token", data=GRANT, auth=(c.client_id, "nope"))
        unknown = await http.post("/oauth/token", data=GRANT, auth=("nobody-here", "x"))
        bad_scope = await http.post(
            "/oauth/token", data={**GRANT, "scope": "catalog:write"}, auth=(c.client_id, c.secret)
        )
        grant = await http.post(
            "/oauth/token", data={"grant_type": "password"}, auth=(c.client_id, c.secret)
        )
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    assert bad_secret.headers["www-authenticate"].startswith("Basic")
    assert unknown.status_code == 401 and unknown.json()["error"] == "invalid_client"
    assert bad_scope.status_code == 400 and bad_scope.json()["error"] == "invalid_scope"
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"


async def test_admin_endpoint_without_credentials_is_401(admin_stack: AdminStack) -> None:
    async with _http(admin_stack) as http:
        r = await http.get("/v1/admin/products/anything")
        garbage = await http.get(
            "/v1/admin/products/anything", headers={"Authorization": "Bearer not-a-jwt"}
        )
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert (
        garbage.status_code == 401
        and 'error="invalid_token"' in garbage.headers["www-authenticate"]
    )


async def test_wrong_scope_is_403(admin_stack: AdminStack) -> None:
    token = await admin_stack.token("reader")
    product = {
        "id": "x-1",
        "handle": "x-1",
        "title": {"en": "X"},
        "variants": [{"sku": "X", "price": 1}],
    }
    async with _http(admin_stack, headers={"Authorization": f"Bearer {token}"}) as http:
        write = await http.post("/v1/admin/products", json=product)
        upload = await http.post("/v1/admin/imports", files={"file": ("a.csv", b"handle\n")})
    assert write.status_code == 403
    assert 'error="insufficient_scope"' in write.headers["www-authenticate"]
    assert write.json()["error"]["scope"] == "catalog:write"
    assert upload.status_code == 403


async def test_expired_and_forged_tokens_are_401(admin_stack: AdminStack) -> None:
    auth = admin_stack.auth
    ring = KeyRing(auth.keys_dir)
    from libs.auth import JsonFileServiceAccountStore

    issuer = TokenIssuer(
        JsonFileServiceAccountStore(auth.accounts_path),
        ring,
        issuer=auth.issuer,
        audience=auth.audience,
        ttl_seconds=60,
    )
    c = admin_stack.clients["admin"]
    expired = issuer.issue_token(c.client_id, c.secret, now=time.time() - 3600).access_token
    claims = verify_access_token(
        await admin_stack.token(), ring, issuer=auth.issuer, audience=auth.audience
    )
    header = {"kid": ring.current.kid, "typ": "at+jwt"}
    forged = jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers=header)
    async with _http(admin_stack) as http:
        for token, reason in ((expired, "expired"), (forged, "invalid_signature")):
            r = await http.get("/v1/admin/products/x", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401 and r.json()["error"]["reason"] == reason


async def test_api_key_works_for_its_scope_only(admin_stack: AdminStack) -> None:
    key = admin_stack.api_key
    async with _http(admin_stack, headers={"X-API-Key": key}) as http:
        read = await http.get("/v1/admin/products", params={"limit": 1})
        write = await http.delete("/v1/admin/products/whatever")
    async with _http(admin_stack, headers={"Authorization": f"Bearer {key}"}) as http:
        bearer = await http.get("/v1/admin/products", params={"limit": 1})
    assert read.status_code == 200 and "total" in read.json()
    assert bearer.status_code == 200
    assert write.status_code == 403


async def test_token_issued_before_rotation_still_accepted(admin_stack: AdminStack) -> None:
    before = await admin_stack.token()
    ring: KeyRing = admin_stack.gateway.app.state.gw.auth.keyring
    old_kid = ring.current.kid
    ring.rotate()
    after = await admin_stack.token()
    assert jwt.get_unverified_header(after)["kid"] != old_kid
    async with _http(admin_stack) as http:
        for token in (before, after):
            r = await http.get("/v1/admin/products", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, r.text
        jwks = (await http.get("/.well-known/jwks.json")).json()
    assert old_kid in {k["kid"] for k in jwks["keys"]}


async def test_no_secret_or_token_reaches_the_logs(
    admin_stack: AdminStack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    c = admin_stack.clients["admin"]
    token = await admin_stack.token()
    async with _http(admin_stack) as http:
        await http.post(
            "/oauth/token", data={**GRANT, "client_id": c.client_id, "client_secret": c.secret}
        )
        await http.post("/oauth/token", data=GRANT, auth=(c.client_id, c.secret + "x"))
        await http.get("/v1/admin/products", headers={"X-API-Key": admin_stack.api_key})
        await http.get("/v1/admin/products", headers={"Authorization": f"Bearer {token}"})
    logging.getLogger("museo.test").warning("client_secret=%s token %s", c.secret, token)
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert caplog.records, "expected some log output"
    # mk_<env>_<id>_<secret>: the secret itself may hold "_" (URL-safe base64)
    for secret in (c.secret, token, admin_stack.api_key.split("_", 3)[3]):
        assert secret not in text
