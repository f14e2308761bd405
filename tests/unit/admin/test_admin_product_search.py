"""The admin list's search: every word must appear in the id, handle, a title or a SKU."""

from __future__ import annotations

from libs.contracts.catalog import Product
from services.mcp_workers.admin.handlers import matches

STARRY = Product.model_validate(
    {
        "id": "p-1",
        "handle": "starry-night-poster",
        "title": {"en": "The Starry Night poster", "es": "La noche estrellada"},
        "category": "prints",
        "variants": [{"sku": "VG-STAR-50", "price": 2990, "stock": 3}],
    }
)


def test_words_match_any_case_across_title_languages_and_skus() -> None:
    assert matches(STARRY, "starry POSTER")
    assert matches(STARRY, "estrellada")
    assert matches(STARRY, "vg-star")


def test_every_word_must_match() -> None:
    assert not matches(STARRY, "starry monet")
