from typing import Any

import pytest

from libs.contracts.intent import IntentResult
from libs.nlu.followup import attach_context, find_reference, resolve_followup

CTX: dict[str, Any] = {
    "last_products": ["p-1", "p-2", "p-3"],
    "last_intent": "search_products",
    "last_entities": {
        "category": "mugs",
        "query": "Van Gogh mug",
        "price_max": 2000,
        "currency": "EUR",
    },
}


@pytest.mark.parametrize(
    ("text", "lang", "intent", "product_id"),
    [
        ("add the second one", "en", "add_to_basket", "p-2"),
        ("add it to my basket", "en", "add_to_basket", "p-1"),
        ("the last one", "en", "product_details", "p-3"),
        ("tell me more about the first one", "en", "product_details", "p-1"),
        ("remove the third one", "en", "remove_from_basket", "p-3"),
        ("añade el segundo", "es", "add_to_basket", "p-2"),
        ("añádelo a la cesta", "es", "add_to_basket", "p-1"),
        ("me llevo la última", "es", "add_to_basket", "p-3"),
        ("el primero", "es", "product_details", "p-1"),
        ("ajoute-le au panier", "fr", "add_to_basket", "p-1"),
        ("le premier", "fr", "product_details", "p-1"),
        ("je prends le deuxième", "fr", "add_to_basket", "p-2"),
        ("montre-moi le dernier", "fr", "product_details", "p-3"),
        ("add number 2", "en", "add_to_basket", "p-2"),
    ],
)  # fmt: skip
def test_ordinals_and_pronouns_resolve_to_shown_products(
    text: str, lang: str, intent: str, product_id: str
) -> None:
    result = resolve_followup(text, CTX, lang)
    assert result is not None
    assert (result.intent, result.entities.product_id, result.language) == (
        intent,
        product_id,
        lang,
    )
    assert result.source == "pattern"
    assert result.clarification is None


@pytest.mark.parametrize(
    ("text", "lang", "colour"),
    [("and in blue?", "en", "blue"), ("¿y en azul?", "es", "blue"), ("et en rouge ?", "fr", "red")],
)
def test_refinement_carries_over_the_previous_search(text: str, lang: str, colour: str) -> None:
    result = resolve_followup(text, CTX, lang)
    assert result is not None
    assert result.intent == "search_products"
    assert result.entities.colour == colour
    assert (result.entities.category, result.entities.query, result.entities.price_max) == (
        "mugs",
        "Van Gogh mug",
        2000,
    )


@pytest.mark.parametrize(
    ("text", "lang", "currency"),
    [("how much is it in euros?", "en", "EUR"), ("¿cuánto cuesta en dólares?", "es", "USD"),
     ("combien ça coûte en livres ?", "fr", "GBP")],
)  # fmt: skip
def test_price_question_targets_the_last_product(text: str, lang: str, currency: str) -> None:
    ctx = {"last_products": ["p-9"], "last_intent": "product_details"}
    result = resolve_followup(text, ctx, lang)
    assert result is not None
    assert (result.intent, result.entities.product_id, result.entities.currency) == (
        "product_details",
        "p-9",
        currency,
    )


def test_out_of_range_ordinal_asks_instead_of_guessing() -> None:
    result = resolve_followup("add the fifth one", CTX, "en")
    assert result is not None
    assert result.entities.product_id is None
    assert result.clarification


def test_unrelated_text_and_missing_context_are_left_alone() -> None:
    assert resolve_followup("what's the weather like?", CTX, "en") is None
    assert resolve_followup("add the second one", None, "en") is None
    assert resolve_followup("and in blue?", {"last_intent": "order_status"}, "en") is None


def test_bare_pronoun_is_attached_after_classification() -> None:
    assert resolve_followup("is it dishwasher safe?", CTX, "en") is None
    classified = IntentResult(intent="product_question", confidence=0.9)
    attached = attach_context(classified, "is it dishwasher safe?", CTX)
    assert attached.entities.product_id == "p-1"
    greeting = IntentResult(intent="greeting", confidence=0.9)
    assert attach_context(greeting, "hi it's me", CTX).entities.product_id is None


def test_find_reference_without_products() -> None:
    assert find_reference("the second one", {}) == ("second", None)
    assert find_reference("hello", {"last_products": ["a"]}) == (None, None)
