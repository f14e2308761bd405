"""Text normalisation: lowercase, accents folded, punctuation spaced, whitespace collapsed."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[¿¡!?;:()\"“”«»\[\]{}]+|(?<!\d)[.,]+|[.,]+(?!\d)")
_SPACES = re.compile(r"\s+")
_APOS = re.compile(r"[’`´]")


def fold(text: str) -> str:
    """Lowercase and strip diacritics ("Añádelo à" -> "anadelo a"); keeps other characters."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """Folded text with punctuation turned into spaces, apostrophes unified, spaces collapsed.

    Keeps `€ £ $ # - / x %` and digits so entities and ids survive.
    """
    folded = _APOS.sub("'", fold(text))
    folded = _PUNCT.sub(" ", folded)
    folded = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", folded)
    return _SPACES.sub(" ", folded).strip()


def tokens(text: str) -> list[str]:
    """Word tokens of the normalised text (splits French elisions: "l'affiche" -> l', affiche)."""
    return re.findall(r"[a-z]+'|[a-z0-9]+(?:[-/][a-z0-9]+)*|[€£$#%]", normalize(text))
