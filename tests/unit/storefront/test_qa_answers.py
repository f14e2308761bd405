"""ask_business: product attribute answers and policy passages, in en/es/fr."""

from __future__ import annotations

import pytest

from libs.catalog.samples import sample_products
from services.mcp_workers.storefront.qa import ShopQA, detect_attribute, load_policies


@pytest.fixture(scope="module")
def qa() -> ShopQA:
    return ShopQA()


def test_every_policy_has_all_three_languages() -> None:
    passages = load_policies()
    docs = {p.doc for p in passages}
    assert docs == {"shipping.md", "returns.md", "payment.md", "privacy.md"}
    for doc in docs:
        assert {p.language for p in passages if p.doc == doc} == {"en", "es", "fr"}


@pytest.mark.parametrize(("question", "lang", "source"), [
    ("How long does delivery take to the EU?", "en", "shipping.md#delivery-times"),
    ("Can I get a refund?", "en", "returns.md#refunds"),
    ("¿Puedo devolver un artículo?", "es", "returns.md#devolver-un-articulo"),
    ("¿Cuánto cuesta el envío a la Unión Europea?", "es", "shipping.md#gastos-de-envio"),
    ("Quels moyens de paiement acceptez-vous ?", "fr", "payment.md#moyens-de-paiement"),
    ("Comment effacer mes données ?", "fr", "privacy.md#vos-droits"),
])
def test_policy_questions_find_the_right_section(qa: ShopQA, question: str, lang: str,
                                                  source: str) -> None:
    answer = qa.ask(question, lang)
    assert answer.kind == "policy" and answer.language == lang
    assert answer.source == f"docs/policies/{source}"


def test_unanswerable_question(qa: ShopQA) -> None:
    answer = qa.ask("what is the capital of Peru", "en")
    assert answer.kind == "none" and answer.source is None


def test_product_attribute_answers(qa: ShopQA) -> None:
    mug, poster = sample_products()[1], sample_products()[3]
    assert qa.ask("How much is it?", "en", mug).answer == "Spotty Ceramic Mug costs £2.50."
    assert qa.ask("¿Qué colores hay?", "es", mug).answer.endswith("blue, red.")
    assert "rupture" in qa.ask("Est-il disponible ?", "fr", poster).answer
    assert "50x70 cm" in qa.ask("what size is it", "en", poster).answer
    heart = sample_products()[0]
    # Prices are written as the shopper's language writes them (CLDR, through libs.locale).
    assert qa.ask("¿Cuánto cuesta?", "es", heart).answer == "Portavelas corazón blanco cuesta 2,95\u00a0GBP."
    in_yen = heart.model_copy(update={"currency": "JPY"})  # 295 yen, not 2.95
    assert qa.ask("How much is it?", "en", in_yen).answer.endswith("costs ¥295.")


def test_policy_question_about_a_product_still_reaches_policies(qa: ShopQA) -> None:
    answer = qa.ask("what is your returns policy for damaged items", "en", sample_products()[1])
    assert answer.kind == "policy" and "returns.md" in (answer.source or "")


def test_attribute_detection() -> None:
    assert detect_attribute("how much does it cost") == "price"
    assert detect_attribute("combien coûte cette tasse") == "price"
    assert detect_attribute("is it in stock") == "stock"
    assert detect_attribute("tell me a joke") is None
