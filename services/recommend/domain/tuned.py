"""The settings the live service runs with, chosen offline on a validation split.

Chosen by `tests/bench/bench_recs.py` on UCI Online Retail II: fit < 2010-08-10 <= validate <
2010-10-10, the test period (>= 2010-10-10) never looked at. The model settings come from an
earlier search over user weighting × similarity blend (item-kNN on BM25-weighted users won);
the bench re-runs the layer's search (`tests/bench/recs_tune.py`) and says whether it still
picks these; `services/recommend/runtime.py` fits with them.
"""

from __future__ import annotations

from services.recommend.domain.buy_again import BuyAgainConfig
from services.recommend.domain.model import ModelConfig
from services.recommend.domain.personalize import PersonalizationConfig

TUNED_MODEL = ModelConfig(
    shrink=0.0, neighbours=1000, w_basket=0.0, w_user=1.0, w_content=0.0,
    user_weighting="bm25", bm25_k1=1.2, bm25_b=0.75,
)
# The layer: chosen stage by stage on validation by `tests/bench/recs_tune.py` (REST layer,
# then the chat's intent-type signal, then the stated interest's share, then buy_again).
TUNED_PERSONALIZATION = PersonalizationConfig(
    w_intent=0.95, w_affinity=0.05, w_context=0.0, history_half_life_days=180.0,
    popularity_blend=0.0, mmr_lambda=1.0, max_per_category=None,
    exclude_bought_for_you=True, w_interest=0.3, w_intent_signal=0.0,
    buy_again=BuyAgainConfig(horizon_days=60.0, tau=4.0, prior=2.0),
)
