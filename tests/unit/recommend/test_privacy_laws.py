"""Each market's privacy law comes from the markets data (the markets service's table)."""

from __future__ import annotations

import pytest

from libs.contracts.markets import PrivacyLawsReply
from libs.contracts.privacy import ConsentSettings
from services.markets.domain.config import load_markets_config
from services.markets.handlers import MarketsHandlers
from services.recommend.laws import PrivacyLaws, regime
from services.recommend.privacy import may_personalize

LAWS = PrivacyLaws.from_reply(MarketsHandlers(load_markets_config(None)).privacy_laws())


@pytest.mark.parametrize(("market", "country", "expected"), [
    ("EU", "FR", "opt_in"), (None, "de", "opt_in"), ("UK", None, "opt_in"), (None, "UK", "opt_in"),
    (None, "CH", "opt_in"),  # EFTA: gdpr_equivalent in the markets data
    ("US", "US-CA", "opt_out"), (None, "US", "opt_out"),
    (None, "JP", "default"), ("APAC", None, "default"), (None, "ZZ", "default"),  # fallback: ROW
    ("US", "FR", "opt_in"),  # the stricter of the market's law and the country's
])
def test_regime_follows_the_markets_data(market: str | None, country: str | None,
                                         expected: str) -> None:
    assert regime(LAWS, market, country) == expected


def test_a_law_changed_in_the_markets_data_changes_the_rule() -> None:
    reply = MarketsHandlers(load_markets_config(None)).privacy_laws()
    stricter = PrivacyLaws.from_reply(PrivacyLawsReply.model_validate(
        {**reply.model_dump(), "laws": {**reply.laws, "APAC": "gdpr_equivalent"}}))
    assert regime(LAWS, None, "JP") == "default" and regime(stricter, None, "JP") == "opt_in"


def test_unknown_laws_mean_opt_in_and_consent_decides() -> None:
    silent, yes = ConsentSettings(), ConsentSettings(personalization=True)
    assert regime(None, "US", "US") == "opt_in"
    assert not may_personalize(silent, "US", "US", None) and may_personalize(yes, "US", "US", None)
    assert may_personalize(silent, "US", "US", LAWS)
    assert not may_personalize(ConsentSettings(sale_sharing=False), "US", "US-CA", LAWS)
    assert may_personalize(ConsentSettings(sale_sharing=False), None, "JP", LAWS)
