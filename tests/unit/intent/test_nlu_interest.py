"""Gift requests carry the recipient's interest as the query, in en/es/fr."""

from __future__ import annotations

import pytest

from libs.contracts.intent import IntentRequest
from libs.nlu.interest import gift_interest, is_gift, stated_query
from services.mcp_workers.intent.cache import TTLCache
from services.mcp_workers.intent.model import default_model
from services.mcp_workers.intent.pipeline import IntentAnalyzer


@pytest.mark.parametrize(("text", "interest"), [
    ("a gift for my mum who loves Monet", "monet"),
    ("un regalo para mi madre que adora a Monet", "monet"),
    ("un cadeau pour ma mère qui adore Monet", "monet"),
    ("birthday present for a friend who is into Japanese prints", "japanese prints"),
    ("regalo para mi hermana, le encantan los gatos", "gatos"),
    ("un cadeau pour mon père passionné par l'Égypte", "egypte"),
])
def test_the_interest_is_the_query(text: str, interest: str) -> None:
    assert is_gift(text)
    assert gift_interest(text) == interest == stated_query(text)


def test_a_gift_without_an_interest_has_no_query() -> None:
    assert stated_query("gift ideas for my dad") is None
    assert stated_query("I need a present for my boss under 30 euros") is None


def test_a_search_keeps_its_words() -> None:
    assert not is_gift("show me Monet mugs")
    assert stated_query("show me Monet mugs") == "monet mugs"


def test_the_analyser_passes_the_interest_on() -> None:
    analyzer = IntentAnalyzer(model=default_model(), cache=TTLCache(ttl=0))
    result = analyzer.analyze_sync(IntentRequest(text="a gift for my mum who loves Monet"))
    assert result.intent == "recommendations" and result.entities.query == "monet"
