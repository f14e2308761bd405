"""Ed25519 signing keys with ids, rotation without downtime, persistence and a JWKS export.

One key signs (the current one); retired keys stay for verification for `retain_seconds`
(token lifetime + clock leeway) after rotation, so every token signed before a rotation still
verifies until it expires, then `prune()` drops the key. Keys live as PKCS#8 PEM files (0600)
plus `keyring.json` (current kid, retirement times). A verifier that meets an unknown kid
re-reads the directory (at most once a second), so another process's rotation is picked up.
Run rotation from one process only; two concurrent rotators would race on keyring.json.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"
_META = "keyring.json"


@dataclass(frozen=True)
class KeyEntry:
    kid: str
    private_key: Ed25519PrivateKey
    created_at: float
    retired_at: float | None = None

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    def jwk(self) -> dict[str, str]:
        raw = self.public_key.public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        x = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": x,
            "kid": self.kid,
            "use": "sig",
            "alg": ALGORITHM,
        }


def _new_entry(now: float) -> KeyEntry:
    kid = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + "-" + secrets.token_hex(4)
    return KeyEntry(kid=kid, private_key=Ed25519PrivateKey.generate(), created_at=now)


class KeyRing:
    def __init__(
        self,
        directory: Path | None = None,
        *,
        retain_seconds: float = 930,
        reload_interval: float = 1.0,
    ) -> None:
        self.directory = Path(directory) if directory else None
        self.retain_seconds = retain_seconds
        self.reload_interval = reload_interval
        self._keys: dict[str, KeyEntry] = {}
        self._current: str | None = None
        self._last_reload = 0.0
        self._meta_mtime = 0
        if self.directory and (self.directory / _META).exists():
            self._load()
        if self._current is None:
            entry = _new_entry(time.time())
            self._keys[entry.kid] = entry
            self._current = entry.kid
            self._save()

    @property
    def current(self) -> KeyEntry:
        """The signing key, re-read when another process (`python -m libs.auth rotate-keys`)
        rotated the ring, so a running gateway never signs with a key about to be pruned."""
        self.refresh()
        assert self._current is not None
        return self._keys[self._current]

    def refresh(self) -> bool:
        """Reload from disk if the index changed since this process last read or wrote it."""
        if not self.directory or time.monotonic() - self._last_reload < self.reload_interval:
            return False
        self._last_reload = time.monotonic()
        try:
            mtime = (self.directory / _META).stat().st_mtime_ns
        except FileNotFoundError:
            return False
        if mtime == self._meta_mtime:
            return False
        self._load()
        return True

    @property
    def kids(self) -> list[str]:
        return list(self._keys)

    def rotate(self, *, now: float | None = None) -> KeyEntry:
        """Make a new current key; the old one is retired but still verifies until pruned."""
        now = time.time() if now is None else now
        old = self.current
        self._keys[old.kid] = replace(old, retired_at=now)
        entry = _new_entry(now)
        self._keys[entry.kid] = entry
        self._current = entry.kid
        self.prune(now=now)
        self._save()
        return entry

    def prune(self, *, now: float | None = None) -> list[str]:
        """Drop retired keys whose tokens have all expired; returns the removed kids."""
        now = time.time() if now is None else now
        gone = [
            k
            for k, e in self._keys.items()
            if e.retired_at is not None and e.retired_at + self.retain_seconds <= now
        ]
        for kid in gone:
            self.remove(kid)
        return gone

    def remove(self, kid: str) -> None:
        """Revoke a retired key at once (e.g. after a leak): its tokens stop verifying."""
        if kid == self._current:
            raise ValueError("rotate before removing the current key")
        if self._keys.pop(kid, None) is not None:
            if self.directory:
                (self.directory / f"{kid}.pem").unlink(missing_ok=True)
            self._save()

    def verification_key(self, kid: str) -> Ed25519PublicKey | None:
        entry = self._keys.get(kid)
        if (
            entry is None
            and self.directory
            and time.monotonic() - self._last_reload >= self.reload_interval
        ):
            self._load()
            entry = self._keys.get(kid)
        return entry.public_key if entry else None

    def jwks(self) -> dict[str, Any]:
        """The `/.well-known/jwks.json` document: every key that may still verify a token."""
        return {"keys": [e.jwk() for e in self._keys.values()]}

    def _load(self) -> None:
        assert self.directory is not None
        self._last_reload = time.monotonic()
        meta = json.loads((self.directory / _META).read_text(encoding="utf-8"))
        keys: dict[str, KeyEntry] = {}
        for item in meta["keys"]:
            pem = (self.directory / f"{item['kid']}.pem").read_bytes()
            key = serialization.load_pem_private_key(pem, password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError(f"key {item['kid']} is not Ed25519")
            keys[item["kid"]] = KeyEntry(item["kid"], key, item["created_at"], item["retired_at"])
        self._keys, self._current = keys, meta["current"]
        self._meta_mtime = (self.directory / _META).stat().st_mtime_ns

    def _save(self) -> None:
        if not self.directory:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        for entry in self._keys.values():
            path = self.directory / f"{entry.kid}.pem"
            if not path.exists():
                pem = entry.private_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pem)
        meta = {
            "current": self._current,
            "keys": [
                {"kid": e.kid, "created_at": e.created_at, "retired_at": e.retired_at}
                for e in self._keys.values()
            ],
        }
        tmp = self.directory / f".{_META}.tmp"
        tmp.write_text(json.dumps(meta, indent=2), encoding="utf-8")
        os.replace(tmp, self.directory / _META)
        self._meta_mtime = (self.directory / _META).stat().st_mtime_ns
