"""Offline benchmark of the recommender on UCI Online Retail II (2009-2010), CC BY 4.0.

Data: Chen, D. (2012) "Online Retail II", UCI ML Repository, doi:10.24432/C5CG6D.
Run: .venv/bin/python tests/bench/bench_recs.py   (a few minutes on 2 cores)

Protocol (leave-future-out, never shuffled):
- Cleaning: drop cancellations (Invoice "C…", Quantity <= 0), Price <= 0, non-product stock codes
  (POST, DOT, M, BANK CHARGES, gift_…: codes not starting with 5 digits) and "nan" descriptions.
  Guest invoices (no Customer ID) stay in the basket co-occurrence and popularity; they have no
  user, so they are never evaluated.
- Test split: train < 2010-10-10 <= test (the last two months). Validation for tuning: the same
  cut one period earlier inside train (fit < 2010-08-10 <= validate < 2010-10-10); test is never
  looked at while tuning.
- Users evaluated: customers with purchases before the cut and at least one *new* item (never
  bought before the cut) after it; relevant set = those new items; every method excludes the
  user's pre-cut items. A fixed-seed sample of at most N_USERS users keeps runtime low.
- Metrics: HR@10, NDCG@10 (binary), catalog coverage, variation (1 − mean pairwise Jaccard).
"""

from __future__ import annotations

import itertools
import random
import sys
import time
from collections import Counter
from datetime import UTC
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from libs.contracts.catalog import LocalizedText, Product, Variant  # noqa: E402
from libs.contracts.events import ProductDetail, UserEvent  # noqa: E402
from libs.contracts.recommend import RecommendRequest  # noqa: E402
from services.recommend.domain import (  # noqa: E402
    HybridModel,
    InteractionLog,
    ModelConfig,
    PersonalizationConfig,
    Recommender,
)
from services.recommend.domain.metrics import coverage, hit_rate_ndcg, variation  # noqa: E402
from services.recommend.domain.similarity import cosine_cooccurrence, incidence  # noqa: E402
from services.user_events.domain import Profile, fold  # noqa: E402

DATA = Path("/work/shared/data/online_retail_ii_2009_2010.csv.gz")
TEST_CUT, VAL_CUT = pd.Timestamp("2010-10-10"), pd.Timestamp("2010-08-10")
N_USERS, SEED, K = 800, 42, 10
CATEGORIES = {  # keyword → category, first match wins (derived from descriptions)
    "christmas": "christmas", "xmas": "christmas", "mug": "kitchen", "cup": "kitchen",
    "plate": "kitchen", "bowl": "kitchen", "jar": "kitchen", "cake": "kitchen",
    "tea": "kitchen", "lunch": "kitchen", "bag": "bags", "light": "lights", "lamp": "lights",
    "candle": "lights", "lantern": "lights", "card": "stationery", "paper": "stationery",
    "notebook": "stationery", "pencil": "stationery", "wrap": "stationery", "sign": "decor",
    "frame": "decor", "clock": "decor", "heart": "decor", "cushion": "home", "towel": "home",
    "bottle": "home", "doormat": "home", "necklace": "jewellery", "earring": "jewellery",
    "bracelet": "jewellery", "toy": "toys", "doll": "toys", "game": "toys", "garden": "garden",
}
MARKETS = {"United Kingdom": "UK"}
MODEL = ModelConfig(shrink=0.0, neighbours=1000)


def category_of(text: str) -> str:
    low = text.lower()
    return next((c for k, c in CATEGORIES.items() if k in low), "other")


def load() -> pd.DataFrame:
    df = pd.read_csv(DATA, dtype={"Invoice": str, "StockCode": str})
    df = df[~df["Invoice"].str.startswith("C") & (df["Quantity"] > 0) & (df["Price"] > 0)]
    df = df[df["StockCode"].str.match(r"^\d{5}") & df["Description"].notna()]
    df = df[df["Description"].astype(str).str.lower() != "nan"].copy()
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"])
    df["user"] = df["Customer ID"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    df["market"] = df["Country"].map(lambda c: MARKETS.get(c, "INTL"))
    return df


def catalog_of(df: pd.DataFrame) -> list[Product]:
    grouped = df.groupby("StockCode").agg(
        desc=("Description", lambda s: s.astype(str).mode().iat[0]), price=("Price", "median"))
    return [
        Product(id=code, handle=code.lower(), title=LocalizedText(en=row.desc.title()),
                category=category_of(row.desc),
                variants=[Variant(sku=code, price=int(round(row.price * 100)), stock=10)])
        for code, row in grouped.iterrows()
    ]


def log_of(df: pd.DataFrame) -> InteractionLog:
    return InteractionLog(users=list(df["user"]), items=list(df["StockCode"]),
                          baskets=list(df["Invoice"]),
                          times=list(df["InvoiceDate"].astype("int64") / 1e9),
                          weights=[1.0] * len(df), markets=list(df["market"]))


def profiles_of(df: pd.DataFrame, users: list[str], cats: dict[str, Product]) -> dict[str, Profile]:
    """Fold one purchase-complete event per invoice, as the user-events service would."""
    out: dict[str, Profile] = {}
    sub = df[df["user"].isin(set(users))].sort_values("InvoiceDate")
    for (user, inv), g in sub.groupby(["user", "Invoice"], sort=False):
        at = g["InvoiceDate"].iat[0].to_pydatetime().replace(tzinfo=UTC)
        ev = UserEvent(event_id=f"inv-{inv}", event_type="purchase-complete", visitor_id=user,
                       user_id=user, event_time=at, order_id=inv, market=g["market"].iat[0],
                       product_details=[ProductDetail(id=c, price=int(p * 100))
                                        for c, p in zip(g["StockCode"], g["Price"], strict=True)])
        out[user] = fold(out.get(user, Profile()), ev, at, lookup=cats.get)
    return out


def split(df: pd.DataFrame, cut: pd.Timestamp, end: pd.Timestamp | None = None):
    train = df[df["InvoiceDate"] < cut]
    test = df[(df["InvoiceDate"] >= cut) & ((df["InvoiceDate"] < end) if end is not None else True)]
    bought = train[train["user"] != ""].groupby("user")["StockCode"].agg(set).to_dict()
    truth = {}
    for user, items in test[test["user"] != ""].groupby("user")["StockCode"].agg(set).items():
        new = items - bought.get(user, set())
        if user in bought and new:
            truth[user] = new
    users = sorted(truth)
    users = random.Random(SEED).sample(users, min(N_USERS, len(users)))
    return train, {u: truth[u] for u in users}, bought


def evaluate(ranked: dict[str, list[str]], truth: dict[str, set[str]], n_items: int) -> dict:
    hits, ndcgs = zip(*(hit_rate_ndcg(ranked[u], truth[u], K) for u in truth), strict=True)
    lists = [ranked[u] for u in truth]
    return {"HR@10": np.mean(hits), "NDCG@10": np.mean(ndcgs),
            "coverage": coverage(lists, n_items), "variation": variation(lists, K)}


def most_popular(train, truth, bought):
    counts = train.groupby("StockCode")["Invoice"].nunique().sort_values(ascending=False)
    top = list(counts.index)
    return {u: [i for i in top if i not in bought[u]][:K] for u in truth}


def item_knn(train, truth, bought):
    tr = train[train["user"] != ""]
    items = sorted(tr["StockCode"].unique())
    idx = {c: i for i, c in enumerate(items)}
    users = {u: j for j, u in enumerate(sorted(tr["user"].unique()))}
    m = incidence([users[u] for u in tr["user"]], [idx[c] for c in tr["StockCode"]],
                  len(users), len(items))
    sim = cosine_cooccurrence(m)
    out = {}
    for u in truth:
        hist = [idx[c] for c in bought[u] if c in idx]
        s = np.asarray(sim[hist].sum(axis=0)).ravel()
        s[hist] = -np.inf
        out[u] = [items[i] for i in np.argsort(-s)[:K]]
    return out


def ours(rec: Recommender, truth, bought, profiles, cut: pd.Timestamp):
    at = cut.to_pydatetime().replace(tzinfo=UTC)
    out = {}
    for u in truth:
        p = profiles[u]
        req = RecommendRequest(user_id=u, limit=K, market=p.market, request_time=at,
                               exclude_product_ids=sorted(bought[u]))
        out[u] = [i.product_id for i in rec.recommend(req, p).items]
    return out


def fit(train, catalog, cut, mcfg) -> HybridModel:
    return HybridModel(mcfg).fit(log_of(train), catalog, cut.timestamp())


def tune(df, catalog, cats) -> tuple[ModelConfig, PersonalizationConfig]:
    train, truth, bought = split(df, VAL_CUT, TEST_CUT)
    profiles = profiles_of(train, list(truth), cats)
    model = fit(train, catalog, VAL_CUT, MODEL)
    best: tuple[float, ModelConfig, PersonalizationConfig] | None = None
    blends = [(0.5, 0.5, 0.1), (0.2, 0.8, 0.05), (0.0, 1.0, 0.0)]
    layer = [(0.40, 0.35, 0.25), (0.7, 0.2, 0.1), (0.85, 0.1, 0.05)]
    diversity = [(1.0, None), (0.85, 4)]  # (MMR lambda, max per category)
    for (wb, wu, wc), (wi, wa, wx), (lam, cap) in itertools.product(blends, layer, diversity):
        model.reweight(wb, wu, wc)
        pcfg = PersonalizationConfig(w_intent=wi, w_affinity=wa, w_context=wx, mmr_lambda=lam,
                                     max_per_category=cap, history_half_life_days=180,
                                     popularity_blend=0.0)
        score = evaluate(ours(Recommender(model, pcfg), truth, bought, profiles, VAL_CUT),
                         truth, model.n_items)["NDCG@10"]
        print(f"  val blend={wb, wu, wc} layer={wi, wa, wx} mmr={lam, cap}: NDCG@10={score:.4f}")
        if best is None or score > best[0]:
            best = (score, MODEL.model_copy(update=dict(w_basket=wb, w_user=wu, w_content=wc)),
                    pcfg)
    assert best is not None
    return best[1], best[2]


def main() -> None:
    t0 = time.time()
    df = load()
    catalog = catalog_of(df)
    cats = {p.id: p for p in catalog}
    print(f"rows={len(df)} products={len(catalog)} load={time.time() - t0:.1f}s")
    mcfg, pcfg = tune(df, catalog, cats)
    print(f"chosen on validation: {mcfg!r} {pcfg!r}  ({time.time() - t0:.1f}s)")
    train, truth, bought = split(df, TEST_CUT)
    profiles = profiles_of(train, list(truth), cats)
    model = fit(train, catalog, TEST_CUT, mcfg)
    rec = Recommender(model, pcfg)
    model_default = fit(train, catalog, TEST_CUT, MODEL)
    results = {
        "most-popular": most_popular(train, truth, bought),
        "item-kNN (user-item cosine)": item_knn(train, truth, bought),
        "hybrid + MCP layer (start weights)": ours(
            Recommender(model_default, PersonalizationConfig()), truth, bought, profiles,
            TEST_CUT),
        "hybrid + MCP layer (tuned)": ours(rec, truth, bought, profiles, TEST_CUT),
    }
    print(f"\ntest users={len(truth)} (sampled, seed={SEED}) items={model.n_items} "
          f"cut={TEST_CUT.date()}")
    print(f"{'method':38s} {'HR@10':>7s} {'NDCG@10':>8s} {'coverage':>9s} {'variation':>9s}")
    for name, ranked in results.items():
        r = evaluate(ranked, truth, model.n_items)
        print(f"{name:38s} {r['HR@10']:7.4f} {r['NDCG@10']:8.4f} {r['coverage']:9.4f} "
              f"{r['variation']:9.4f}")
    counts = Counter(train["StockCode"])
    print(f"items in train={len(counts)}  total time {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
