"""Unsubscribe links: a signed token per (person, channel, address), and what it shows.

Every email carries `<public base>/unsubscribe/<token>` in its body and in the `List-Unsubscribe`
header, with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058: a mail client POSTs
`List-Unsubscribe=One-Click` to the URL, no cookie, no page). A GET only shows a page asking to
confirm (mail scanners open links; they must not unsubscribe anyone); the page's button POSTs.

The token carries no address: only the keyed hash of it (what the opt-out is stored under), a
masked form to show ("l***@example.com"), the channel and the language of the page. It is
HMAC-SHA256 signed with `MUSEO_UNSUBSCRIBE_SECRET` and does not expire (a link in an old email
must still work). Only the notification service holds the key; the gateway forwards the token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from pydantic import BaseModel, ValidationError

from libs.contracts.notifications import Channel


class UnsubscribeClaims(BaseModel):
    s: str  # subject (owner key of the person's data)
    c: Channel
    h: str  # keyed hash of the address (ConsentStore.address_hash)
    m: str  # masked address, for the page
    l: str = "en"  # noqa: E741 - page language


def mask(address: str) -> str:
    """`lucia@example.com` -> `l***@example.com`; `+34612345678` -> `+34*******78`."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return address[:3] + "*" * max(0, len(address) - 5) + address[-2:]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class UnsubscribeTokens:
    def __init__(self, key: bytes, base_url: str) -> None:
        self.key, self.base_url = key, base_url.rstrip("/")

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self.key, payload.encode(), hashlib.sha256).digest()[:20])

    def token(self, claims: UnsubscribeClaims) -> str:
        payload = _b64(json.dumps(claims.model_dump(), separators=(",", ":")).encode())
        return f"{payload}.{self._mac(payload)}"

    def url(self, claims: UnsubscribeClaims) -> str:
        return f"{self.base_url}/unsubscribe/{self.token(claims)}"

    def verify(self, token: str) -> UnsubscribeClaims | None:
        """The claims of a token this service signed; None for anything else."""
        payload, _, mac = token.strip().partition(".")
        if not payload or not mac or not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            return UnsubscribeClaims.model_validate_json(_unb64(payload))
        except (ValidationError, ValueError, binascii.Error):
            return None
