"""Natural-language product commands (en/es/fr) -> a `ProductDraft` to confirm before writing.

Deliberately rule-based: an admin command touches the live catalog, so every value must be
traceable to words in the sentence. Anything absent lands in `missing`, anything guessed or
doubtful in `ambiguous`; the caller shows the draft and writes only after a "yes".
Prices stay in the currency the admin said; `to_product`/`apply_to` convert through a caller
hook into the shop currency (GBP), so this module needs no exchange rates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from libs.contracts.catalog import LocalizedText, Product, Variant
from libs.locale import from_minor
from services.mcp_workers.admin import nl_lexicon as lx
from services.mcp_workers.admin.ids import product_id_from_handle, slugify
from services.mcp_workers.admin.money import parse_price

Converter = Callable[[int, str, str], int]  # (amount_minor, from_currency, to_currency) -> minor


class DraftIncomplete(ValueError):
    def __init__(self, fields: list[str]) -> None:
        super().__init__(f"draft is missing: {', '.join(fields)}")
        self.fields = fields


class ProductDraft(BaseModel):
    action: Literal["create", "update", "delete"]
    language: str = "en"
    source_text: str = ""
    target: str | None = None  # handle or SKU for update/delete
    title: dict[str, str] = Field(default_factory=dict)
    product_type: str | None = None
    subject: str | None = None
    options: dict[str, str] = Field(default_factory=dict)
    price: int | None = None  # minor units of `currency`
    currency: str | None = None
    category: str | None = None
    stock: int | None = None
    missing: list[str] = Field(default_factory=list)
    ambiguous: list[str] = Field(default_factory=list)

    @property
    def handle(self) -> str:
        return slugify(self.title.get("en") or next(iter(self.title.values()), ""))

    def _shop_price(self, shop_currency: str, convert: Converter | None) -> int:
        if self.price is None or self.currency is None:
            raise DraftIncomplete(["price" if self.price is None else "currency"])
        if self.currency == shop_currency:
            return self.price
        if convert is None:
            raise DraftIncomplete([f"conversion {self.currency}->{shop_currency}"])
        return convert(self.price, self.currency, shop_currency)

    def to_product(
        self, *, shop_currency: str = "GBP", convert: Converter | None = None
    ) -> Product:
        """Build the new product (create drafts only); raises DraftIncomplete if not ready."""
        if self.action != "create":
            raise ValueError("only create drafts build a new product; use apply_to")
        if not self.title:
            raise DraftIncomplete(["title"])
        price = self._shop_price(shop_currency, convert)
        handle = self.handle
        suffix = "-".join(slugify(v) for v in self.options.values())
        sku = slugify(f"{handle}-{suffix}" if suffix else handle, max_length=64).upper()
        en = self.title.get("en") or next(iter(self.title.values()))
        return Product(
            id=product_id_from_handle(handle),
            handle=handle,
            title=LocalizedText(en=en, es=self.title.get("es"), fr=self.title.get("fr")),
            category=self.category or "other",
            currency=shop_currency,
            variants=[
                Variant(sku=sku, options=dict(self.options), price=price, stock=self.stock or 0)
            ],
        )

    def apply_to(
        self, product: Product, *, shop_currency: str = "GBP", convert: Converter | None = None
    ) -> Product:
        """The product after this update; a SKU target changes only that variant."""
        if self.action != "update":
            raise ValueError("only update drafts apply to a product")
        price = self._shop_price(shop_currency, convert) if self.price is not None else None
        only = self.target if any(v.sku == self.target for v in product.variants) else None
        variants = [
            v.model_copy(
                update={
                    k: val
                    for k, val in (("price", price), ("stock", self.stock))
                    if val is not None
                }
            )
            if only in (None, v.sku)
            else v
            for v in product.variants
        ]
        return product.model_copy(update={"variants": variants})

    def summary(self) -> str:
        """One line for the confirmation prompt."""
        parts = [self.action, self.target or self.title.get(self.language) or "?"]
        if self.price is not None:
            # Parsed with GBP's exponent when no currency was said (see _take_money).
            amount = from_minor(self.price, self.currency or "GBP")
            parts.append(f"price {amount} {self.currency or '?'}")
        parts += [f"{k} {v}" for k, v in self.options.items()]
        parts += [f"category {self.category}"] if self.category else []
        parts += [f"stock {self.stock}"] if self.stock is not None else []
        return " · ".join(parts)


def parse_product_command(text: str, lang: str | None = None) -> ProductDraft:
    """Parse one admin sentence. Unrecognised sentences give a create draft full of `missing`."""
    text = " ".join(text.strip().rstrip(".!").split())
    for language, pattern in lx.DELETE_PATTERNS:
        if m := pattern.match(text):
            draft = ProductDraft(action="delete", language=language, source_text=text)
            draft.target = _target(m["target"], draft)
            return draft
    for language, pattern in lx.UPDATE_PATTERNS:
        if m := pattern.match(text):
            return _update(m, language, text)
    return _create(text, lang)


def _target(raw: str, draft: ProductDraft) -> str:
    target = raw.strip().strip("\"'«»“”")
    if " " in target:
        draft.ambiguous.append(
            f"target: {target!r} is not a handle or SKU; using {slugify(target)!r}"
        )
        target = slugify(target)
    return target


def _update(m: re.Match[str], language: str, text: str) -> ProductDraft:
    draft = ProductDraft(action="update", language=language, source_text=text)
    draft.target = _target(m["target"], draft)
    value = m["value"].strip()
    if m["field"].lower() in lx.PRICE_FIELDS:
        _take_money(value, draft, require_prep=False)
        if draft.price is None and "price" not in draft.ambiguous:
            draft.missing.append("price")
    elif value.isdigit():
        draft.stock = int(value)
    else:
        draft.missing.append("stock")
    return draft


def _take_money(text: str, draft: ProductDraft, *, require_prep: bool) -> str:
    """Find the price; return the text without it."""
    found = [
        m
        for m in lx.MONEY.finditer(text)
        if m["amount"] and (m["pre"] or m["post"] or m["prep"] or not require_prep)
    ]
    with_currency = [m for m in found if m["pre"] or m["post"]]
    chosen = with_currency or found
    if not chosen:
        return text
    if len(chosen) > 1:
        draft.ambiguous.append(f"price: several amounts ({', '.join(m['amount'] for m in chosen)})")
    m = chosen[-1]
    symbol = (m["pre"] or m["post"] or "").lower()
    draft.currency = lx.CURRENCY_WORDS.get(symbol)
    if draft.currency is None:
        draft.missing.append("currency")
    amount = m["amount"]
    if re.fullmatch(r"\d{1,3},\d{3}", amount):
        draft.ambiguous.append(f"price: {amount!r} read as a thousands separator")
    try:
        draft.price = parse_price(amount, draft.currency or "GBP")
    except ValueError as exc:
        draft.ambiguous.append(f"price: {exc}")
    return text[: m.start()] + " " + text[m.end() :]


def _create(text: str, lang: str | None) -> ProductDraft:
    # A language hint we have no words for ("xx", "de-CH") counts as no hint: English.
    hint = (lang or "").replace("_", "-").split("-")[0].lower()
    lang = hint if hint in lx.OF else None
    words = text.split(" ", 1)
    verb = words[0].lower()
    language = next((lng for lng, verbs in lx.CREATE_VERBS.items() if verb in verbs), None)
    rest = words[1] if language and len(words) > 1 else text
    draft = ProductDraft(action="create", language=language or lang or "en", source_text=text)
    if language is None:
        draft.ambiguous.append("action: no 'add/añade/ajoute' verb; assumed create")
    if m := lx.SIZE.search(rest):
        unit = f" {m['unit'].lower()}" if m["unit"] else ""
        draft.options["size"] = f"{m['w']}x{m['h']}{unit}"
        rest = rest[: m.start()] + " " + rest[m.end() :]
    elif m := lx.SIZE_WORD.search(rest):
        draft.options["size"] = m["size"].upper()
        rest = rest[: m.start()] + " " + rest[m.end() :]
    if m := lx.CAPACITY.search(rest):
        draft.options["capacity"] = f"{m['n']} {m['unit'].lower()}"
        rest = rest[: m.start()] + " " + rest[m.end() :]
    if m := lx.STOCK.search(rest):
        draft.stock = int(m["n"])
        rest = rest[: m.start()] + " " + rest[m.end() :]
    rest = " ".join(_take_money(rest, draft, require_prep=True).split())
    if m := lx.CATEGORY.search(rest):
        raw = m["cat"].lower()
        draft.category = lx.CATEGORIES.get(raw, slugify(raw))
        if raw not in lx.CATEGORIES:
            draft.ambiguous.append(f"category: {raw!r} is not a known category")
        rest = rest[: m.start()]
    _title(rest.strip(" ,"), draft)
    if draft.price is None and not any(a.startswith("price") for a in draft.ambiguous):
        draft.missing.append("price")
    if not draft.title:
        draft.missing.append("title")
    if draft.category is None:
        draft.missing.append("category")
    return draft


def _title(phrase: str, draft: ProductDraft) -> None:
    lang = draft.language
    first, _, tail = phrase.partition(" ")
    if first.lower() in lx.ARTICLES.get(lang, ()):
        phrase = tail
    if not phrase:
        return
    parts = lx.OF[lang].split(phrase, maxsplit=1)
    noun = parts[0].strip()
    prep = parts[1] if len(parts) == 3 else "of"
    subject = parts[-1].strip() if len(parts) > 1 else None
    draft.product_type, draft.subject = noun.lower(), subject
    english, category = lx.NOUNS.get(noun.lower(), (None, None))
    if draft.category is None and category:
        draft.category = category
        draft.ambiguous.append(f"category: guessed {category!r} from {noun!r}")
    if lang == "en" or english:
        en_noun = (english or noun).title()
        draft.title["en"] = f"{subject} {en_noun}" if subject else en_noun
    if lang != "en":
        joiner = prep if prep.endswith("'") else prep + " "
        head = noun[:1].upper() + noun[1:]
        draft.title[lang] = f"{head} {joiner}{subject}" if subject else head
        if not english:
            draft.missing.append("title.en")
        elif subject:
            draft.ambiguous.append(f"title.en: subject kept as written in {lang}: {subject!r}")
