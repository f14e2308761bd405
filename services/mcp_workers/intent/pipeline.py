"""`IntentAnalyzer`: follow-up → cache → pattern → model → optional LLM → thresholds.

Follow-up answers depend on the exact context, so they are never cached; the cache keeps
context-free classifications (keyed by normalised text, language hint and whether a
follow-up context was present) and references are re-attached on every call.
"""

from __future__ import annotations

import asyncio
import re

from libs.contracts.intent import (
    ADMIN_INTENTS,
    CLARIFY,
    SHOPPER_ADMIN_CAP,
    Alternative,
    Entities,
    IntentRequest,
    IntentResult,
    Source,
)
from libs.nlu.entities import extract_entities
from libs.nlu.followup import attach_context, resolve_followup
from libs.nlu.guard import admin_worded, shopper_only
from libs.nlu.interest import stated_query
from libs.nlu.lang import as_language, detect_language
from libs.nlu.patterns import match_patterns
from libs.nlu.text import normalize
from services.mcp_workers.intent.cache import TTLCache, cache_key
from services.mcp_workers.intent.clarify import clarification_question
from services.mcp_workers.intent.llm import LLMProvider
from services.mcp_workers.intent.model import IntentModel, default_model

_SHOP_WORDS = re.compile(
    r"\b(?:shop|store|buy|order|basket|cart|trolley|price|cost|gift|product|item|deliver\w*|"
    r"ship\w*|pay\w*|sell\w*|size|colou?r|add|help|menu|chat|"
    r"tienda|compr\w*|pedido|cesta|carrito|precio|regalo|producto|articulo|envi\w*|pag\w*|"
    r"caja|vend\w*|talla|ayud\w*|menu|"
    r"boutique|achet\w*|commande|panier|prix|cadeau|produit|article|livr\w*|pai\w*|caisse|"
    r"vent\w*|taille|aid\w*)\b"
)


def for_audience(result: IntentResult, req: IntentRequest) -> IntentResult:
    """A shopper's message is never a confident admin intent, whatever the stages said.

    The classifier and the wording guard (`libs.nlu.guard`) still misread a shopper now and
    then ("create an account for me"); a shopper's channel cannot change the catalog anyway
    (admins use the admin API / MCP server), so the reading is capped at SHOPPER_ADMIN_CAP:
    enough for the chat's "that is for admins" answer, never a confident one."""
    if req.audience == "admin" or result.intent not in ADMIN_INTENTS:
        return result
    if result.confidence <= SHOPPER_ADMIN_CAP:
        return result
    return result.model_copy(update={"confidence": SHOPPER_ADMIN_CAP})


class IntentAnalyzer:
    """Combines the stages; `analyze` is async (the LLM is I/O), `analyze_sync` is not."""

    def __init__(
        self,
        model: IntentModel | None = None,
        llm: LLMProvider | None = None,
        cache: TTLCache | None = None,
        model_threshold: float = 0.6,
        final_threshold: float = 0.4,
        use_patterns: bool = True,
    ) -> None:
        self.model = model or default_model()
        self.llm = llm
        self.cache = cache if cache is not None else TTLCache()
        self.model_threshold = model_threshold
        self.final_threshold = final_threshold
        self.use_patterns = use_patterns

    async def analyze(self, req: IntentRequest) -> IntentResult:
        early = self._early(req)
        if isinstance(early, IntentResult):
            return for_audience(early, req)
        lang, key = early
        result, preds = self._local(req.text, lang)
        if result is None and self.llm is not None:
            answer = await self.llm.classify(req.text, lang, preds)
            if answer is not None and answer.intent in ADMIN_INTENTS and not admin_worded(
                    req.text):
                answer = None
            if answer is not None and answer.confidence >= self.final_threshold:
                result = self._build(req.text, lang, answer.intent, answer.confidence, "llm", preds)
        return for_audience(self._finish(req, key, result or self._fallback(req.text, lang, preds)),
                            req)

    def analyze_sync(self, req: IntentRequest) -> IntentResult:
        """Same as `analyze`; must not be called from inside a running event loop."""
        if self.llm is not None:
            return asyncio.run(self.analyze(req))
        early = self._early(req)
        if isinstance(early, IntentResult):
            return for_audience(early, req)
        lang, key = early
        result, preds = self._local(req.text, lang)
        return for_audience(self._finish(req, key, result or self._fallback(req.text, lang, preds)),
                            req)

    def _early(self, req: IntentRequest) -> IntentResult | tuple[str, tuple[str, str, bool]]:
        lang = detect_language(req.text, req.language_hint)
        if not normalize(req.text):
            return IntentResult(
                intent=CLARIFY,
                confidence=0.0,
                language=as_language(lang),
                source="fallback",
                clarification=clarification_question(lang, []),
            )
        ctx = req.context or {}
        has_context = bool(ctx.get("last_products") or ctx.get("last_intent"))
        if has_context and (followup := resolve_followup(req.text, ctx, lang)) is not None:
            return followup
        key = cache_key(req.text, req.language_hint, has_context)
        cached = self.cache.get(key)
        if cached is not None:
            hit = cached.model_copy(update={"source": "cache", "cached": True})
            return attach_context(hit, req.text, req.context)
        return lang, key

    def _finish(
        self, req: IntentRequest, key: tuple[str, str, bool], result: IntentResult
    ) -> IntentResult:
        self.cache.put(key, result)
        return attach_context(result.model_copy(update={"cached": False}), req.text, req.context)

    def _local(self, text: str, lang: str) -> tuple[IntentResult | None, list[tuple[str, float]]]:
        if self.use_patterns and (hit := match_patterns(text, lang)) is not None:
            return hit, []
        preds = self.model.predict(text, top=len(self.model.classes))
        if preds[0][0] in ADMIN_INTENTS and not admin_worded(text):
            preds = shopper_only(preds)  # a shopper's words: never an admin intent
        preds = preds[:3]
        intent, confidence = preds[0]
        if confidence >= self.model_threshold:
            return self._build(text, lang, intent, confidence, "model", preds), preds
        return None, preds

    def _build(
        self,
        text: str,
        lang: str,
        intent: str,
        confidence: float,
        source: Source,
        preds: list[tuple[str, float]],
    ) -> IntentResult:
        alternatives = [
            Alternative(intent=i, confidence=round(p, 4)) for i, p in preds if i != intent
        ]
        entities = extract_entities(text) if intent != "out_of_scope" else Entities()
        if intent in ("search_products", "recommendations") and entities.query is None:
            # "a gift for my mum who loves Monet": the interest ("monet") is the query.
            entities.query = stated_query(text)
        return IntentResult(
            intent=intent,
            confidence=round(confidence, 4),
            entities=entities,
            language=as_language(lang),
            source=source,
            alternatives=alternatives,
        )

    def _fallback(self, text: str, lang: str, preds: list[tuple[str, float]]) -> IntentResult:
        """Below the model threshold and no LLM answer: keep the model's answer above the
        final threshold; below it, out_of_scope when nothing ties it to the shop, else ask."""
        top, p = preds[0]
        if p >= self.final_threshold:
            return self._build(text, lang, top, p, "model", preds)
        ents = extract_entities(text)
        shop_related = bool(
            _SHOP_WORDS.search(normalize(text))
            or ents.category
            or ents.colour
            or ents.price_max
            or ents.price_min
            or ents.order_id
        )
        if not shop_related:
            p_oos = next((q for i, q in preds if i == "out_of_scope"), 0.0)
            return self._build(text, lang, "out_of_scope", max(p_oos, 0.5), "fallback", preds)
        candidates = [i for i, _ in preds if i != "out_of_scope"]
        return IntentResult(
            intent=CLARIFY,
            confidence=round(p, 4),
            entities=ents,
            language=as_language(lang),
            source="fallback",
            clarification=clarification_question(lang, candidates),
            alternatives=[Alternative(intent=i, confidence=round(q, 4)) for i, q in preds],
        )
