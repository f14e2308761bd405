"""Vendor webhook signatures, as the vendors document them.

- Twilio: `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, full URL + each POST parameter
  name and value, sorted by name, concatenated without separators)).
- Meta (WhatsApp Cloud API): `X-Hub-Signature-256` = `sha256=` + hex(HMAC-SHA256(app secret,
  raw request body)), computed over the bytes as received, before any JSON parsing.

The gateway verifies with these; the local provider simulator signs with them. Comparisons are
constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping


def twilio_signature(auth_token: str, url: str,
                     params: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    items = sorted(params.items() if isinstance(params, Mapping) else params)
    data = url + "".join(f"{k}{v}" for k, v in items)
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def twilio_valid(auth_token: str, url: str, params: Mapping[str, str] | Iterable[tuple[str, str]],
                 signature: str | None) -> bool:
    return bool(signature) and hmac.compare_digest(
        twilio_signature(auth_token, url, params), signature or "")


def meta_signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def meta_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    return bool(header) and hmac.compare_digest(meta_signature(app_secret, body), header or "")
