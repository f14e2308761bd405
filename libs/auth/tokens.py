"""OAuth 2.0 client-credentials grant: short-lived EdDSA JWT access tokens (RFC 9068 claims)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from typing import Any

import jwt
from pydantic import BaseModel

from libs.auth.accounts import ServiceAccountStore, check_client_credentials
from libs.auth.errors import OAuthError, Unauthenticated
from libs.auth.keyring import ALGORITHM, KeyRing
from libs.auth.scopes import format_scopes, parse_scopes


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str


class TokenIssuer:
    """Checks client credentials and signs tokens with the key ring's current key."""

    def __init__(
        self,
        accounts: ServiceAccountStore,
        keyring: KeyRing,
        *,
        issuer: str,
        audience: str,
        ttl_seconds: int = 900,
    ) -> None:
        self.accounts, self.keyring = accounts, keyring
        self.issuer, self.audience, self.ttl_seconds = issuer, audience, ttl_seconds

    def issue_token(
        self,
        client_id: str,
        client_secret: str,
        requested_scopes: str | Iterable[str] | None = None,
        *,
        now: float | None = None,
    ) -> TokenResponse:
        """No requested scopes means all the account's scopes (RFC 6749 section 3.3)."""
        if not client_id or not client_secret:
            raise OAuthError("invalid_client", "client authentication failed")
        account = check_client_credentials(self.accounts, client_id, client_secret)
        if account is None:
            raise OAuthError("invalid_client", "client authentication failed")
        allowed = frozenset(account.scopes)
        wanted = parse_scopes(requested_scopes) or allowed
        if not wanted <= allowed:
            extra = format_scopes(wanted - allowed)
            raise OAuthError("invalid_scope", f"scopes not granted to this client: {extra}")
        issued = int(time.time() if now is None else now)
        key = self.keyring.current
        scope = format_scopes(wanted)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": account.client_id,
            "client_id": account.client_id,
            "scope": scope,
            "iat": issued,
            "nbf": issued,
            "exp": issued + self.ttl_seconds,
            "jti": secrets.token_urlsafe(16),
        }
        token = jwt.encode(
            claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid, "typ": "at+jwt"}
        )
        return TokenResponse(access_token=token, expires_in=self.ttl_seconds, scope=scope)


def verify_access_token(
    token: str, keyring: KeyRing, *, issuer: str, audience: str, leeway: float = 30
) -> dict[str, Any]:
    """Verified claims, or `Unauthenticated` with a precise reason code."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError as exc:
        raise Unauthenticated("malformed", "token is not a JWT") from exc
    except jwt.InvalidTokenError as exc:  # e.g. a `kid` that is not a string
        raise Unauthenticated("malformed", f"malformed token header: {exc}") from exc
    if header.get("alg") != ALGORITHM:
        raise Unauthenticated("malformed", "unexpected signing algorithm")
    kid = header.get("kid")
    key = keyring.verification_key(kid) if isinstance(kid, str) else None
    if key is None:
        raise Unauthenticated("unknown_kid", "token signed by an unknown or removed key")
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            leeway=leeway,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("expired", "token has expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise Unauthenticated("invalid_audience", "token is for another audience") from exc
    except jwt.InvalidIssuerError as exc:
        raise Unauthenticated("invalid_issuer", "token from another issuer") from exc
    except jwt.InvalidSignatureError as exc:
        raise Unauthenticated("invalid_signature", "token signature does not verify") from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthenticated("malformed", "token is invalid") from exc
