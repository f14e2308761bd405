"""The validation search behind `TUNED_PERSONALIZATION` (fit < 2010-08-10 <= validate <
2010-10-10; the test period is never read). Staged, small grids, each scored on the path it
serves:

1. the REST layer (intent/affinity/context weights): NDCG@10 of new items, variation >= 0.9;
2. the chat without a stated interest (the intent type's own signal, `w_intent_signal`):
   NDCG@5, variation >= 0.9;
3. the stated interest's share (`w_interest`): NDCG@5 of the chat with the interest said;
4. buy_again (horizon, tau, prior): NDCG@10 on the repeat protocol.
"""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd

from libs.contracts.recommend import RecommendRequest
from libs.profiles.model import Profile
from services.mcp_workers.intent.pipeline import IntentAnalyzer
from services.recommend.domain import TUNED_PERSONALIZATION, PersonalizationConfig, Recommender
from services.recommend.domain.buy_again import BuyAgainConfig
from tests.bench.recs_data import TEST_CUT, VAL_CUT, Split, catalog_of, log_of, profiles_of, split
from tests.bench.recs_eval import evaluate
from tests.bench.recs_served import at_cut, chat, chat_text, mcp, rest, serve


def _score(rec: Recommender, cfg: PersonalizationConfig, users: list[str],
           reqs: list[RecommendRequest], profiles: dict[str, Profile], truth: dict[str, set[str]],
           k: int, label: str) -> dict[str, Any]:
    rec.config = cfg
    replies, _ = serve(rec, reqs, profiles)
    ranked = {u: [i.product_id for i in r.items] for u, r in zip(users, replies, strict=True)}
    r = evaluate(ranked, {u: truth[u] for u in users}, k, rec.model.n_items)
    print(f"  val {label}: NDCG@{k}={r['NDCG']:.4f} variation={r['variation']:.3f}")
    return r


def _best(scored: list[tuple[dict[str, Any], PersonalizationConfig]],
          need_variation: bool = True) -> PersonalizationConfig:
    ok = [(r["NDCG"], i) for i, (r, _) in enumerate(scored)
          if r["variation"] >= 0.9 or not need_variation]
    pick = max(ok)[1] if ok else max((r["NDCG"], i) for i, (r, _) in enumerate(scored))[1]
    return scored[pick][1]


def tune(df: pd.DataFrame, analyzer: IntentAnalyzer) -> PersonalizationConfig:
    from services.recommend.domain import TUNED_MODEL, HybridModel

    catalog = catalog_of(df, VAL_CUT)
    cats = {p.id: p for p in catalog}
    sp: Split = split(df, VAL_CUT, TEST_CUT)
    model = HybridModel(TUNED_MODEL).fit(log_of(sp.train), catalog, VAL_CUT.timestamp())
    profiles = profiles_of(sp.train, list(sp.truth), cats)
    rec, at, users = Recommender(model, TUNED_PERSONALIZATION), at_cut(VAL_CUT), list(sp.truth)
    base = TUNED_PERSONALIZATION
    reqs = [rest(u, at) for u in users]
    scored = []
    for wi, wa, wx in [(0.95, 0.05, 0.0), (0.85, 0.1, 0.05)]:
        cfg = base.model_copy(update=dict(w_intent=wi, w_affinity=wa, w_context=wx))
        scored.append((_score(rec, cfg, users, reqs, profiles, sp.truth, 10,
                              f"REST layer={wi, wa, wx}"), cfg))
    base = _best(scored)
    cu = [u for u in users if u in sp.stated]
    plain = [chat(u, at, chat_text(u, None), analyzer)[0] for u in cu]
    said = [chat(u, at, chat_text(u, sp.stated[u]), analyzer)[0] for u in cu]
    scored = []
    for ws in (0.0, 0.25):
        cfg = base.model_copy(update={"w_intent_signal": ws})
        scored.append((_score(rec, cfg, cu, plain, profiles, sp.truth, 5,
                              f"chat plain w_intent_signal={ws}"), cfg))
    base = _best(scored)
    scored = []
    for wt in (0.3, 0.5, 0.7):
        cfg = base.model_copy(update={"w_interest": wt})
        scored.append((_score(rec, cfg, cu, said, profiles, sp.truth, 5,
                              f"chat stated w_interest={wt}"), cfg))
    base = _best(scored, need_variation=False)
    rp = split(df, VAL_CUT, TEST_CUT, new_only=False)
    rprofiles = profiles_of(rp.train, list(rp.truth), cats)
    ru = list(rp.truth)
    again = [mcp(u, at, "buy_again") for u in ru]
    scored = []
    for h, tau, prior in itertools.product((30.0, 60.0), (4.0, 8.0), (2.0,)):
        cfg = base.model_copy(update={"buy_again": BuyAgainConfig(
            horizon_days=h, tau=tau, prior=prior)})
        scored.append((_score(rec, cfg, ru, again, rprofiles, rp.truth, 10,
                              f"buy_again horizon={h} tau={tau} prior={prior}"), cfg))
    return _best(scored, need_variation=False)
