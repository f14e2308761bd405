"""Multilingual catalog search: BM25 over title/tags/description, filters and cursor paging.

Each product is indexed in every language it has text for, each with its own Snowball stemmer,
into one shared term space. A query is analysed with its own language's stemmer, plus the English
stemmer (shoppers mix in English words) plus the glossary's English equivalent of es/fr words, so
"tazas" finds "mug" even where the catalog has no Spanish title. Query terms the index does not
know (at least 5 letters) get one edit of typo tolerance.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable

import numpy as np
from pydantic import BaseModel, Field

from libs.catalog.bm25 import Bm25Index
from libs.catalog.glossary import CATEGORY_LABELS, reverse_stems
from libs.catalog.text import analyze, is_stopword, stem, tokens
from libs.contracts.catalog import LANGUAGES, Product
from services.mcp_workers.storefront.search_columns import FilterColumns

TITLE_BOOST, TAG_BOOST, DESCRIPTION_BOOST, CODE_BOOST = 3.0, 2.0, 1.0, 1.0
FUZZY_WEIGHT = 0.7
MAX_LIMIT = 50


class InvalidCursorError(ValueError):
    """The cursor is malformed or belongs to a different query/filter combination."""


class SearchFilters(BaseModel):
    category: str | None = None
    price_min: int | None = Field(default=None, ge=0, description="minor units, inclusive")
    price_max: int | None = Field(default=None, ge=0, description="minor units, inclusive")
    available: bool | None = Field(default=None, description="True = in stock only")
    region: str | None = Field(default=None, description="market region, e.g. UK, EU, US")

    def accepts(self, product: Product) -> bool:
        if self.category and product.category != self.category:
            return False
        price = product.price
        if self.price_min is not None and price < self.price_min:
            return False
        if self.price_max is not None and price > self.price_max:
            return False
        if self.available is not None and product.in_stock != self.available:
            return False
        return not (self.region and not product.available_in(self.region))


class SearchHit(BaseModel):
    product: Product
    score: float


class SearchPage(BaseModel):
    hits: list[SearchHit]
    total: int
    next_cursor: str | None = None


def product_fields(product: Product) -> list[tuple[list[str], float]]:
    """Analysed (terms, boost) fields of a product, in every language it has text for."""
    fields: list[tuple[list[str], float]] = []
    for lang in LANGUAGES:
        title = getattr(product.title, lang)
        if title:
            fields.append((analyze(title, lang), TITLE_BOOST))
        description = getattr(product.description, lang)
        if description:
            fields.append((analyze(description, lang), DESCRIPTION_BOOST))
    labels = CATEGORY_LABELS.get(product.category, (product.category, "", ""))
    tag_terms = analyze(" ".join(product.tags) + " " + product.category + " " + labels[0], "en")
    tag_terms += analyze(labels[1], "es") + analyze(labels[2], "fr")
    fields.append((tag_terms, TAG_BOOST))
    codes = {product.id, *(v.sku for v in product.variants)}
    fields.append(([t for c in codes for t in tokens(c)], CODE_BOOST))
    return fields


class CatalogSearch:
    """Search index over products; keep it current with `upsert`/`remove` (or a read model)."""

    def __init__(self, products: Iterable[Product] = ()) -> None:
        self._index = Bm25Index()
        self._columns = FilterColumns()
        self._products: dict[str, Product] = {}
        for product in products:
            self.upsert(product)

    def __len__(self) -> int:
        return len(self._products)

    def upsert(self, product: Product) -> None:
        self._products[product.id] = product
        self._index.upsert(product.id, product_fields(product))
        slot = self._index.slot_of(product.id)
        assert slot is not None
        self._columns.set(slot, product)

    def remove(self, product_id: str) -> None:
        self._products.pop(product_id, None)
        slot = self._index.slot_of(product_id)
        if slot is not None:
            self._columns.clear(slot)
        self._index.remove(product_id)

    def on_change(self, product_id: str, product: Product | None) -> None:
        """Read-model listener: `CatalogReadModel.subscribe(search.on_change)`."""
        if product is None:
            self.remove(product_id)
        else:
            self.upsert(product)

    def query_terms(self, query: str, language: str = "en") -> dict[str, float]:
        """Weighted index terms for a query (own stemmer, English stemmer, glossary, typo fix)."""
        lang = language if language in LANGUAGES else "en"
        reverse = reverse_stems(lang) if lang != "en" else {}
        terms: dict[str, float] = {}
        for token in tokens(query):
            if is_stopword(token, lang):
                continue
            own = stem(token, lang)
            alternatives = {own, stem(token, "en")}
            if own in reverse:
                alternatives.add(stem(reverse[own], "en"))
            known = [t for t in alternatives if self._index.has_term(t)]
            if not known and len(token) >= 5:
                fixed = self._index.fuzzy(own) or self._index.fuzzy(stem(token, "en"))
                if fixed:
                    terms[fixed] = max(terms.get(fixed, 0.0), FUZZY_WEIGHT)
            for term in known:
                terms[term] = 1.0
        return terms

    def search(
        self,
        query: str,
        language: str = "en",
        filters: SearchFilters | None = None,
        cursor: str | None = None,
        limit: int = 10,
    ) -> SearchPage:
        """Ranked products; an empty query browses the (filtered) catalog in catalog order."""
        filters = filters or SearchFilters()
        limit = max(1, min(limit, MAX_LIMIT))
        fingerprint = _fingerprint(query, language, filters)
        offset = _decode_cursor(cursor, fingerprint) if cursor else 0
        size = self._index.capacity
        mask = self._columns.mask(size, **filters.model_dump())
        key_of = self._index.key_of
        ranked: list[tuple[float, str]]
        if query.strip():
            scores = self._index.score_array(self.query_terms(query, language))
            candidates = np.flatnonzero(mask & (scores > 0))
            total, wanted = len(candidates), offset + limit
            if total > wanted:  # keep everything tied with the cut-off so paging is stable
                cut = np.partition(scores[candidates], total - wanted)[total - wanted]
                candidates = candidates[scores[candidates] >= cut]
            ranked = sorted(((float(scores[i]), key_of(int(i))) for i in candidates),
                            key=lambda m: (-m[0], m[1]))
        else:
            candidates = np.flatnonzero(mask)
            total = len(candidates)
            ranked = [(0.0, key_of(int(i))) for i in candidates[: offset + limit]]
        page = ranked[offset : offset + limit]
        more = offset + limit < total
        return SearchPage(
            hits=[SearchHit(product=self._products[k], score=round(s, 4)) for s, k in page],
            total=total,
            next_cursor=_encode_cursor(offset + limit, fingerprint) if more else None,
        )


def _fingerprint(query: str, language: str, filters: SearchFilters) -> str:
    raw = json.dumps([query.strip().lower(), language, filters.model_dump()], sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def _encode_cursor(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "f": fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, fingerprint: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset, their = int(data["o"]), str(data["f"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidCursorError("malformed cursor") from exc
    if their != fingerprint or offset < 0:
        raise InvalidCursorError("cursor does not belong to this query")
    return offset
