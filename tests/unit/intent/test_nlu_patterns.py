from collections import Counter

import pytest

from libs.nlu.patterns import RULES, match_patterns
from libs.nlu.text import normalize
from services.mcp_workers.intent.data import load_corpus


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Hi!", "greeting"), ("buenos días", "greeting"), ("Bonjour", "greeting"),
        ("help", "help"), ("¿qué puedes hacer?", "help"), ("comment ça marche ?", "help"),
        ("add the Starry Night poster to my basket", "add_to_basket"),
        ("añade dos tazas al carrito", "add_to_basket"), ("ajoute la bougie au panier", "add_to_basket"),
        ("remove the mug from my cart", "remove_from_basket"),
        ("quita la vela de la cesta", "remove_from_basket"),
        ("retire le carnet de mon panier", "remove_from_basket"),
        ("what's in my basket?", "view_basket"), ("¿qué hay en mi carrito?", "view_basket"),
        ("voir mon panier", "view_basket"), ("proceed to checkout", "checkout"),
        ("quiero pagar", "checkout"), ("je veux payer", "checkout"),
        ("where is my order #10234?", "order_status"), ("¿dónde está mi pedido?", "order_status"),
        ("où est ma commande ?", "order_status"),
        ("import products from products.csv", "import_products"),
        ("delete the Klimt notebook from the catalog", "delete_product"),
        ("elimina la taza del catálogo", "delete_product"),
        ("create a new product: Monet mug", "create_product"),
        ("ajoute un nouveau produit au catalogue", "create_product"),
        ("change the price of the Monet mug to 25 euros", "update_product"),
    ],
)  # fmt: skip
def test_common_phrasings_match_with_high_confidence(text: str, intent: str) -> None:
    result = match_patterns(text)
    assert result is not None
    assert (result.intent, result.source) == (intent, "pattern")
    assert result.confidence >= 0.9


@pytest.mark.parametrize(
    "text", ["I am looking for something nice", "tell me a joke", "mugs", "is it vegan?",
             "hi, can you show me blue mugs?", ""],
)  # fmt: skip
def test_returns_none_when_nothing_matches_confidently(text: str) -> None:
    assert match_patterns(text) is None


def test_pattern_result_carries_language_and_entities() -> None:
    result = match_patterns("añade dos tazas azules al carrito")
    assert result is not None
    assert result.language == "es"
    assert (result.entities.quantity, result.entities.colour, result.entities.category) == (
        2,
        "blue",
        "mugs",
    )


def test_rule_confidence_is_calibrated_on_the_corpus() -> None:
    """Each rule's stated confidence is within 5 points of its precision on the corpus."""
    hits: Counter[int] = Counter()
    right: Counter[int] = Counter()
    for ex in load_corpus():
        result = match_patterns(ex.text, ex.lang)
        if result is None:
            continue
        idx = next(
            i
            for i, r in enumerate(RULES)
            if r.intent == result.intent and r.regex.search(normalize(ex.text))
        )
        hits[idx] += 1
        right[idx] += result.intent == ex.intent
    assert sum(hits.values()) > 300
    for idx, n in hits.items():
        precision = right[idx] / n
        assert precision >= RULES[idx].confidence - 0.05, (RULES[idx].intent, precision, n)


@pytest.mark.parametrize("text", [
    "details of product reference 22423", "detalles del producto referencia 22423",
    "détails du produit référence 22423", "tell me about item 85123A",
    "háblame del artículo 85123A", "parlez-moi de l'article 85123A",
])
def test_a_product_asked_about_by_its_reference_is_product_details(text: str) -> None:
    hit = match_patterns(text)
    assert hit is not None and hit.intent == "product_details"
    assert hit.entities.product_ref in {"22423", "85123A"}


@pytest.mark.parametrize("text", ["change the price of 22423 to 9.99", "details of order 40077",
                                  "tell me about the Monet umbrella"])
def test_the_reference_rule_leaves_other_messages_alone(text: str) -> None:
    hit = match_patterns(text)
    assert hit is None or hit.intent != "product_details"
