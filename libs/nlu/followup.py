"""Follow-up resolution against conversation context (pure functions, no I/O).

Context keys used: `last_products` (ids in display order), `last_intent`, `last_entities`.
"""

from __future__ import annotations

import re
from typing import Any

from libs.contracts.intent import Entities, IntentResult
from libs.nlu.entities import extract_entities
from libs.nlu.lang import as_language
from libs.nlu.text import normalize

ORDINALS: dict[str, int] = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
    "fifth": 4, "5th": 4, "last": -1, "final": -1,
    "primero": 0, "primera": 0, "primer": 0, "segundo": 1, "segunda": 1, "tercero": 2,
    "tercera": 2, "tercer": 2, "cuarto": 3, "cuarta": 3, "quinto": 4, "quinta": 4,
    "ultimo": -1, "ultima": -1,
    "premier": 0, "premiere": 0, "deuxieme": 1, "seconde": 1, "troisieme": 2,
    "quatrieme": 3, "cinquieme": 4, "dernier": -1, "derniere": -1,
}  # fmt: skip
_ORD_RX = re.compile(r"\b(" + "|".join(ORDINALS) + r")\b")
_NUM_REF = re.compile(r"\b(?:number|numero|no|n|#|el|la|le|item|article)\s?(\d)\b")
_PRONOUN = re.compile(
    r"\b(?:it|this one|that one|this|that|them|those)\b|\b(?:anad|agreg|pon|met|quit|sac|"
    r"compr|dam|muestra|ensena|borr|elimin|llev)\w*(?:lo|la|los|las)\b"
    r"|\b(?:ese|esa|este|esta|eso)\b|\b(?:me lo|lo|la) (?:quiero|llevo|compro)\b"
    r"|\b(?:ajoute|mets|prends|retire|enleve|ajoutez|mettez|prenez) (?:le|la|les)\b"
    r"|\bje (?:le|la|les) (?:prends|veux|achete)\b|\b(?:celui|celle) (?:ci|la)\b|\bca\b"
)
_VERBS: list[tuple[str, re.Pattern[str]]] = [
    (
        "remove_from_basket",
        re.compile(
            r"\b(?:remove|delete|drop|quit\w*|elimin\w*|borr\w*|"
            r"sac\w*|retir\w*|enlev\w*|supprim\w*)\b"
        ),
    ),
    (
        "add_to_basket",
        re.compile(
            r"\b(?:add|buy|take|want|get|anad\w*|agreg\w*|pon\w*|met\w*|"
            r"compr\w*|llevo|quiero|ajout\w*|prend\w*|achet\w*|veux)\b"
        ),
    ),
    (
        "product_details",
        re.compile(
            r"\b(?:how much|price|cost|details?|more about|tell me|"
            r"show me|cuanto|precio|cuesta|vale|detalles?|dime|"
            r"combien|prix|coute|details?|montre)\b"
        ),
    ),
]
_PRICE_Q = re.compile(r"\b(?:how much|price|cost|cuanto|precio|cuesta|combien|prix|coute)\b")
_REFINE = re.compile(
    r"^(?:and|what about|how about|in|y|en|et|que tal|y en|et en|and in|also|tambien|aussi)\b"
)
PRODUCT_INTENTS = frozenset(
    {"product_details", "add_to_basket", "remove_from_basket", "product_question"}
)
SEARCH_INTENTS = frozenset({"search_products", "recommendations"})


def find_reference(text: str, context: dict[str, Any]) -> tuple[str | None, str | None]:
    """(product_ref, product_id) for ordinals/pronouns against `last_products`."""
    products = [str(p) for p in context.get("last_products") or []]
    norm = normalize(text)
    ref: str | None = None
    index: int | None = None
    m = _ORD_RX.search(norm)
    if m:
        ref, index = m.group(1), ORDINALS[m.group(1)]
    elif (n := _NUM_REF.search(norm)) and products:
        ref, index = f"#{n.group(1)}", int(n.group(1)) - 1
    elif _PRONOUN.search(norm) and products:
        ref, index = "it", 0
    if ref is None:
        return None, None
    if index is not None and products and -len(products) <= index < len(products):
        return ref, products[index]
    return ref, None


def _merge(old: dict[str, Any] | None, new: Entities) -> Entities:
    merged = Entities.model_validate(old or {})
    updates = {k: v for k, v in new.model_dump().items() if v is not None}
    return merged.model_copy(update=updates)


def attach_context(result: IntentResult, text: str, context: dict[str, Any] | None) -> IntentResult:
    """Fill `product_ref`/`product_id` of a product-scoped result from the context."""
    if not context or result.intent not in PRODUCT_INTENTS or result.entities.product_id:
        return result
    ref, pid = find_reference(text, context)
    if ref is None:
        return result
    entities = result.entities.model_copy(update={"product_ref": ref, "product_id": pid})
    return result.model_copy(update={"entities": entities})


def resolve_followup(
    text: str, context: dict[str, Any] | None, language: str = "en"
) -> IntentResult | None:
    """Resolve a follow-up utterance, or None when it does not lean on the context."""
    if not context:
        return None
    norm = normalize(text)
    found = extract_entities(text)
    last_intent = context.get("last_intent")
    words = norm.split()
    ref, pid = find_reference(text, context)
    if ref is not None and len(words) <= 12:
        intent = next((name for name, rx in _VERBS if rx.search(norm)), None)
        explicit = intent is not None
        if intent is None and _ORD_RX.search(norm):
            intent = "product_details"
        if intent is None:
            return None  # a bare pronoun: let the classifier decide, then attach_context
        entities = found.model_copy(update={"product_ref": ref, "product_id": pid})
        clar = None if pid else _not_found(language)
        return IntentResult(
            intent=intent,
            confidence=0.9 if explicit else 0.8,
            entities=entities,
            language=as_language(language),
            source="pattern",
            clarification=clar,
        )
    refines = found.colour or found.size or found.category or found.price_max or found.price_min
    if len(words) <= 6 and refines and _REFINE.search(norm) and last_intent in SEARCH_INTENTS:
        entities = _merge(context.get("last_entities"), found)
        return IntentResult(
            intent=str(last_intent),
            confidence=0.85,
            entities=entities,
            language=as_language(language),
            source="pattern",
        )
    last = [str(p) for p in context.get("last_products") or []]
    if _PRICE_Q.search(norm) and last and len(words) <= 10:
        entities = found.model_copy(update={"product_ref": "it", "product_id": last[0]})
        return IntentResult(
            intent="product_details",
            confidence=0.85,
            entities=entities,
            language=as_language(language),
            source="pattern",
        )
    return None


def _not_found(language: str) -> str:
    return {
        "es": "No encuentro ese producto en la lista. ¿Cuál quieres exactamente?",
        "fr": "Je ne trouve pas ce produit dans la liste. Lequel voulez-vous exactement ?",
    }.get(language, "I can't find that product in the list. Which one do you mean?")
