"""Checks of `bench_intent.py` beyond the corpus: the fresh phrasings (tests/fixtures/intent,
written before tuning, never trained on), the admin confidence shoppers get, and recall."""

from __future__ import annotations

import json
from pathlib import Path

from libs.contracts.intent import ADMIN_INTENTS, IntentRequest
from services.mcp_workers.intent.data import Example
from services.mcp_workers.intent.pipeline import IntentAnalyzer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "intent"
LANGS = ("en", "es", "fr")
Row = tuple[Example, str, float]


def _load(name: str) -> list[dict[str, str]]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def fresh_examples() -> list[Example]:
    return [Example(r["text"], r["intent"], r["lang"]) for r in _load("fresh_phrasings.jsonl")]


def tricky_examples() -> list[Example]:
    """Shopper messages with admin-like words; their intent is not labelled ("shopper")."""
    return [Example(r["text"], "shopper", r["lang"]) for r in _load("shopper_admin_words.jsonl")]


def recall(rows: list[Row], intent: str) -> str:
    out = []
    for lang in LANGS:
        sub = [i for e, i, _ in rows if e.lang == lang and e.intent == intent]
        out.append(f"{lang} {100 * sum(i == intent for i in sub) / max(1, len(sub)):5.1f}%")
    return "  ".join(out)


def fresh(analyzer: IntentAnalyzer) -> list[Row]:
    """Accuracy per language on the fresh phrasings (the pipeline as served)."""
    rows: list[Row] = []
    for e in fresh_examples():
        r = analyzer.analyze_sync(IntentRequest(text=e.text))
        rows.append((e, r.intent, r.confidence))
    print("\n== fresh phrasings (288, written before tuning, never trained on) ==")
    for lang in LANGS:
        sub = [e.intent == i for e, i, _ in rows if e.lang == lang]
        print(f"  accuracy {lang}: {100 * sum(sub) / len(sub):5.1f}%  (n={len(sub)})")
    print(f"  product_question recall: {recall(rows, 'product_question')}")
    wrong = [(e, i, c) for e, i, c in rows if e.intent != i]
    for e, i, c in wrong[:40]:
        print(f"    {e.lang} {e.intent} -> {i} {c:.2f}: {e.text}")
    return rows


def admin_confidence(analyzer: IntentAnalyzer, cv_uncapped: list[Row]) -> None:
    """Highest admin confidence a shopper's message gets: as served (audience "shopper", the
    default) and the classifier + wording guard alone (audience "admin", no cap)."""
    shopper = [e for e in fresh_examples() if e.intent not in ADMIN_INTENTS] + tricky_examples()
    print("\n== admin confidence on shopper phrasings (fresh + admin-like words) ==")
    for audience in ("shopper", "admin"):
        worst: list[tuple[float, str]] = []
        for e in shopper:
            r = analyzer.analyze_sync(IntentRequest(text=e.text, audience=audience))
            if r.intent in ADMIN_INTENTS:
                worst.append((r.confidence, f"{e.lang} -> {r.intent}: {e.text}"))
        worst.sort(reverse=True)
        top = worst[0][0] if worst else 0.0
        label = "as served (shopper)" if audience == "shopper" else "no cap (classifier + guard)"
        print(f"  {label:28s}: {len(worst)} of {len(shopper)} read as admin, "
              f"{sum(c >= 0.8 for c, _ in worst)} at >= 0.8, max {top:.2f}")
        for c, what in worst[:6]:
            print(f"    {c:.2f} {what}")
    shop_cv = [(e, i, c) for e, i, c in cv_uncapped if e.intent not in ADMIN_INTENTS]
    admin_cv = [c for _, i, c in shop_cv if i in ADMIN_INTENTS]
    print(f"  grouped CV, no cap: {len(admin_cv)} of {len(shop_cv)} shopper lines read as "
          f"admin, {sum(c >= 0.8 for c in admin_cv)} at >= 0.8, "
          f"max {max(admin_cv, default=0.0):.2f}")
