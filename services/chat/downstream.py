"""Calls from the chat orchestrator to the services, each behind its circuit breaker."""

from __future__ import annotations

import time
from typing import Any, TypeVar

from pydantic import BaseModel

from libs.contracts.intent import INTENT_REQUESTS, IntentRequest, IntentResult
from libs.contracts.markets import (
    MARKETS_REQUESTS,
    LocalizePriceReply,
    LocalizePriceRequest,
    PriceItem,
    ResolveMarketReply,
    ResolveMarketRequest,
)
from libs.contracts.mcp import ToolCallReply, ToolCallRequest
from libs.contracts.storefront import ToolArgs
from libs.contracts.topics import STOREFRONT_REQUESTS
from libs.messaging.breaker import Breakers
from libs.messaging.errors import RemoteError, RequestError
from libs.messaging.rpc import RpcClient
from libs.nlu.entities import extract_entities
from libs.nlu.followup import resolve_followup
from libs.nlu.lang import detect_language
from libs.nlu.patterns import match_patterns

R = TypeVar("R", bound=BaseModel)


class Unavailable(Exception):
    """The service is down, slow or its breaker is open."""

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.service = service


class ToolProblem(Exception):
    """The tool answered with an error meant for the user (unknown product, out of stock...);
    `codes` are the storefront's error codes (`not_found`, `cart_closed`, `out_of_stock`...)."""

    def __init__(self, message: str, codes: frozenset[str] = frozenset()) -> None:
        super().__init__(message)
        self.codes = codes


class Downstream:
    def __init__(
        self,
        rpc: RpcClient,
        breakers: Breakers,
        intent_timeout_s: float = 3.0,
        service_timeout_s: float = 8.0,
    ) -> None:
        self.rpc = rpc
        self.breakers = breakers
        self.intent_timeout_s = intent_timeout_s
        self.service_timeout_s = service_timeout_s

    async def call(
        self,
        service: str,
        topic: str,
        payload: BaseModel,
        reply: type[R],
        key: str | None,
        timeout: float,
    ) -> R:
        breaker = self.breakers.get(service)
        if not breaker.allow():
            raise Unavailable(service)
        started = time.perf_counter()
        try:
            result = await self.rpc.request(topic, payload, reply, key=key, timeout=timeout)
        except RemoteError as exc:
            if exc.code in ("unavailable", "internal", "bad_reply"):
                breaker.record(False)
                raise Unavailable(service) from exc
            breaker.record(True, time.perf_counter() - started)
            raise ToolProblem(exc.message) from exc
        except RequestError as exc:
            breaker.record(False)
            raise Unavailable(service) from exc
        breaker.record(True, time.perf_counter() - started)
        return result

    async def intent(self, req: IntentRequest, key: str) -> tuple[IntentResult, bool]:
        """The intent service's answer, or the in-process pattern stage marked `fallback_used`."""
        try:
            return await self.call(
                "intent", INTENT_REQUESTS, req, IntentResult, key, self.intent_timeout_s
            ), False
        except (Unavailable, ToolProblem):
            return fallback_intent(req), True

    async def market(
        self, country: str | None, phone: str | None, accept_language: str | None
    ) -> ResolveMarketReply | None:
        req = ResolveMarketRequest(country=country, phone=phone, accept_language=accept_language)
        try:
            return await self.call(
                "markets", MARKETS_REQUESTS, req, ResolveMarketReply, phone or country, 3.0
            )
        except (Unavailable, ToolProblem):
            return None

    async def localize(
        self, country: str | None, amounts: list[dict[str, Any]]
    ) -> list[str] | None:
        if not amounts:
            return []
        items = [PriceItem(amount=a["amount"], currency=a.get("currency", "GBP")) for a in amounts]
        try:
            reply = await self.call(
                "markets",
                MARKETS_REQUESTS,
                LocalizePriceRequest(country=country or "GB", items=items),
                LocalizePriceReply,
                country,
                3.0,
            )
        except (Unavailable, ToolProblem):
            return None
        return [p.formatted for p in reply.prices]

    async def tool(self, args: ToolArgs, owner: str | None) -> dict[str, Any]:
        """Call a storefront tool through Kafka; an error result becomes ToolProblem."""
        name, arguments = args.call()
        req = ToolCallRequest(tool=name, arguments=arguments, owner=owner)
        reply = await self.call(
            "storefront", STOREFRONT_REQUESTS, req, ToolCallReply, owner, self.service_timeout_s
        )
        if reply.is_error:
            raise ToolProblem(reply.text or f"{name} failed")
        data = reply.structured or {}
        if data.get("error"):
            raise ToolProblem(str(data["error"]))
        if errors := data.get("errors"):
            raise ToolProblem(
                "; ".join(e.get("message", str(e)) for e in errors),
                frozenset(str(e.get("code")) for e in errors),
            )
        return data


def fallback_intent(req: IntentRequest) -> IntentResult:
    """The gateway's own pattern stage, used when intent analysis is down or slow."""
    language = detect_language(req.text, req.language_hint)
    result = None
    if req.context:
        result = resolve_followup(req.text, req.context, language)
    result = result or match_patterns(req.text, language=language, hint=req.language_hint)
    if result is None:
        entities = extract_entities(req.text)
        if entities.category:  # a shop word and no rule: most likely a search
            result = IntentResult(
                intent="search_products", confidence=0.5, language=language, entities=entities
            )
        else:
            result = IntentResult(intent="out_of_scope", confidence=0.0, language=language)
    return result.model_copy(update={"source": "fallback"})
