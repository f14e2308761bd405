"""The offline data for `bench_recs.py`: UCI Online Retail II (2009-2010), CC BY 4.0.

Chen, D. (2012) "Online Retail II", UCI ML Repository, doi:10.24432/C5CG6D. Read from
`../shared/data` beside the repository (never an absolute path). Everything the served system
would know at a cut is built from rows before it: the catalog's stock (the demo catalog's rule,
units sold // 25, on pre-cut units), the profiles (folded by the user-events service's own
`fold`), the interaction log. The test period is only ever read for the truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import pandas as pd

from libs.catalog.keywords import categorize
from libs.contracts.catalog import LocalizedText, Product, Variant
from libs.contracts.events import ProductDetail, UserEvent
from libs.profiles.model import Profile
from services.recommend.domain import InteractionLog
from services.user_events.domain import fold

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "online_retail_ii_2009_2010.csv.gz"
TEST_CUT, VAL_CUT = pd.Timestamp("2010-10-10"), pd.Timestamp("2010-08-10")
N_USERS, SEED = 800, 42
EU = {"France", "Germany", "EIRE", "Spain", "Netherlands", "Belgium", "Portugal", "Italy",
      "Austria", "Denmark", "Sweden", "Finland", "Greece", "Poland", "Cyprus", "Malta",
      "Lithuania", "Channel Islands"}


def market_of(country: str) -> str:
    return "UK" if country == "United Kingdom" else "EU" if country in EU else "INTL"


def load() -> pd.DataFrame:
    if not DATA.exists():
        raise SystemExit(f"data file missing: {DATA} (see ../shared/data/README.md)")
    df = pd.read_csv(DATA, dtype={"Invoice": str, "StockCode": str})
    df = df[~df["Invoice"].str.startswith("C") & (df["Quantity"] > 0) & (df["Price"] > 0)]
    df = df[df["StockCode"].str.match(r"^\d{5}") & df["Description"].notna()]
    df = df[df["Description"].astype(str).str.lower() != "nan"].copy()
    df["InvoiceDate"] = pd.to_datetime(df["InvoiceDate"])
    df["user"] = df["Customer ID"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    df["market"] = df["Country"].map(market_of)
    return df


def catalog_of(df: pd.DataFrame, cut: pd.Timestamp) -> list[Product]:
    """One product per stock code, categorised and market-restricted as the demo catalog is;
    stock from units sold before the cut (the demo rule), so slow sellers are out of stock."""
    grouped = df.groupby("StockCode").agg(
        desc=("Description", lambda s: s.astype(str).mode().iat[0]), price=("Price", "median"))
    units = df[df["InvoiceDate"] < cut].groupby("StockCode")["Quantity"].sum()
    out = []
    for code, row in grouped.iterrows():
        category = categorize(row.desc)
        out.append(Product(
            id=code, handle=code.lower(), title=LocalizedText(en=row.desc.title()),
            category=category, markets=["UK", "EU"] if category == "candles" else [],
            variants=[Variant(sku=code, price=int(round(row.price * 100)),
                              stock=min(999, int(units.get(code, 0)) // 25))]))
    return out


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


@dataclass
class Split:
    cut: pd.Timestamp
    train: pd.DataFrame
    truth: dict[str, set[str]]  # sampled users → relevant items after the cut
    bought: dict[str, set[str]]  # every known user → items bought before the cut
    stated: dict[str, str]  # user → category of their first purchase after the cut


def split(df: pd.DataFrame, cut: pd.Timestamp, end: pd.Timestamp | None = None,
          new_only: bool = True) -> Split:
    """Users with history before the cut and something relevant in [cut, end)."""
    train = df[df["InvoiceDate"] < cut]
    test = df[(df["InvoiceDate"] >= cut) & ((df["InvoiceDate"] < end) if end is not None else True)]
    bought = train[train["user"] != ""].groupby("user")["StockCode"].agg(set).to_dict()
    truth = {}
    for user, items in test[test["user"] != ""].groupby("user")["StockCode"].agg(set).items():
        new = items - bought.get(user, set()) if new_only else items
        if user in bought and new:
            truth[user] = new
    users = random.Random(SEED).sample(sorted(truth), min(N_USERS, len(truth)))
    return Split(cut, train, {u: truth[u] for u in users}, bought,
                 first_categories(test, users, bought, new_only))


def first_categories(test: pd.DataFrame, users: list[str], bought: dict[str, set[str]],
                     new_only: bool) -> dict[str, str]:
    """The intent-conditioned protocol's stated interest: the most frequent known category
    among the (new) items of the user's first invoice after the cut."""
    out: dict[str, str] = {}
    sub = test[test["user"].isin(set(users))].sort_values("InvoiceDate")
    for user, g in sub.groupby("user", sort=False):
        first = g[g["Invoice"] == g["Invoice"].iat[0]]
        if new_only:
            first = first[~first["StockCode"].isin(bought.get(user, set()))]
        cats = first["Description"].astype(str).map(categorize)
        cats = cats[cats != "other"]
        if len(cats):
            out[str(user)] = str(cats.value_counts().index[0])
    return out
