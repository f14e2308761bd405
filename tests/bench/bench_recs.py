"""Offline benchmark of the recommender on UCI Online Retail II (2009-2010), CC BY 4.0.
Data: Chen, D. (2012) "Online Retail II", UCI ML Repository, doi:10.24432/C5CG6D. Run:
.venv/bin/python tests/bench/bench_recs.py (a few minutes on 2 cores)
Protocol (leave-future-out, never shuffled):
- Cleaning: no cancellations, Quantity/Price > 0, 5-digit stock codes, no "nan" descriptions;
  guest invoices count for baskets and popularity, are never evaluated.
- Test: train < 2010-10-10 <= test. Tuning on validation only (fit < 2010-08-10 <= validate <
  2010-10-10); the test period is never looked at while tuning.
- Users evaluated: customers with purchases before the cut and at least one *new* item (never
  bought before the cut) after it = relevant set; every method excludes pre-cut items; a
  fixed-seed sample of at most N_USERS users.
- Metrics: HR@10, NDCG@10 (binary), catalog coverage, variation (1 − mean pairwise Jaccard);
  NDCG@10 with a 95% bootstrap CI (200 resamples of the test users) and the paired CI of its
  difference to item-kNN. Tuned row = TUNED_MODEL/TUNED_PERSONALIZATION (what the service runs).
- Secondary protocol (labelled, not the headline): relevant = all items bought after the cut.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from libs.catalog.demo import DEFAULT_CSV  # noqa: E402
from libs.contracts.catalog import LocalizedText, Product, Variant  # noqa: E402
from libs.contracts.events import ProductDetail, UserEvent  # noqa: E402
from libs.contracts.recommend import RecommendRequest  # noqa: E402
from services.recommend.domain import (  # noqa: E402
    TUNED_MODEL,
    TUNED_PERSONALIZATION,
    HybridModel,
    InteractionLog,
    ModelConfig,
    PersonalizationConfig,
    Recommender,
)
from services.recommend.domain.metrics import (  # noqa: E402
    bootstrap_ci,
    coverage,
    hit_rate_ndcg,
    variation,  # noqa: E402
)
from services.recommend.domain.similarity import cosine_cooccurrence, incidence  # noqa: E402
from services.recommend.domain.tuned import search  # noqa: E402
from services.user_events.domain import Profile, fold  # noqa: E402

DATA = DEFAULT_CSV  # ../shared/data next to the repository
TEST_CUT, VAL_CUT = pd.Timestamp("2010-10-10"), pd.Timestamp("2010-08-10")
N_USERS, SEED, K = 800, 42, 10
CATEGORIES = {  # keyword → category, first match wins (derived from descriptions)
    "christmas": "christmas", "xmas": "christmas", "mug": "kitchen", "cup": "kitchen", "plate":
    "kitchen", "bowl": "kitchen", "jar": "kitchen", "cake": "kitchen", "tea": "kitchen", "lunch":
    "kitchen", "bag": "bags", "light": "lights", "lamp": "lights", "candle": "lights", "lantern":
    "lights", "card": "stationery", "paper": "stationery", "notebook": "stationery", "pencil":
    "stationery", "wrap": "stationery", "sign": "decor", "frame": "decor", "clock": "decor",
    "heart": "decor", "cushion": "home", "towel": "home", "bottle": "home", "doormat": "home",
    "necklace": "jewellery", "earring": "jewellery", "bracelet": "jewellery", "toy": "toys",
    "doll": "toys", "game": "toys", "garden": "garden",
}
MARKETS = {"United Kingdom": "UK"}
MODEL = ModelConfig(shrink=0.0, neighbours=1000)  # where the search starts


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


def split(df: pd.DataFrame, cut: pd.Timestamp, end: pd.Timestamp | None = None, new_only=True):
    train = df[df["InvoiceDate"] < cut]
    test = df[(df["InvoiceDate"] >= cut) & ((df["InvoiceDate"] < end) if end is not None else True)]
    bought = train[train["user"] != ""].groupby("user")["StockCode"].agg(set).to_dict()
    truth = {}
    for user, items in test[test["user"] != ""].groupby("user")["StockCode"].agg(set).items():
        new = items - bought.get(user, set()) if new_only else items
        if user in bought and new:
            truth[user] = new
    users = random.Random(SEED).sample(sorted(truth), min(N_USERS, len(truth)))
    return train, {u: truth[u] for u in users}, bought


def evaluate(ranked: dict[str, list[str]], truth: dict[str, set[str]], n_items: int) -> dict:
    hits, ndcgs = zip(*(hit_rate_ndcg(ranked[u], truth[u], K) for u in truth), strict=True)
    lists = [ranked[u] for u in truth]
    return {"HR@10": np.mean(hits), "NDCG@10": np.mean(ndcgs), "ndcgs": ndcgs,
            "coverage": coverage(lists, n_items), "variation": variation(lists, K)}


def most_popular(train, truth, bought, exclude=True):
    top = list(train.groupby("StockCode")["Invoice"].nunique().sort_values(ascending=False).index)
    return {u: [i for i in top if not exclude or i not in bought[u]][:K] for u in truth}


def item_knn(train, truth, bought, exclude=True):
    tr = train[train["user"] != ""]
    items = sorted(tr["StockCode"].unique())
    idx = {c: i for i, c in enumerate(items)}
    users = {u: j for j, u in enumerate(sorted(tr["user"].unique()))}
    m = incidence([users[u] for u in tr["user"]], [idx[c] for c in tr["StockCode"]],
                  len(users), len(items))
    sim, out = cosine_cooccurrence(m), {}
    for u in truth:
        hist = [idx[c] for c in bought[u] if c in idx]
        s = np.asarray(sim[hist].sum(axis=0)).ravel()
        if exclude:
            s[hist] = -np.inf
        out[u] = [items[i] for i in np.argsort(-s)[:K]]
    return out


def rebuy(train, truth, cut: pd.Timestamp, half_life_days: float = 30.0):  # secondary only
    tr = train[train["user"].isin(set(truth))]
    age = (cut - tr["InvoiceDate"]).dt.total_seconds() / 86400
    score = (0.5 ** (age / half_life_days)).groupby([tr["user"], tr["StockCode"]]).sum()
    return {u: list(score.loc[u].sort_values(ascending=False).index[:K]) for u in truth}


def ours(rec: Recommender, truth, bought, profiles, cut: pd.Timestamp, exclude=True):
    at, out = cut.to_pydatetime().replace(tzinfo=UTC), {}
    for u in truth:
        p = profiles[u]
        req = RecommendRequest(user_id=u, limit=K, market=p.market, request_time=at,
                               exclude_product_ids=sorted(bought[u]) if exclude else [])
        out[u] = [i.product_id for i in rec.recommend(req, p).items]
    return out


def fit(train, catalog, cut, mcfg) -> HybridModel:
    return HybridModel(mcfg).fit(log_of(train), catalog, cut.timestamp())


def tune(df, catalog, cats) -> tuple[ModelConfig, PersonalizationConfig]:
    """Two stages on validation only: model (user weighting × blend), then the layer."""
    train, truth, bought = split(df, VAL_CUT, TEST_CUT)
    profiles = profiles_of(train, list(truth), cats)

    def score(model: HybridModel, pcfg: PersonalizationConfig, label: str) -> float:
        ranked = ours(Recommender(model, pcfg), truth, bought, profiles, VAL_CUT)
        r = evaluate(ranked, truth, model.n_items)
        print(f"  val {label}: NDCG@10={r['NDCG@10']:.4f} variation={r['variation']:.3f}")
        return float(r["NDCG@10"]) if r["variation"] >= 0.9 else -1.0

    return search(lambda cfg: fit(train, catalog, VAL_CUT, cfg), score, MODEL)


def table(title: str, results: dict, truth, n_items: int, ref: str) -> None:
    print(f"\n{title}")
    print(f"{'method':36s} {'HR@10':>6s} {'NDCG@10':>7s} {'95% CI':>15s} {'Δ vs ' + ref:>22s} "
          f"{'cover':>6s} {'variation':>9s}")
    rows = {name: evaluate(ranked, truth, n_items) for name, ranked in results.items()}
    for name, r in rows.items():
        lo, hi = bootstrap_ci(r["ndcgs"])
        dlo, dhi = bootstrap_ci(r["ndcgs"], baseline=rows[ref]["ndcgs"])
        delta = r["NDCG@10"] - rows[ref]["NDCG@10"]
        print(f"{name:36s} {r['HR@10']:6.3f} {r['NDCG@10']:7.4f} [{lo:.4f},{hi:.4f}] "
              f"{delta:+.4f} [{dlo:+.4f},{dhi:+.4f}] {r['coverage']:6.3f} {r['variation']:9.3f}")


def main() -> None:
    t0 = time.time()
    df = load()
    catalog = catalog_of(df)
    cats = {p.id: p for p in catalog}
    print(f"rows={len(df)} products={len(catalog)} load={time.time() - t0:.1f}s")
    mcfg, pcfg = tune(df, catalog, cats)
    same = mcfg == TUNED_MODEL and pcfg == TUNED_PERSONALIZATION
    print(f"chosen on validation: {mcfg!r} {pcfg!r}  ({time.time() - t0:.1f}s)\n"
          f"matches TUNED_MODEL/TUNED_PERSONALIZATION: {same}")
    train, truth, bought = split(df, TEST_CUT)
    profiles = profiles_of(train, list(truth), cats)
    model = fit(train, catalog, TEST_CUT, TUNED_MODEL)
    knn = "item-kNN (user-item cosine)"
    results = {"most-popular": most_popular(train, truth, bought),
               knn: item_knn(train, truth, bought)}
    runs = [("start weights", MODEL, PersonalizationConfig()),
            ("TUNED_*", TUNED_MODEL, TUNED_PERSONALIZATION)] + ([] if same else [
             ("val-chosen now", mcfg, pcfg)])
    for label, m_cfg, p_cfg in runs:
        m = model if m_cfg == TUNED_MODEL else fit(train, catalog, TEST_CUT, m_cfg)
        results[f"hybrid + MCP layer ({label})"] = ours(Recommender(m, p_cfg), truth, bought,
                                                        profiles, TEST_CUT)
    table(f"HEADLINE — new items only, history excluded; test users={len(truth)} (sampled, "
          f"seed={SEED}) items={model.n_items} cut={TEST_CUT.date()}",
          results, truth, model.n_items, knn)
    train, truth, bought = split(df, TEST_CUT, new_only=False)
    profiles = profiles_of(train, list(truth), cats)
    repeat_rec = Recommender(model, TUNED_PERSONALIZATION.model_copy(update={"just_bought_days": 0}))
    table(f"SECONDARY (not the headline) — repeats count, nothing excluded; users={len(truth)}",
          {"most-popular": most_popular(train, truth, bought, exclude=False),
           knn: item_knn(train, truth, bought, exclude=False),
           "rebuy (own past items, orders×recency)": rebuy(train, truth, TEST_CUT),
           "hybrid + MCP layer (TUNED_*)": ours(repeat_rec, truth, bought, profiles, TEST_CUT,
                                                exclude=False)},
          truth, model.n_items, knn)
    print(f"items in train={train['StockCode'].nunique()}  total time {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
