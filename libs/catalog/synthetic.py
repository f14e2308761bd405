"""A deterministic synthetic catalog for benchmarks (100k products in a few seconds).

Titles are drawn from gift-ware words with a Zipf-like skew, so some terms are very common
(long posting lists) and others rare, which is what makes search latency interesting.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from libs.catalog.glossary import translate_title
from libs.catalog.keywords import CATEGORY_RULES, categorize, options_for, tags_for
from libs.contracts.catalog import LocalizedText, Product, Variant


def _split(text: str) -> list[str]:
    """Word lists are kept as readable strings."""
    return text.split()


_ADJECTIVES = _split(
    "red pink blue green white black yellow gold silver vintage retro small large jumbo mini "
    "ceramic glass wooden metal enamel felt paisley spotty floral regency woodland antique "
    "hanging christmas birthday childrens"
)
_THEMES = _split(
    "heart star bird flower owl butterfly strawberry rose skull cat dog fairy spaceboy "
    "paris london garden kitchen party wedding lace gingham"
)
_NOUNS = sorted({w.lower() for _, keys in CATEGORY_RULES for w in keys if w.isalpha()})


def synthetic_catalog(n: int, seed: int = 7) -> Iterator[Product]:
    """`n` products with ids `S000001`...; the same (n, seed) always gives the same catalog."""
    rng = random.Random(seed)
    weights = [1.0 / (i + 1) for i in range(len(_NOUNS))]
    for i in range(1, n + 1):
        noun = rng.choices(_NOUNS, weights=weights)[0]
        words = [rng.choice(_ADJECTIVES), rng.choice(_THEMES), rng.choice(_ADJECTIVES), noun]
        title = " ".join(w.capitalize() for w in words)
        upper = title.upper()
        code = f"S{i:06d}"
        yield Product(
            id=code,
            handle=f"{title.lower().replace(' ', '-')}-{code.lower()}",
            title=LocalizedText(en=title, es=translate_title(title, "es"),
                                fr=translate_title(title, "fr")),
            description=LocalizedText(en=f"{title}, a synthetic product number {i}."),
            category=categorize(upper),
            tags=tags_for(upper),
            vendor="Museo",
            variants=[Variant(sku=code, options=options_for(upper),
                              price=rng.randint(50, 5000), stock=rng.choice((0, 5, 20, 100)))],
            markets=rng.choice(([], [], ["UK"], ["UK", "EU"])),
        )
