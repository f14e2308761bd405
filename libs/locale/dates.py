"""Date formatting in the shopper's locale."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime

from libs.locale.text import normalise_spaces

DateFormat = Literal["short", "medium", "long", "full"] | str


def format_date(value: date | datetime, locale: str, format: DateFormat = "medium") -> str:
    """Format a date, or a datetime including its time, the way the locale writes it.

    A datetime keeps its time part because order and delivery messages need it; CLDR's narrow
    no-break spaces (e.g. before "PM" in en_US) are normalised like in format_money.
    """
    if isinstance(value, datetime):
        text = _babel_format_datetime(value, format=format, locale=locale)
    else:
        text = _babel_format_date(value, format=format, locale=locale)
    return normalise_spaces(text)
