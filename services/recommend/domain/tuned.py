"""The settings the live service runs with, chosen offline on a validation split.

Chosen by `tests/bench/bench_recs.py` on UCI Online Retail II: fit < 2010-08-10 <= validate <
2010-10-10, the test period (>= 2010-10-10) never looked at. The bench re-runs that search and
says whether it still picks these; `services/recommend/runtime.py` fits with them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from services.recommend.domain.model import HybridModel, ModelConfig
from services.recommend.domain.personalize import PersonalizationConfig

TUNED_MODEL = ModelConfig(
    shrink=0.0, neighbours=1000, w_basket=0.0, w_user=1.0, w_content=0.0,
    user_weighting="bm25", bm25_k1=1.2, bm25_b=0.75,
)
TUNED_PERSONALIZATION = PersonalizationConfig(
    w_intent=0.95, w_affinity=0.05, w_context=0.0, history_half_life_days=180.0,
    popularity_blend=0.0, mmr_lambda=1.0, max_per_category=None,
)


def search(fit: Callable[[ModelConfig], HybridModel],
           score: Callable[[HybridModel, PersonalizationConfig, str], float],
           start_model: ModelConfig) -> tuple[ModelConfig, PersonalizationConfig]:
    """The grid the TUNED_* values come from, in two stages: the model (user weighting × blend
    of the similarities), then the personalisation layer on the best model. `score` must only
    look at validation data."""
    start = PersonalizationConfig(w_intent=0.85, w_affinity=0.1, w_context=0.05,
                                  history_half_life_days=180, popularity_blend=0.0)
    best_m: tuple[float, ModelConfig, HybridModel] | None = None
    for weighting in ("binary", "bm25"):
        model = fit(start_model.model_copy(update={"user_weighting": weighting}))
        for wb, wu, wc in [(0.5, 0.5, 0.1), (0.2, 0.8, 0.05), (0.0, 1.0, 0.0)]:
            model.reweight(wb, wu, wc)
            s = score(model, start, f"{weighting} blend={wb, wu, wc}")
            if best_m is None or s > best_m[0]:
                cfg = model.config.model_copy(update=dict(w_basket=wb, w_user=wu, w_content=wc))
                best_m = (s, cfg, model)
    assert best_m is not None
    _, mcfg, model = best_m
    model.reweight(mcfg.w_basket, mcfg.w_user, mcfg.w_content)
    best_p: tuple[float, PersonalizationConfig] | None = None
    layers = [(0.7, 0.2, 0.1), (0.85, 0.1, 0.05), (0.95, 0.05, 0.0)]
    for hl, (wi, wa, wx), pb, (lam, cap) in itertools.product(
            (30.0, 180.0), layers, (0.0, 0.1), ((1.0, None), (0.85, 4))):
        pcfg = start.model_copy(update=dict(
            history_half_life_days=hl, w_intent=wi, w_affinity=wa, w_context=wx,
            popularity_blend=pb, mmr_lambda=lam, max_per_category=cap))
        s = score(model, pcfg, f"hl={hl} layer={wi, wa, wx} pop={pb} mmr={lam, cap}")
        if best_p is None or s > best_p[0]:
            best_p = (s, pcfg)
    assert best_p is not None
    return mcfg, best_p[1]
