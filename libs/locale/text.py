"""Text normalisation shared by the money and date formatters."""

from __future__ import annotations

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"


def normalise_spaces(text: str) -> str:
    """Replace CLDR's narrow no-break spaces with ordinary no-break spaces.

    Same non-breaking behaviour, far better font coverage on chat channels; see format_money.
    """
    return text.replace(NARROW_NBSP, NBSP)
