"""Answers on `notifications.requests`: delivery status, the templates, a preview with sample data,
and the two steps of an unsubscribe link (read it; confirm it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from libs.contracts.notification_queries import (
    PreviewQuery,
    PreviewReply,
    StatusQuery,
    StatusReply,
    TemplateInfo,
    TemplatesQuery,
    TemplatesReply,
    UnsubscribeQuery,
    UnsubscribeReply,
)
from libs.contracts.notifications import Contact
from libs.locale import normalise_language
from libs.messaging.errors import HandlerError
from services.notifications.consent import ConsentStore
from services.notifications.store import NotificationStore
from services.notifications.templating import TemplateRenderer, country_of, locale_for
from services.notifications.unsubscribe import UnsubscribeTokens

MARKETING_KINDS = frozenset({"abandoned_cart"})
MARKET_CURRENCY = {"EU": "EUR", "UK": "GBP", "US": "USD"}
MARKET_COUNTRY = {"UK": "GB", "US": "US"}
LANGUAGE_COUNTRY = {"es": "ES", "fr": "FR", "en": "GB"}
PARTS = {"subject.txt": "subject", "txt": "text", "html": "html", "short.txt": "short",
         "params.txt": "params"}


def sample_data(kind: str, currency: str) -> dict[str, Any]:
    """What a preview fills the template with: one plausible order, shipment or basket."""
    lines = [{"product_id": "85123A", "sku": "85123A", "title": "White Hanging Heart T-light "
              "Holder", "quantity": 2, "unit_price": 295, "line_total": 590},
             {"product_id": "22423", "sku": "22423", "title": "Regency Cakestand 3 Tier",
              "quantity": 1, "unit_price": 1275, "line_total": 1275}]
    when = datetime(2026, 12, 2, 10, 0, tzinfo=UTC).isoformat()
    return {
        "order_id": "ord_sample42", "cart_id": "cart_sample42", "lines": lines,
        "subtotal": 1865, "shipping": 0, "tax": 0, "total": 1865, "currency": currency,
        "created_at": when, "shipped_at": when, "started_at": when, "carrier": "Correos",
        "tracking_url": "https://tracking.example/track?n=PQ4F6P0000000",
        "tracking_number": "PQ4F6P0000000", "shop_url": "https://shop.example/chat",
    }


class QueryDesk:
    def __init__(self, store: NotificationStore, renderer: TemplateRenderer,
                 consent: ConsentStore, tokens: UnsubscribeTokens) -> None:
        self.store, self.renderer, self.consent, self.tokens = store, renderer, consent, tokens

    async def answer(self, query: BaseModel) -> BaseModel:
        """One reply model per query model (see libs/contracts/notification_queries.py)."""
        if isinstance(query, StatusQuery):
            nid = query.notification_id
            return StatusReply(notification_id=nid, current=await self.store.current(nid),
                               history=await self.store.history(nid))
        if isinstance(query, TemplatesQuery):
            return self.templates()
        if isinstance(query, PreviewQuery):
            return self.preview(query)
        if isinstance(query, UnsubscribeQuery):
            return await self.unsubscribe(query)
        raise HandlerError("bad_request", f"unknown query {type(query).__name__}")

    def templates(self) -> TemplatesReply:
        root = self.renderer.root / "en"
        return TemplatesReply(templates=[TemplateInfo(
            kind=kind, languages=self.renderer.languages(kind),
            transactional=kind not in MARKETING_KINDS,
            parts=[name for suffix, name in PARTS.items() if (root / f"{kind}.{suffix}").exists()],
        ) for kind in self.renderer.kinds()])

    def preview(self, query: PreviewQuery) -> PreviewReply:
        if query.kind not in self.renderer.kinds():
            raise HandlerError("not_found", f"no template {query.kind!r}; "
                               f"known: {', '.join(self.renderer.kinds())}")
        market = (query.market or "").upper()
        language = normalise_language(query.language)
        country = (query.country or MARKET_COUNTRY.get(market)
                   or LANGUAGE_COUNTRY.get(language or ""))
        contact = Contact(language=language, country=country)
        currency = MARKET_CURRENCY.get(market, "GBP")
        link = f"{self.tokens.base_url}/unsubscribe/sample" if query.channel == "email" else None
        out = self.renderer.render(query.kind, contact, sample_data(query.kind, currency), link,
                                   short=query.channel != "email")
        return PreviewReply(kind=query.kind, channel=query.channel, language=out.language,
                            locale=locale_for(out.language, country_of(contact)),
                            subject=out.subject, text=out.text, html=out.html,
                            params=list(out.params))

    async def unsubscribe(self, query: UnsubscribeQuery) -> UnsubscribeReply:
        claims = self.tokens.verify(query.token)
        if claims is None:
            return UnsubscribeReply(valid=False)
        if query.confirm:
            await self.consent.opt_out(claims.c, claims.h)
        return UnsubscribeReply(valid=True, channel=claims.c, address=claims.m,
                                language=claims.l, done=query.confirm)
