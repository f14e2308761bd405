"""Typed auth errors, so transports map them to HTTP without string matching.

`OAuthError` is for the token endpoint (RFC 6749 section 5.2 error codes);
`Unauthenticated` (401) and `Forbidden` (403) are for protected resources (RFC 6750).
Descriptions never contain the presented secret or token.
"""

from __future__ import annotations


class AuthError(Exception):
    """Base class for every auth failure."""


class OAuthError(AuthError):
    """A token-endpoint failure carrying the RFC 6749 `error` code and a description."""

    STATUS = {
        "invalid_client": 401,
        "invalid_scope": 400,
        "invalid_request": 400,
        "unsupported_grant_type": 400,
        "unauthorized_client": 400,
        "invalid_grant": 400,
    }

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description

    @property
    def status_code(self) -> int:
        return self.STATUS.get(self.error, 400)

    def to_dict(self) -> dict[str, str]:
        """The JSON body of an RFC 6749 error response."""
        return {"error": self.error, "error_description": self.description}


class Unauthenticated(AuthError):
    """401: no credential, or one that is malformed, expired, forged, unknown or for another API.

    `code` is a short machine-readable reason (missing, malformed, expired, invalid_signature,
    unknown_kid, invalid_audience, invalid_issuer, disabled, invalid_key) for logs and metrics.
    """

    status_code = 401

    def __init__(self, code: str, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description

    @property
    def www_authenticate(self) -> str:
        """The RFC 6750 challenge header value for the 401 response."""
        if self.code == "missing":
            return 'Bearer realm="museo"'
        return f'Bearer realm="museo", error="invalid_token", error_description="{self.code}"'


class Forbidden(AuthError):
    """403: the caller is known but lacks the scope the operation needs."""

    status_code = 403

    def __init__(self, scope: str) -> None:
        super().__init__(f"missing scope {scope}")
        self.scope = scope

    @property
    def www_authenticate(self) -> str:
        return f'Bearer realm="museo", error="insufficient_scope", scope="{self.scope}"'
