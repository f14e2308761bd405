"""`ask_business`: answers about a product's attributes and about the shop's policies (en/es/fr).

Product questions are answered from the catalog record itself (price, stock, category, colour and
size options, description) by spotting the attribute the shopper asks about — no model needed,
and the answer is always true to the catalog. Policy questions are answered by BM25 retrieval over
the sections of `docs/policies/*.md` (each has `## en|es|fr` parts split into `###` sections):
the best section is returned verbatim with its source, so the answer can be checked.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from libs.catalog.bm25 import Bm25Index
from libs.catalog.text import analyze, fold, tokens
from libs.contracts.catalog import LANGUAGES, Product
from libs.locale import UnknownCurrencyError, format_money

POLICY_DIR = Path(__file__).resolve().parents[3] / "docs" / "policies"
MIN_POLICY_SCORE = 1.0

def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Folded question words that point at one product attribute; first match wins, so the
# generic availability words ("hay", "available") come last.
ATTRIBUTE_WORDS: dict[str, frozenset[str]] = {
    "price": _words("price prices cost costs much expensive cheap precio precios cuesta cuanto "
                     "vale cuestan prix coute combien cher"),
    "colour": _words("colour color colours colors colores couleur couleurs"),
    "size": _words("size sizes big dimensions talla tallas tamano medida taille tailles grandeur"),
    "category": _words("category kind type categoria tipo categorie genre"),
    "stock": _words("stock available availability left instock disponible disponibles "
                     "existencias quedan hay disponibilite reste restent"),
}

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {"price": "{title} costs {price}.", "in": "{title} is in stock ({stock} available).",
           "out": "{title} is out of stock right now.", "category": "{title} is in {category}.",
           "colour": "{title} comes in: {values}.", "size": "{title} comes in size: {values}.",
           "none_opt": "{title} has no {attribute} options.",
           "unknown": "Sorry, I could not find an answer to that. Could you rephrase it?"},
    "es": {"price": "{title} cuesta {price}.", "in": "{title} está disponible ({stock} unidades).",
           "out": "{title} está agotado ahora mismo.", "category": "{title} es de {category}.",
           "colour": "{title} está disponible en: {values}.", "size": "{title} tiene talla: "
           "{values}.", "none_opt": "{title} no tiene opciones de {attribute}.",
           "unknown": "Lo siento, no encuentro la respuesta. ¿Puede reformular la pregunta?"},
    "fr": {"price": "{title} coûte {price}.", "in": "{title} est en stock ({stock} disponibles).",
           "out": "{title} est en rupture de stock.", "category": "{title} fait partie de "
           "{category}.", "colour": "{title} existe en : {values}.", "size": "{title} existe en "
           "taille : {values}.", "none_opt": "{title} n'a pas d'option de {attribute}.",
           "unknown": "Désolé, je ne trouve pas la réponse. Pouvez-vous reformuler ?"},
}


class Answer(BaseModel):
    answer: str
    kind: Literal["product", "policy", "none"]
    language: str
    source: str | None = None  # "docs/policies/returns.md#refunds" or "product:<id>"
    attribute: str | None = None
    score: float | None = None


class PolicyPassage(BaseModel):
    doc: str
    language: str
    heading: str
    text: str

    @property
    def source(self) -> str:
        anchor = re.sub(r"[^a-z0-9]+", "-", fold(self.heading)).strip("-")
        return f"docs/policies/{self.doc}#{anchor}"


def load_policies(directory: Path = POLICY_DIR) -> list[PolicyPassage]:
    """Split each policy document into (language, ### section) passages."""
    passages: list[PolicyPassage] = []
    for path in sorted(directory.glob("*.md")):
        lang, heading = "en", ""
        body: list[str] = []
        for line in [*path.read_text(encoding="utf-8").splitlines(), "### "]:
            if line.startswith("## ") or line.startswith("### "):
                if heading and "".join(body).strip():
                    passages.append(PolicyPassage(doc=path.name, language=lang, heading=heading,
                                                  text=" ".join(b.strip() for b in body).strip()))
                body = []
                if line.startswith("## "):
                    lang, heading = line[3:].strip().lower(), ""
                else:
                    heading = line[4:].strip()
            elif heading:
                body.append(line)
    return passages


class ShopQA:
    """Answers shopper questions; one BM25 index of policy passages per language."""

    def __init__(self, passages: list[PolicyPassage] | None = None) -> None:
        self.passages = load_policies() if passages is None else passages
        self._indexes: dict[str, Bm25Index] = {lang: Bm25Index() for lang in LANGUAGES}
        for i, passage in enumerate(self.passages):
            index = self._indexes.get(passage.language)
            if index is not None:
                index.upsert(str(i), [(analyze(passage.heading, passage.language), 2.0),
                                      (analyze(passage.text, passage.language), 1.0)])

    def ask(self, question: str, language: str = "en", product: Product | None = None) -> Answer:
        lang = language if language in LANGUAGES else "en"
        if product is not None:
            attribute = detect_attribute(question)
            if attribute or not self._best_policy(question, lang):
                return product_answer(product, attribute or "description", lang)
        best = self._best_policy(question, lang)
        if best is None:
            return Answer(answer=TEMPLATES[lang]["unknown"], kind="none", language=lang)
        passage, score = best
        return Answer(answer=passage.text, kind="policy", language=lang, source=passage.source,
                      attribute=passage.heading, score=round(score, 3))

    def _best_policy(self, question: str, lang: str) -> tuple[PolicyPassage, float] | None:
        index = self._indexes[lang]
        terms = {t: 1.0 for t in analyze(question, lang)}
        scores = index.scores(terms)
        if not scores:
            return None
        slot, score = max(scores.items(), key=lambda item: item[1])
        if score < MIN_POLICY_SCORE:
            return None
        return self.passages[int(index.key_of(slot))], score


def detect_attribute(question: str) -> str | None:
    words = set(tokens(question))
    if "how" in words and "much" in words:
        return "price"
    for attribute, keys in ATTRIBUTE_WORDS.items():
        if words & keys:
            return attribute
    return None


def price_text(amount: int, currency: str, lang: str) -> str:
    """The price as the shopper's language writes it (libs.locale: CLDR's decimals per
    currency, so JPY has none); a code CLDR does not know gets two decimals, as Babel assumes."""
    try:
        return format_money(amount, currency, lang)
    except UnknownCurrencyError:
        return f"{amount / 100:.2f} {currency}"


def product_answer(product: Product, attribute: str, lang: str) -> Answer:
    """A templated answer from the catalog record for one attribute."""
    t = TEMPLATES[lang]
    title = product.title.get(lang)
    stock = sum(v.stock for v in product.variants)
    if attribute == "price":
        text = t["price"].format(title=title, price=price_text(product.price, product.currency, lang))
    elif attribute == "stock":
        text = (t["in"] if stock > 0 else t["out"]).format(title=title, stock=stock)
    elif attribute == "category":
        text = t["category"].format(title=title, category=product.category)
    elif attribute in ("colour", "size"):
        values = sorted({v.options[attribute] for v in product.variants if attribute in v.options})
        key = attribute if values else "none_opt"
        text = t[key].format(title=title, values=", ".join(values), attribute=attribute)
    else:
        text = product.description.get(lang) or title
    return Answer(answer=text, kind="product", language=lang, source=f"product:{product.id}",
                  attribute=attribute)
