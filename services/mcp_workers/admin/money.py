"""Strict price parsing into minor units; anything doubtful is an error, never a guess.

Accepted: "29.90", "29,90" (decimal comma), "1,299.00", "1.299,00", "1299", "£29.90", numbers.
Rejected: "abc", "-3", "12,34,5", "29.999" (too many decimals for the currency), "".
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from libs.locale.money import UnknownCurrencyError, minor_units

_SYMBOLS = "£€$¥"
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")
_THOUSANDS_DOT_DEC = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")  # 1,299.00
_THOUSANDS_COMMA_DEC = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")  # 1.299,00
_DECIMAL_COMMA = re.compile(r"^\d+,\d{1,2}$")  # 29,90


def parse_price(value: object, currency: str = "GBP") -> int:
    """Price in major units (text or number) -> minor units; ValueError explains the rejection."""
    if isinstance(value, bool) or value is None:
        raise ValueError("price is missing")
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    text = text.strip(_SYMBOLS).removesuffix(currency.upper()).strip(_SYMBOLS)
    if not text:
        raise ValueError("price is missing")
    if text.startswith("-"):
        raise ValueError(f"negative price {text!r}")
    if _PLAIN.match(text):
        normal = text
    elif _DECIMAL_COMMA.match(text):
        normal = text.replace(",", ".")
    elif _THOUSANDS_DOT_DEC.match(text):
        normal = text.replace(",", "")
    elif _THOUSANDS_COMMA_DEC.match(text):
        normal = text.replace(".", "").replace(",", ".")
    else:
        raise ValueError(f"not a price: {text[:40]!r}")
    try:
        amount = Decimal(normal)
    except InvalidOperation as exc:
        raise ValueError(f"not a price: {text[:40]!r}") from exc
    try:
        exponent = minor_units(currency)  # CLDR, through libs.locale: the one table
    except UnknownCurrencyError as exc:
        raise ValueError(f"unknown currency {currency!r}") from exc
    minor = amount.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise ValueError(f"too many decimals for {currency}: {text!r}")
    return int(minor)
