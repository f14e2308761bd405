"""The admin HTTP API as the admin MCP server calls it: its own service account, cached token.

Credentials: MUSEO_ADMIN_CLIENT_ID / MUSEO_ADMIN_CLIENT_SECRET, else the demo account's secret
file `<MUSEO_AUTH_STATE_DIR or .local/data/auth>/museo-admin.secret`. The gateway is
MUSEO_GATEWAY_URL (default http://127.0.0.1:3300). The token is reused until shortly before it
expires; a 401 on a call drops it and retries once with a fresh one.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from services.mcp_workers.admin.settings import AdminServerSettings


class AdminApiError(Exception):
    """An HTTP error from the admin API, with the status and the server's message."""

    def __init__(self, status: int, message: str) -> None:
        label = {401: "401 Unauthorized", 403: "403 Forbidden"}.get(status, f"HTTP {status}")
        super().__init__(f"{label}: {message}")
        self.status = status
        self.message = message


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message", body["error"]))
    if isinstance(body, dict) and "error" in body:  # RFC 6749 token endpoint errors
        return f"{body['error']}: {body.get('error_description', '')}"
    return str(body)[:300]


def credentials(settings: AdminServerSettings) -> tuple[str, str]:
    """The configured client, else the demo account's secret file (read when first needed: the
    launcher may create it after this server started)."""
    client_id = settings.admin_client_id
    secret = settings.admin_client_secret.get_secret_value() if settings.admin_client_secret else ""
    if not secret:
        path = settings.auth_state_dir / f"{client_id}.secret"
        secret = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
    return client_id, secret


class AdminApiClient:
    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)
        self._client_id, self._secret = client_id, client_secret
        self._token: str | None = None
        self._expires_at = 0.0

    @classmethod
    def from_settings(cls, settings: AdminServerSettings) -> AdminApiClient:
        client_id, secret = credentials(settings)
        return cls(settings.gateway_url, client_id, secret)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def token(self) -> str:
        if self._token and time.monotonic() < self._expires_at:
            return self._token
        if not self._secret:
            raise AdminApiError(401, "no client credentials configured for the admin server")
        r = await self._http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(self._client_id, self._secret),
        )
        if r.status_code != 200:
            raise AdminApiError(r.status_code, _message(r))
        body = r.json()
        self._token = str(body["access_token"])
        self._expires_at = time.monotonic() + max(0, int(body["expires_in"]) - 30)
        return self._token

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """JSON of a successful call; AdminApiError (saying 401/403 plainly) otherwise."""
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {await self.token()}"}
            r = await self._http.request(method, path, headers=headers, **kwargs)
            if r.status_code == 401 and attempt == 1:
                self._token = None  # expired or rotated away: fetch a new one once
                continue
            if r.status_code >= 400:
                raise AdminApiError(r.status_code, _message(r))
            return r.json()
        raise AssertionError("unreachable")  # pragma: no cover
