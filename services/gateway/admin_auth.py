"""Gateway side of machine-to-machine auth: the key ring, the account stores, `require(scope)`.

State lives under MUSEO_AUTH_STATE_DIR (default `.local/data/auth`): signing keys, service
accounts, API keys, and the key that signs NL confirmation tokens. On first start with no
accounts, a demo account `museo-admin` with every scope is created and its secret is written
to `<state_dir>/museo-admin.secret` (0600) - and printed nowhere else.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Header, Request

from libs.auth import (
    Authenticator,
    AuthSettings,
    JsonFileApiKeyStore,
    JsonFileServiceAccountStore,
    KeyRing,
    Principal,
    RedactingFilter,
    TokenIssuer,
    create_service_account,
    require_scope,
)
from libs.auth.scopes import ALL_SCOPES

log = logging.getLogger(__name__)
DEMO_CLIENT_ID = "museo-admin"
DEMO_DESCRIPTION = "demo admin (make run)"


def auth_settings() -> AuthSettings:
    """AuthSettings from the environment (MUSEO_AUTH_STATE_DIR unset or empty: the default)."""
    return AuthSettings()


def _write_private(path: Path, data: bytes) -> None:
    """Create or replace `path` with mode 0600 from the first byte."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


@dataclass
class GatewayAuth:
    settings: AuthSettings
    keyring: KeyRing
    accounts: JsonFileServiceAccountStore
    api_keys: JsonFileApiKeyStore
    issuer: TokenIssuer
    authenticator: Authenticator
    confirm_key: bytes

    @classmethod
    def load(cls, settings: AuthSettings | None = None) -> GatewayAuth:
        settings = settings or auth_settings()
        settings.state_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(settings.state_dir, 0o700)
        keyring = KeyRing(
            settings.keys_dir, retain_seconds=settings.token_ttl_seconds + settings.leeway_seconds
        )
        accounts = JsonFileServiceAccountStore(settings.accounts_path)
        api_keys = JsonFileApiKeyStore(settings.api_keys_path)
        issuer = TokenIssuer(
            accounts,
            keyring,
            issuer=settings.issuer,
            audience=settings.audience,
            ttl_seconds=settings.token_ttl_seconds,
        )
        authenticator = Authenticator(
            keyring,
            issuer=settings.issuer,
            audience=settings.audience,
            api_keys=api_keys,
            accounts=accounts,
            leeway=settings.leeway_seconds,
        )
        key_path = settings.state_dir / "confirm.key"
        if not key_path.exists():
            _write_private(key_path, secrets.token_bytes(32))
        confirm_key = key_path.read_bytes()
        return cls(settings, keyring, accounts, api_keys, issuer, authenticator, confirm_key)

    def ensure_demo_account(self) -> Path | None:
        """Create `museo-admin` (all scopes) when there is no account; return the secret file.
        A demo account made before a scope was added gets it (it is the every-scope account)."""
        if accounts := self.accounts.list():
            demo = next((a for a in accounts if a.client_id == DEMO_CLIENT_ID
                         and a.description == DEMO_DESCRIPTION), None)
            if demo is not None and ALL_SCOPES - set(demo.scopes):
                self.accounts.put(demo.model_copy(update={"scopes": sorted(ALL_SCOPES)}))
            return None
        _, secret = create_service_account(
            self.accounts, DEMO_CLIENT_ID, sorted(ALL_SCOPES), description=DEMO_DESCRIPTION
        )
        path = self.settings.state_dir / f"{DEMO_CLIENT_ID}.secret"
        _write_private(path, secret.encode())
        log.info("created demo service account %s; secret in %s", DEMO_CLIENT_ID, path)
        return path

    def sign_confirmation(self, payload: dict[str, Any], ttl_seconds: int = 600) -> str:
        """A short-lived token carrying `payload`, HMAC-SHA256 signed with the gateway key."""
        body = dict(payload, exp=int(time.time()) + ttl_seconds)
        raw = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode())
        data = raw.decode().rstrip("=")
        mac = hmac.new(self.confirm_key, data.encode(), hashlib.sha256).hexdigest()
        return f"{data}.{mac}"

    def verify_confirmation(self, token: str) -> dict[str, Any]:
        """The payload of a genuine, unexpired confirmation token; ValueError otherwise."""
        data, _, mac = token.strip().rpartition(".")
        expected = hmac.new(self.confirm_key, data.encode(), hashlib.sha256).hexdigest()
        if not data or not hmac.compare_digest(mac, expected):
            raise ValueError("confirmation token is not genuine")
        body: dict[str, Any] = json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
        if int(body.get("exp", 0)) < time.time():
            raise ValueError("confirmation token has expired; parse the command again")
        return body


def install_redaction() -> None:
    """Mask credentials in every log record, whichever logger or handler it goes through.

    The record factory masks message and args as each record is made; filters on the root
    logger and its handlers also mask `extra=` fields (set after the factory runs).
    """
    root = logging.getLogger()
    for target in (root, *root.handlers):
        if not any(isinstance(f, RedactingFilter) for f in target.filters):
            target.addFilter(RedactingFilter())
    previous = logging.getLogRecordFactory()
    if getattr(previous, "museo_redacting", False):
        return
    masker = RedactingFilter()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        with contextlib.suppress(Exception):  # a malformed log call: the handler reports it
            masker.filter(record)
        return record

    factory.museo_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def get_auth(request: Request) -> GatewayAuth:
    auth: GatewayAuth | None = request.app.state.gw.auth
    assert auth is not None, "routes/oauth.py's start-up hook loads it"
    return auth


def require(scope: str) -> Callable[..., Awaitable[Principal]]:
    """FastAPI dependency: the authenticated Principal holding `scope`; else 401 / 403.

    Raises `Unauthenticated` / `Forbidden`; the handlers installed by `routes.oauth.setup`
    turn them into 401/403 with a `WWW-Authenticate` challenge.
    """

    async def dependency(
        request: Request,
        authorization: str | None = Header(None, include_in_schema=False),
        x_api_key: str | None = Header(None, include_in_schema=False),
    ) -> Principal:
        principal = get_auth(request).authenticator.authenticate(authorization, x_api_key)
        require_scope(principal, scope)
        return principal

    dependency.__name__ = f"require_{scope.replace(':', '_')}"
    return dependency
