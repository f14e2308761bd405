"""Customer tokens: the shop's own login proves who a shopper is with a JWT (sub, email, exp).

The gateway verifies it against the shop's JWKS URL (RS256/ES256/EdDSA keys, fetched and cached
by PyJWT's `PyJWKClient`) or, when no JWKS URL is set, a shared HS256 secret
(`MUSEO_CUSTOMER_TOKEN_SECRET`, else the dev file `customer-token.secret`, which is also what the
demo sign-in page signs with). A valid token becomes a `customer:<sub>` principal.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from pydantic import Field

from libs.auth.errors import Unauthenticated
from libs.contracts.principal import Principal
from libs.dev_secrets import dev_secret
from libs.settings import ServiceSettings

ASYMMETRIC = ["RS256", "ES256", "EdDSA", "PS256"]
MAX_SUB = 128


class CustomerAuthSettings(ServiceSettings):
    """Where customer tokens come from (env `MUSEO_CUSTOMER_*`)."""

    customer_jwks_url: str | None = None
    customer_token_issuer: str | None = Field(default=None, description="required `iss` if set")
    customer_token_audience: str | None = Field(default=None, description="required `aud` if set")
    customer_session_ttl_s: int = 7 * 24 * 3600
    customer_leeway_s: int = 30


def customer_secret() -> str:
    return dev_secret("MUSEO_CUSTOMER_TOKEN_SECRET", "customer-token.secret")


def customer_principal(sub: str, email: str | None) -> Principal:
    return Principal(subject=f"customer:{sub}", kind="customer", email=email)


class CustomerTokens:
    """Verify customer JWTs; `issue` signs demo tokens with the shared secret (dev only)."""

    def __init__(self, settings: CustomerAuthSettings | None = None,
                 secret: str | None = None) -> None:
        self.settings = settings or CustomerAuthSettings()
        self._secret = secret
        self._jwks = (jwt.PyJWKClient(self.settings.customer_jwks_url, cache_keys=True,
                                      lifespan=300, timeout=2)
                      if self.settings.customer_jwks_url else None)

    @property
    def secret(self) -> str:
        if self._secret is None:
            self._secret = customer_secret()
        return self._secret

    def _key(self, token: str) -> tuple[Any, list[str]]:
        if self._jwks is None:
            return self.secret, ["HS256"]
        try:
            return self._jwks.get_signing_key_from_jwt(token).key, ASYMMETRIC
        except (jwt.PyJWKClientError, jwt.DecodeError) as exc:
            raise Unauthenticated("invalid_token", f"customer token key: {exc}") from None

    def verify(self, token: str) -> Principal:
        """The customer principal of a genuine, unexpired token; `Unauthenticated` otherwise."""
        s = self.settings
        try:
            key, algorithms = self._key(token)
            claims = jwt.decode(
                token, key, algorithms=algorithms, leeway=s.customer_leeway_s,
                issuer=s.customer_token_issuer, audience=s.customer_token_audience,
                options={"require": ["sub", "exp"], "verify_aud": bool(s.customer_token_audience)},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("expired", "customer token has expired") from None
        except (jwt.InvalidTokenError, TypeError, ValueError) as exc:
            raise Unauthenticated("invalid_token", f"customer token rejected: {exc}") from None
        sub, email = claims.get("sub"), claims.get("email")
        if not isinstance(sub, str) or not sub or len(sub) > MAX_SUB or not sub.isprintable():
            raise Unauthenticated("invalid_token", "customer token has no usable sub")
        if email is not None and (not isinstance(email, str) or len(email) > 320):
            raise Unauthenticated("invalid_token", "customer token email is not a string")
        return customer_principal(sub, email)

    def issue(self, sub: str, email: str | None, ttl_s: int = 3600) -> str:
        """A HS256 customer token, as the shop's login would sign it (demo sign-in page)."""
        now = int(time.time())
        claims: dict[str, Any] = {"sub": sub, "iat": now, "exp": now + ttl_s}
        if email:
            claims["email"] = email
        if self.settings.customer_token_issuer:
            claims["iss"] = self.settings.customer_token_issuer
        if self.settings.customer_token_audience:
            claims["aud"] = self.settings.customer_token_audience
        return jwt.encode(claims, self.secret, algorithm="HS256")
