"""What each caller really sends, answered by the recommend service's own runtime, and the
baselines served through the same filters.

- REST `GET /v1/recommendations?user_id=…`: the route's defaults (limit 10, no market, no
  intent, nothing excluded).
- MCP `get_recommendations`: the tool's defaults (limit 10, kind chosen by the agent).
- Chat: `services.chat.recs.request_for_conversation` on the intent worker's real
  analysis of the shopper's message (limit 5, the chat's own).

Every request goes through `RecommendRuntime.recommend`: the consent/market policy, the batch
path and the service's default exclusions, exactly as `recommend.requests` is answered; only
Redis is replaced by the profiles folded offline (`OfflineStore`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from libs.contracts.intent import IntentRequest
from libs.contracts.privacy import ALL_MARKETS, ConsentSettings
from libs.contracts.recommend import RecommendReply, RecommendRequest
from libs.profiles.model import Profile
from services.chat.recs import request_for_conversation
from services.chat.store import Conversation
from services.markets.domain.config import load_markets_config
from services.markets.handlers import MarketsHandlers
from services.mcp_workers.intent.pipeline import IntentAnalyzer
from services.recommend.domain import HybridModel, InteractionLog, Recommender
from services.recommend.domain.similarity import cosine_cooccurrence, incidence
from services.recommend.laws import PrivacyLaws
from services.recommend.runtime import RecommendRuntime
from tests.bench.recs_data import Split

BATCH = 64  # the service's max_records per Kafka batch
# The shopper's words on the chat path (rotated en/es/fr by user); {c} = the stated category.
ASK = {"en": "what would you recommend for me?", "es": "que me recomiendas?",
       "fr": "que me conseillez-vous ?"}
STATED = {"en": "can you recommend some {c}?", "es": "me recomiendas {c}?",
          "fr": "vous me conseillez des {c} ?"}

# The markets' privacy laws as the markets service serves them (bundled markets data).
LAWS = PrivacyLaws.from_reply(MarketsHandlers(load_markets_config(None)).privacy_laws())


class OfflineStore:
    """The two reads the runtime makes from Redis, over profiles folded offline; every
    customer has said yes to personalisation unless `consented` is False."""

    def __init__(self, profiles: dict[str, Profile], consented: bool = True) -> None:
        self.profiles = profiles
        self.consent = {ALL_MARKETS: ConsentSettings(personalization=consented)}

    async def profiles_with_consent(self, keys: Sequence[str]
                                    ) -> tuple[dict[str, Profile], dict[str, dict]]:
        found = {k: self.profiles[k] for k in keys if k in self.profiles}
        return found, {k: self.consent for k in found}


def at_cut(cut: pd.Timestamp) -> datetime:
    return cut.to_pydatetime().replace(tzinfo=UTC)


def serve(rec: Recommender, requests: list[RecommendRequest], profiles: dict[str, Profile],
          consented: bool = True) -> tuple[list[RecommendReply], list[float]]:
    """Replies through the service runtime, in Kafka-sized batches; per-request wall ms."""
    runtime = RecommendRuntime(OfflineStore(profiles, consented),  # type: ignore[arg-type]
                               InteractionLog(), rec.config, laws=lambda: LAWS)
    runtime.recommender = rec

    async def run() -> tuple[list[RecommendReply], list[float]]:
        out: list[RecommendReply] = []
        ms: list[float] = []
        for s in range(0, len(requests), BATCH):
            t0 = time.perf_counter()
            out += await runtime.recommend(requests[s:s + BATCH])
            n = len(requests[s:s + BATCH])
            ms += [(time.perf_counter() - t0) * 1000 / n] * n
        return out, ms

    return asyncio.run(run())


def rest(user: str, at: datetime) -> RecommendRequest:
    return RecommendRequest(user_id=user, kind="recommended_for_you", limit=10,
                            personalized=True, request_time=at)


def mcp(user: str, at: datetime, kind: str = "recommended_for_you") -> RecommendRequest:
    return RecommendRequest.model_validate(
        {"user_id": user, "kind": kind, "limit": 10, "request_time": at})


def chat_text(user: str, category: str | None) -> str:
    lang = ("en", "es", "fr")[int(user) % 3] if user.isdigit() else "en"
    if category is None:
        return ASK[lang]
    from libs.catalog.glossary import CATEGORY_LABELS
    words = CATEGORY_LABELS.get(category, (category, category, category))
    label = words[("en", "es", "fr").index(lang)].split()[0]
    return STATED[lang].format(c=label)


def chat(user: str, at: datetime, text: str, analyzer: IntentAnalyzer) -> tuple[RecommendRequest,
                                                                                str]:
    """The chat's request for this message, and the intent the worker read in it."""
    result = analyzer.analyze_sync(IntentRequest(text=text))
    conv = Conversation(id=f"bench-{user}", user_id=user, owner=user)
    req = request_for_conversation(conv, result).model_copy(update={"request_time": at})
    return req, result.intent


_SELLABLE: dict[tuple[int, str | None], np.ndarray] = {}


def sellable(model: HybridModel, market: str | None) -> np.ndarray:
    """The service's own stock and market rule (`Product.in_stock`, `available_in`)."""
    key = (id(model), market)
    if key not in _SELLABLE:
        _SELLABLE[key] = np.array([p.in_stock and p.available_in(market) if market
                                   else p.in_stock for p in model.products])
    return _SELLABLE[key]


def popular(sp: Split, model: HybridModel, markets: dict[str, str], k: int,
            days: float | None = None, category: dict[str, str] | None = None
            ) -> dict[str, list[str]]:
    """Most invoices (all time, or the last `days` before the cut), sellable, not yet bought;
    with `category` (user → stated category) the most popular of that category first."""
    tr = sp.train if days is None else sp.train[
        sp.train["InvoiceDate"] >= sp.cut - pd.Timedelta(days=days)]
    counts = tr.groupby("StockCode")["Invoice"].nunique()
    vec = np.zeros(model.n_items)
    for code, n in counts.items():
        if code in model.index:
            vec[model.index[code]] = n
    out = {}
    for u in sp.truth:
        s = np.where(sellable(model, markets.get(u)), vec, -np.inf)
        if category and u in category:
            s = s + 1e9 * (model.categories == category[u])
        for code in sp.bought.get(u, ()):
            if code in model.index:
                s[model.index[code]] = -np.inf
        out[u] = [model.ids[i] for i in np.argsort(-s, kind="stable")[:k] if np.isfinite(s[i])]
    return out


def item_knn(sp: Split, model: HybridModel, markets: dict[str, str], k: int,
             exclude: bool = True) -> dict[str, list[str]]:
    """Plain user-level cosine item-kNN over the whole history, sellable items only."""
    tr = sp.train[sp.train["user"] != ""]
    cols = [model.index.get(c, -1) for c in tr["StockCode"]]
    keep = [j for j, c in enumerate(cols) if c >= 0]
    users = {u: j for j, u in enumerate(sorted(tr["user"].unique()))}
    m = incidence([users[tr["user"].iat[j]] for j in keep], [cols[j] for j in keep],
                  len(users), model.n_items)
    sim, out = cosine_cooccurrence(m), {}
    for u in sp.truth:
        hist = [model.index[c] for c in sp.bought.get(u, ()) if c in model.index]
        s = np.asarray(sim[hist].sum(axis=0)).ravel()
        s = np.where(sellable(model, markets.get(u)), s, -np.inf)
        if exclude:
            s[hist] = -np.inf
        out[u] = [model.ids[i] for i in np.argsort(-s, kind="stable")[:k]]
    return out


def rebuy(sp: Split, k: int, half_life_days: float = 30.0) -> dict[str, list[str]]:
    """The repeat protocol's baseline: own past items by Σ over orders of 0.5^(age/30 d)."""
    tr = sp.train[sp.train["user"].isin(set(sp.truth))]
    age = (sp.cut - tr["InvoiceDate"]).dt.total_seconds() / 86400
    score = (0.5 ** (age / half_life_days)).groupby([tr["user"], tr["StockCode"]]).sum()
    return {u: list(score.loc[u].sort_values(ascending=False).index[:k]) for u in sp.truth}
