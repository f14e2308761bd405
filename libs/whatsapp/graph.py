"""The Graph API messages endpoint: `POST {base}/{version}/{phone-number-id}/messages`.

Both WhatsApp senders (order notifications, the chat channel) go through this one client, so the
URL, the Bearer token and the reading of Meta's answers live in one place. Meta answers 200 with
`messages[0].id` (a wamid), or an error object `{"error": {"message", "type", "code",
"error_data": {"details"}, "fbtrace_id"}}`; a 429 or 5xx is worth retrying, any other 4xx is not.
"""

from __future__ import annotations

from typing import Any

import httpx


class GraphError(Exception):
    """Meta refused the message (or could not be reached); `retryable` says whether to try again."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None,
                 details: str | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status, self.code, self.details, self.retryable = status, code, details, retryable


class GraphClient:
    def __init__(self, http: httpx.AsyncClient, base_url: str, version: str,
                 phone_number_id: str, access_token: str) -> None:
        self.http = http
        self.url = f"{base_url.rstrip('/')}/{version}/{phone_number_id}/messages"
        self._auth = {"Authorization": f"Bearer {access_token}"}

    async def send(self, payload: dict[str, Any]) -> str:
        """Send one message; return its wamid, or raise `GraphError`."""
        try:
            resp = await self.http.post(self.url, json=payload, headers=self._auth)
        except httpx.HTTPError as exc:
            raise GraphError(f"whatsapp unreachable: {type(exc).__name__}",
                             retryable=True) from exc
        if resp.status_code == 200:
            try:
                return str(resp.json()["messages"][0]["id"])
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                raise GraphError("whatsapp answered 200 without a message id",
                                 status=200, retryable=False) from exc
        raise error_of(resp)


def error_of(resp: httpx.Response) -> GraphError:
    retryable = resp.status_code == 429 or resp.status_code >= 500
    try:
        err = resp.json()["error"]
        code = err.get("code")
        details = (err.get("error_data") or {}).get("details")
        text = f"whatsapp {resp.status_code} code {code}: {err.get('message')}"
        if details:
            text += f" ({details})"
        return GraphError(text, status=resp.status_code, code=code, details=details,
                          retryable=retryable)
    except (ValueError, KeyError, TypeError, AttributeError):
        return GraphError(f"whatsapp {resp.status_code}", status=resp.status_code,
                          retryable=retryable)
