"""Secret hashing: only salted scrypt hashes are stored, never the plaintext.

scrypt (memory-hard) with a per-secret 16-byte salt makes a leaked store expensive to attack;
verification recomputes and compares with `hmac.compare_digest` so timing leaks nothing.
Parameters are encoded in the hash string so they can be raised later without a migration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_DKLEN = 32
_MAXMEM = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_secret(secret: str, *, n: int = SCRYPT_N) -> str:
    """Return `scrypt$n$r$p$salt$hash` for `secret` with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        secret.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, dklen=_DKLEN, maxmem=_MAXMEM
    )
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, encoded: str) -> bool:
    """Constant-time check of `secret` against a `hash_secret` string; False on any malformation."""
    try:
        algo, n, r, p, salt, expected = encoded.split("$")
        if algo != "scrypt":
            return False
        digest = hashlib.scrypt(
            secret.encode(),
            salt=_unb64(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=_DKLEN,
            maxmem=_MAXMEM,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, _unb64(expected))


# Verified against when the client id is unknown, so "unknown id" and "wrong secret" take the
# same time and an attacker cannot enumerate client ids.
DUMMY_HASH = hash_secret(secrets.token_urlsafe(16))
