from collections.abc import Sequence

import numpy as np
import pytest

from libs.contracts.intent import CLARIFY, IntentRequest
from services.mcp_workers.intent.cache import TTLCache
from services.mcp_workers.intent.llm import MockProvider
from services.mcp_workers.intent.model import IntentModel, default_model
from services.mcp_workers.intent.pipeline import IntentAnalyzer


class FixedModel(IntentModel):
    """A model that always answers the same distribution."""

    def __init__(self, dist: dict[str, float]) -> None:
        self.classes = list(dist)
        self._p = np.array([list(dist.values())])

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return np.repeat(self._p, len(texts), axis=0)


UNSURE = FixedModel(
    {"search_products": 0.3, "add_to_basket": 0.28, "out_of_scope": 0.22, "recommendations": 0.2}
)
CTX = {
    "last_products": ["p-1", "p-2"],
    "last_intent": "search_products",
    "last_entities": {"category": "prints"},
}


@pytest.fixture(scope="module")
def analyzer() -> IntentAnalyzer:
    return IntentAnalyzer(model=default_model(), cache=TTLCache())


def test_pattern_then_model_sources(analyzer: IntentAnalyzer) -> None:
    hi = analyzer.analyze_sync(IntentRequest(text="bonjour"))
    assert (hi.intent, hi.source, hi.language) == ("greeting", "pattern", "fr")
    found = analyzer.analyze_sync(IntentRequest(text="¿tenéis láminas de Monet en azul?"))
    assert (found.intent, found.source, found.language) == ("search_products", "model", "es")
    assert found.entities.colour == "blue" and found.entities.category == "prints"
    assert found.confidence >= 0.6 and found.alternatives


def test_second_call_is_served_from_cache(analyzer: IntentAnalyzer) -> None:
    req = IntentRequest(text="Is the Great Wave mug dishwasher safe?", language_hint="en-GB")
    first = analyzer.analyze_sync(req)
    second = analyzer.analyze_sync(req)
    assert first.source == "model" and second.source == "cache"
    assert second.intent == first.intent == "product_question"
    assert (first.cached, second.cached) == (False, True), "what the hit/miss counters read"


async def test_followups_use_context_and_are_not_cached(analyzer: IntentAnalyzer) -> None:
    a = await analyzer.analyze(IntentRequest(text="añade el segundo", context=CTX))
    assert (a.intent, a.entities.product_id, a.language) == ("add_to_basket", "p-2", "es")
    assert a.cached is None, "no cache look-up: not counted as a miss"
    other = {**CTX, "last_products": ["q-1", "q-2"]}
    b = await analyzer.analyze(IntentRequest(text="añade el segundo", context=other))
    assert b.entities.product_id == "q-2"
    c = await analyzer.analyze(IntentRequest(text="is it dishwasher safe?", context=CTX))
    assert (c.intent, c.entities.product_id) == ("product_question", "p-1")


def test_low_confidence_shop_text_gets_a_clarification_in_its_language() -> None:
    analyzer = IntentAnalyzer(model=UNSURE, cache=TTLCache(), use_patterns=False)
    es = analyzer.analyze_sync(IntentRequest(text="una taza azul quizás"))
    assert es.intent == CLARIFY and es.source == "fallback"
    assert es.clarification and es.clarification.startswith("Perdona")
    assert "buscar productos" in es.clarification
    fr = analyzer.analyze_sync(IntentRequest(text="une bougie peut-être", language_hint="fr-FR"))
    assert fr.intent == CLARIFY and fr.clarification and "Voulez-vous" in fr.clarification


def test_low_confidence_unrelated_text_is_out_of_scope() -> None:
    analyzer = IntentAnalyzer(model=UNSURE, cache=TTLCache(), use_patterns=False)
    result = analyzer.analyze_sync(IntentRequest(text="hmm whatever dude"))
    assert (result.intent, result.source, result.clarification) == (
        "out_of_scope",
        "fallback",
        None,
    )


def test_between_thresholds_the_model_answer_stands() -> None:
    model = FixedModel({"recommendations": 0.5, "search_products": 0.3, "out_of_scope": 0.2})
    result = IntentAnalyzer(model=model, cache=TTLCache()).analyze_sync(
        IntentRequest(text="something nice?")
    )
    assert (result.intent, result.source, result.confidence) == ("recommendations", "model", 0.5)
    assert [a.intent for a in result.alternatives] == ["search_products", "out_of_scope"]


async def test_llm_decides_when_the_model_is_unsure() -> None:
    llm = MockProvider({"un regalo para mi madre": "recommendations"})
    analyzer = IntentAnalyzer(model=UNSURE, llm=llm, cache=TTLCache(), use_patterns=False)
    result = await analyzer.analyze(IntentRequest(text="Un regalo para mi madre"))
    assert (result.intent, result.source, result.language) == ("recommendations", "llm", "es")
    assert llm.calls == ["Un regalo para mi madre"]
    confident = IntentAnalyzer(model=default_model(), llm=llm, cache=TTLCache())
    await confident.analyze(IntentRequest(text="where is my order #12345?"))
    assert len(llm.calls) == 1  # not consulted when an earlier stage is sure


def test_empty_text_asks_to_rephrase(analyzer: IntentAnalyzer) -> None:
    result = analyzer.analyze_sync(IntentRequest(text="  ", language_hint="es"))
    assert result.intent == CLARIFY and result.clarification and result.language == "es"


@pytest.mark.parametrize(
    ("text", "intent"),
    [("what's the weather in Madrid tomorrow?", "out_of_scope"),
     ("cuéntame un chiste", "out_of_scope"), ("qui a gagné le match du PSG ?", "out_of_scope"),
     ("I'd like a gift for my dad, maybe under 30 euros", "recommendations"),
     ("mets à jour le stock de la lampe Tiffany à 12", "update_product"),
     ("sube este excel de productos", "import_products")],
)  # fmt: skip
def test_end_to_end_examples(analyzer: IntentAnalyzer, text: str, intent: str) -> None:
    assert analyzer.analyze_sync(IntentRequest(text=text)).intent == intent
