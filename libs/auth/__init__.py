"""Machine-to-machine auth: service accounts (client credentials), API keys, signed JWTs.

The gateway builds an `Authenticator` to verify; the admin MCP server obtains tokens from the
`TokenIssuer` (behind the token endpoint). See each module for the reasoning.
"""

from libs.auth.accounts import (
    InMemoryServiceAccountStore,
    JsonFileServiceAccountStore,
    ServiceAccount,
    ServiceAccountStore,
    check_client_credentials,
    create_service_account,
)
from libs.auth.api_keys import (
    ApiKeyRecord,
    ApiKeyStore,
    InMemoryApiKeyStore,
    JsonFileApiKeyStore,
    create_api_key,
    parse_api_key,
    verify_api_key,
)
from libs.auth.errors import AuthError, Forbidden, OAuthError, Unauthenticated
from libs.auth.hashing import hash_secret, verify_secret
from libs.auth.keyring import KeyEntry, KeyRing
from libs.auth.principal import Authenticator, Principal, require_scope
from libs.auth.redact import RedactingFilter, redact
from libs.auth.settings import AuthSettings
from libs.auth.tokens import TokenIssuer, TokenResponse, verify_access_token

__all__ = [
    "ApiKeyRecord",
    "ApiKeyStore",
    "AuthError",
    "AuthSettings",
    "Authenticator",
    "Forbidden",
    "InMemoryApiKeyStore",
    "InMemoryServiceAccountStore",
    "JsonFileApiKeyStore",
    "JsonFileServiceAccountStore",
    "KeyEntry",
    "KeyRing",
    "OAuthError",
    "Principal",
    "RedactingFilter",
    "ServiceAccount",
    "ServiceAccountStore",
    "TokenIssuer",
    "TokenResponse",
    "Unauthenticated",
    "check_client_credentials",
    "create_api_key",
    "create_service_account",
    "hash_secret",
    "parse_api_key",
    "redact",
    "require_scope",
    "verify_access_token",
    "verify_api_key",
    "verify_secret",
]
