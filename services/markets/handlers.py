"""Markets request handling: plain functions over the domain, no transport."""

from __future__ import annotations

from libs.contracts.markets import (
    LocalizedPriceOut,
    LocalizePriceReply,
    LocalizePriceRequest,
    MarketOut,
    PrivacyLawsReply,
    PrivacyLawsRequest,
    ResolveMarketReply,
    ResolveMarketRequest,
)
from libs.messaging.errors import HandlerError
from services.markets.domain.config import MarketsConfig
from services.markets.domain.errors import MarketError
from services.markets.domain.models import Market, MarketResolution
from services.markets.domain.pricing import localize_price
from services.markets.domain.resolve import resolve_market


class MarketsHandlers:
    def __init__(self, config: MarketsConfig) -> None:
        self.config = config

    def _resolve(self, req: ResolveMarketRequest | LocalizePriceRequest) -> MarketResolution:
        try:
            return resolve_market(
                country=req.country,
                phone=req.phone,
                accept_language=req.accept_language,
                config=self.config,
            )
        except MarketError as exc:
            raise HandlerError("bad_request", str(exc)) from exc

    @staticmethod
    def _market_out(market: Market) -> MarketOut:
        return MarketOut.model_validate(market.model_dump(mode="json"))

    def privacy_laws(self) -> PrivacyLawsReply:
        cfg = self.config
        return PrivacyLawsReply(
            laws={code: region.privacy_law for code, region in cfg.regions.items()},
            regions={country: tpl.region for country, tpl in cfg.countries.items()},
            aliases=dict(cfg.country_aliases),
            fallback_region=cfg.fallback.region,
        )

    async def handle(
        self, req: ResolveMarketRequest | LocalizePriceRequest | PrivacyLawsRequest
    ) -> ResolveMarketReply | LocalizePriceReply | PrivacyLawsReply:
        """Resolve a market from country/phone/Accept-Language, localise prices for it, or
        give every market's privacy law."""
        if isinstance(req, PrivacyLawsRequest):
            return self.privacy_laws()
        resolution = self._resolve(req)
        market_out = self._market_out(resolution.market)
        if isinstance(req, ResolveMarketRequest):
            return ResolveMarketReply(
                market=market_out, source=resolution.source, decided_by=resolution.decided_by
            )
        prices = []
        for item in req.items:
            try:
                lp = localize_price(
                    item.amount,
                    item.currency.upper(),
                    resolution.market,
                    self.config,
                    quantity=item.quantity,
                    subdivision=req.subdivision,
                )
            except MarketError as exc:
                raise HandlerError("bad_request", str(exc)) from exc
            prices.append(
                LocalizedPriceOut.model_validate({**lp.model_dump(mode="json"), "id": item.id})
            )
        return LocalizePriceReply(market=market_out, prices=prices)
