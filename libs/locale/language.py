"""Language tags: the shop's three languages and Accept-Language parsing."""

from __future__ import annotations

import re
from typing import Literal

ShopLanguage = Literal["en", "es", "fr"]
SHOP_LANGUAGES: tuple[ShopLanguage, ...] = ("en", "es", "fr")

_Q_RE = re.compile(r"^q=([01](?:\.\d{0,3})?)$", re.IGNORECASE)
_TAG_RE = re.compile(r"^(?:[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*|\*)$")


def normalise_language(tag: str | None) -> ShopLanguage | None:
    """The shop language ("en" | "es" | "fr") a BCP 47 / POSIX tag belongs to, else None.

    Only the primary subtag matters: the shop writes one Spanish and one French, so "es-MX"
    and "fr_CA" map to "es" and "fr". None means "not a language we answer in"; the caller
    picks its own fallback because that choice depends on context (market, conversation).
    """
    if not tag:
        return None
    primary = re.split(r"[-_.@]", tag.strip(), maxsplit=1)[0].lower()
    for lang in SHOP_LANGUAGES:
        if primary == lang:
            return lang
    return None


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """Tags of an Accept-Language header, best first, as (tag, q) with '-' separators.

    Ties keep header order (RFC 9110 leaves it open; browsers list in preference order).
    Entries with q=0 ("not acceptable") and malformed entries are dropped rather than raised:
    the header is a hint from the client, never something the shopper typed.
    """
    if not header:
        return []
    entries: list[tuple[int, str, float]] = []
    for index, raw in enumerate(header.split(",")):
        parts = [p.strip() for p in raw.split(";")]
        tag = parts[0].replace("_", "-")
        if not tag or not _TAG_RE.match(tag):
            continue
        q = 1.0
        for param in parts[1:]:
            match = _Q_RE.match(param.replace(" ", ""))
            if match:
                q = float(match.group(1))
        if q <= 0.0:
            continue
        entries.append((index, tag, q))
    entries.sort(key=lambda e: (-e[2], e[0]))
    return [(tag, q) for _, tag, q in entries]
