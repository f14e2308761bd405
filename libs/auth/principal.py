"""Turn request headers into a `Principal`, and check scopes, for the gateway and workers."""

from __future__ import annotations

from libs.auth.accounts import ServiceAccountStore
from libs.auth.api_keys import API_KEY_PREFIX, ApiKeyStore, verify_api_key
from libs.auth.errors import Forbidden, Unauthenticated
from libs.auth.keyring import KeyRing
from libs.auth.scopes import parse_scopes
from libs.auth.tokens import verify_access_token
from libs.contracts.principal import Principal

__all__ = ["Authenticator", "Principal", "require_scope"]


class Authenticator:
    """Accepts `Authorization: Bearer <jwt|mk_ key>` or `X-API-Key: mk_...`, never both.

    With `accounts`, tokens of a since-disabled account are refused before they expire.
    """

    def __init__(
        self,
        keyring: KeyRing,
        *,
        issuer: str,
        audience: str,
        api_keys: ApiKeyStore | None = None,
        accounts: ServiceAccountStore | None = None,
        leeway: float = 30,
    ) -> None:
        self.keyring, self.issuer, self.audience = keyring, issuer, audience
        self.api_keys, self.accounts, self.leeway = api_keys, accounts, leeway

    def authenticate(
        self, authorization: str | None = None, x_api_key: str | None = None
    ) -> Principal:
        if authorization and x_api_key:
            raise Unauthenticated("malformed", "send either Authorization or X-API-Key, not both")
        if x_api_key:
            return self._api_key(x_api_key.strip())
        if not authorization:
            raise Unauthenticated("missing", "no credentials")
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential or " " in credential:
            raise Unauthenticated("malformed", "expected 'Authorization: Bearer <token>'")
        if credential.startswith(API_KEY_PREFIX):
            return self._api_key(credential)
        claims = verify_access_token(
            credential, self.keyring, issuer=self.issuer, audience=self.audience, leeway=self.leeway
        )
        subject = str(claims["sub"])
        if self.accounts is not None:
            account = self.accounts.get(subject)
            if account is None or account.disabled:
                raise Unauthenticated("disabled", "client is disabled")
        return Principal(
            subject=subject,
            scopes=parse_scopes(claims.get("scope")),
            kind="service_account",
            token_id=str(claims["jti"]),
        )

    def _api_key(self, key: str) -> Principal:
        if self.api_keys is None:
            raise Unauthenticated("malformed", "API keys are not accepted here")
        record = verify_api_key(self.api_keys, key)
        if record is None:
            raise Unauthenticated("invalid_key", "unknown, disabled or expired API key")
        return Principal(
            subject=f"apikey:{record.key_id}", scopes=frozenset(record.scopes), kind="api_key"
        )


def require_scope(principal: Principal, scope: str) -> None:
    """Raise `Forbidden` (403) unless the principal holds `scope`."""
    if scope not in principal.scopes:
        raise Forbidden(scope)
