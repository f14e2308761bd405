"""Bulk price changes in words (en/es/fr): "lower all Monet prints by 10%", "sube todas las
tazas un 5 %", "baisse toutes les estampes de Monet de 2 GBP".

Rule-based like `nl_product`: the selection and the change must be traceable to the sentence.
A category word ("prints", "láminas", "estampes") selects the category; every other word must
appear in a product's titles, tags, vendor or handle. The change is a percentage or an amount
in the shop currency; new prices are computed with the project's money helper
(`libs.locale.money`, Decimal, half-up at the minor unit). Nothing is written here: the plan
lists every product with its price before and after, and the caller applies it on confirmation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, Field

from libs.catalog.text import fold, is_stopword, tokens
from libs.contracts.admin import BulkPriceOperation, PriceChange
from libs.contracts.catalog import Product
from libs.locale.money import from_minor, to_minor
from services.mcp_workers.admin import nl_lexicon as lx
from services.mcp_workers.admin.money import parse_price

MAX_PRODUCTS = 100  # a bigger change is an import, not a sentence
_I = re.IGNORECASE
_AMOUNT = (r"(?P<pre>[€£$])?\s*(?P<n>\d+(?:[.,]\d+)?)\s*"
           r"(?P<unit>%|percent|per\s*cent|por\s*ciento|pour\s*cent|[€£$]|[a-z]{3}\b|"
           r"euros?|pounds?|libras?|livres?|dollars?|d[óo]lares)?")
DOWN = {"lower", "reduce", "decrease", "cut", "drop", "discount", "mark down", "baja", "bajar",
        "rebaja", "rebajar", "reducir", "disminuye", "disminuir", "baisse", "baisser",
        "baissez", "réduis", "réduire", "réduisez", "diminue", "diminuer", "diminuez"}
PATTERNS = [
    ("en", re.compile(
        r"^(?P<verb>lower|reduce|decrease|cut|drop|discount|mark down|raise|increase|mark up|"
        r"put up)\s+(?:the\s+)?(?:prices?\s+(?:of|on|for)\s+)?(?:all|every|each)\s+(?:the\s+)?"
        r"(?P<target>.+?)\s+(?:prices?\s+)?by\s+" + _AMOUNT + r"$", _I)),
    ("es", re.compile(
        r"^(?P<verb>baja|bajar|rebaja|rebajar|reduce|reducir|disminuye|disminuir|sube|subir|"
        r"aumenta|aumentar|incrementa|incrementar)\s+(?:el\s+precio\s+de\s+|los\s+precios\s+de\s+)?"
        r"(?:todos\s+los|todas\s+las|todo\s+el|toda\s+la)\s+(?P<target>.+?)\s+(?:un|en|el)\s+"
        + _AMOUNT + r"$", _I)),
    ("fr", re.compile(
        r"^(?P<verb>baisse|baisser|baissez|réduis|réduire|réduisez|diminue|diminuer|diminuez|"
        r"augmente|augmenter|augmentez|monte|hausse)\s+(?:le\s+prix\s+de\s+|les\s+prix\s+de\s+)?"
        r"(?:tous\s+les|toutes\s+les)\s+(?P<target>.+?)\s+de\s+" + _AMOUNT + r"$", _I)),
]


class BulkPriceDraft(BaseModel):
    language: str
    source_text: str
    direction: int  # -1 lower, +1 raise
    percent: str | None = None  # a Decimal as text, e.g. "10"
    amount: int | None = None  # minor units of `currency`
    currency: str | None = None
    category: str | None = None
    words: list[str] = Field(default_factory=list)
    target: str = ""
    missing: list[str] = Field(default_factory=list)
    ambiguous: list[str] = Field(default_factory=list)

    def describe(self) -> str:
        sign = "-" if self.direction < 0 else "+"
        if self.percent is not None:
            return f"{sign}{self.percent}%"
        if self.amount is not None and self.currency:
            return f"{sign}{from_minor(self.amount, self.currency)} {self.currency}"
        return "?"


def parse_bulk_price(text: str) -> BulkPriceDraft | None:
    """The bulk change a sentence asks for, or None when it is not one."""
    text = " ".join(text.strip().rstrip(".!").split())
    for language, pattern in PATTERNS:
        if m := pattern.match(text):
            return _draft(m, language, text)
    return None


def _draft(m: re.Match[str], language: str, text: str) -> BulkPriceDraft:
    direction = -1 if m["verb"].lower() in DOWN else 1
    draft = BulkPriceDraft(language=language, source_text=text, direction=direction,
                           target=m["target"])
    unit = (m["unit"] or m["pre"] or "").lower().replace(" ", "")
    if unit in ("%", "percent", "porciento", "pourcent"):
        try:
            percent = Decimal(m["n"].replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits digits only
            percent = Decimal(-1)
        if not Decimal(0) < percent < Decimal(100):
            draft.missing.append(f"percentage: {m['n']}% is not between 0 and 100")
        else:
            draft.percent = format(percent.normalize(), "f")
    else:
        draft.currency = lx.CURRENCY_WORDS.get(unit) or (unit.upper() if len(unit) == 3 else None)
        if draft.currency is None:
            draft.missing.append("unit: say a percentage (10%) or an amount with its currency")
        else:
            try:
                draft.amount = parse_price(m["n"], draft.currency)
            except ValueError as exc:
                draft.missing.append(f"amount: {exc}")
    _selection(m["target"], draft)
    return draft


def _selection(target: str, draft: BulkPriceDraft) -> None:
    words = []
    for raw in tokens(fold(target)):
        if (category := _category(raw)) is not None and draft.category is None:
            draft.category = category
        elif not is_stopword(raw, draft.language) and raw not in ("by", "par", "por"):
            words.append(raw)
    draft.words = words
    if draft.category is None and not words:
        draft.missing.append("products: say which (a category or words of their titles)")


def _category(word: str) -> str | None:
    folded = {fold(k): v for k, v in lx.CATEGORIES.items()}
    return folded.get(word) or folded.get(word + "s")


def _haystack(product: Product) -> set[str]:
    texts: Iterable[str] = [product.id, product.handle, product.vendor, *product.tags,
                            *(t for t in product.title.model_dump().values() if t)]
    return {t for text in texts for t in tokens(fold(text))}


def selected(draft: BulkPriceDraft, products: Iterable[Product]) -> list[Product]:
    found = [p for p in products
             if (draft.category is None or p.category == draft.category)
             and set(draft.words) <= _haystack(p)]
    return sorted(found, key=lambda p: p.id)


def new_price(before: int, draft: BulkPriceDraft, currency: str) -> int:
    if draft.percent is not None:
        factor = 1 + draft.direction * Decimal(draft.percent) / 100
        return to_minor(from_minor(before, currency) * factor, currency)
    assert draft.amount is not None
    return before + draft.direction * draft.amount


def plan(draft: BulkPriceDraft, products: Iterable[Product],
         shop_currency: str = "GBP") -> BulkPriceOperation | None:
    """Every variant's price before and after, or None (with `draft.missing` saying why)."""
    if draft.missing:
        return None
    if draft.amount is not None and draft.currency != shop_currency:
        draft.missing.append(f"amount: prices are in {shop_currency}, not {draft.currency}")
        return None
    chosen = selected(draft, products)
    if not chosen:
        draft.missing.append(f"products: none match {draft.target!r}")
        return None
    if len(chosen) > MAX_PRODUCTS:
        draft.missing.append(f"products: {len(chosen)} match; at most {MAX_PRODUCTS} at once")
        return None
    changes = []
    for product in chosen:
        for variant in product.variants:
            after = new_price(variant.price, draft, product.currency)
            if after <= 0:
                draft.ambiguous.append(f"{variant.sku}: would cost nothing or less; left as is")
                continue
            changes.append(PriceChange(product_id=product.id, sku=variant.sku,
                                       title=product.title.get(draft.language),
                                       currency=product.currency, before=variant.price,
                                       after=after))
    if not changes:
        draft.missing.append("products: no price can change that way")
        return None
    return BulkPriceOperation(description=draft.describe(), changes=changes)
