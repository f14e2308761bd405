"""Text analysis for search and Q&A: accent folding, tokenising, stopwords, Snowball stemming.

Text is folded (lower-cased, accents removed) *before* stemming, so a shopper who types "cafe"
or "noel" without accents meets the same terms as the accented catalog text ("café", "Noël").
Both index and query sides go through `analyze`, which is the only thing that must stay in step.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer


def _split(text: str) -> list[str]:
    """Word lists are kept as readable strings."""
    return text.split()


LANG_STEMMERS = {"en": "english", "es": "spanish", "fr": "french"}

_TOKEN_RE = re.compile(r"[a-z0-9]+")

# Small hand-made lists: function words and question words that carry no product meaning.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        _split(
            "a an and are as at be by for from has have how i in is it its of on or that the "
        "this to "
        "was what when where which who will with you your do does did can could my me we our us "
        "any there their they them would should please want need some about get gets got")
    ),
    "es": frozenset(
        _split(
            "el la los las un una unos unas de del y o en a al por para con sin que es son "
        "se su sus "
        "mi mis lo como cual cuales cuando donde hay tiene tienen puedo puede quiero me te le les "
        "nos este esta estos estas ese esa algo alguna alguno muy mas")
    ),
    "fr": frozenset(
        _split(
            "le la les un une des de du et ou en a au aux par pour avec sans que qui est "
        "sont se sa "
        "son ses mon ma mes ce cet cette ces il elle ils je vous nous on l d j n s c qu y "
        "comment quel quelle quels quelles quand ou est-ce avez avoir ai peut puis veux pas ne "
        "tres plus")
    ),
}


def fold(text: str) -> str:
    """Lower-case and strip diacritics ("Noël" -> "noel", "Œ" -> "oe")."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Folded word tokens; single letters are dropped unless digits (elided "l'", "d'")."""
    return [t for t in _TOKEN_RE.findall(fold(text)) if len(t) > 1 or t.isdigit()]


class _Stemmers:
    """One Snowball stemmer per language, created lazily (they are not cheap to build)."""

    def __init__(self) -> None:
        self._by_lang: dict[str, snowballstemmer.stemmer] = {}

    def get(self, lang: str) -> snowballstemmer.stemmer:
        lang = lang if lang in LANG_STEMMERS else "en"
        if lang not in self._by_lang:
            self._by_lang[lang] = snowballstemmer.stemmer(LANG_STEMMERS[lang])
        return self._by_lang[lang]


_STEMMERS = _Stemmers()


@lru_cache(maxsize=200_000)
def stem(token: str, lang: str) -> str:
    """Stem one folded token; cached because catalogs repeat the same few thousand words."""
    if token.isdigit():
        return token
    return str(_STEMMERS.get(lang).stemWord(token))


def is_stopword(token: str, lang: str) -> bool:
    return token in STOPWORDS.get(lang, STOPWORDS["en"])


def analyze(text: str, lang: str = "en") -> list[str]:
    """Terms for indexing or querying: tokens minus stopwords, stemmed for `lang`."""
    stops = STOPWORDS.get(lang, STOPWORDS["en"])
    return [stem(t, lang) for t in tokens(text) if t not in stops]
