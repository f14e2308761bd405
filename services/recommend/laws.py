"""Each market's privacy law, from the markets data (the markets service), not a country list
of recommend's own: the table is asked for at start-up and refreshed, so a market added to, or
re-classified in, the markets data changes what recommend may personalise.

Until the table is known (markets not answering yet), every market is treated as opt-in: the
strictest rule, so a slow markets service can cost personalisation, never a shopper's consent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Literal

from libs.contracts.markets import PrivacyLawsReply, PrivacyLawsRequest
from libs.messaging.errors import RequestError
from libs.messaging.rpc import RpcClient

log = logging.getLogger(__name__)
Regime = Literal["opt_in", "opt_out", "default"]
# What each law of the markets data means for personalisation from stored data.
OPT_IN_LAWS = {"gdpr", "uk_gdpr", "gdpr_equivalent"}  # consent first (GDPR art. 6(1)(a))
OPT_OUT_LAWS = {"ccpa"}  # honour "do not sell or share" (CCPA/CPRA)
_STRICTNESS: dict[Regime, int] = {"opt_in": 2, "opt_out": 1, "default": 0}


def regime_of_law(law: str) -> Regime:
    if law in OPT_IN_LAWS:
        return "opt_in"
    return "opt_out" if law in OPT_OUT_LAWS else "default"


@dataclass(frozen=True)
class PrivacyLaws:
    laws: dict[str, str]  # region -> law
    regions: dict[str, str]  # country -> region
    aliases: dict[str, str] = field(default_factory=dict)
    fallback_region: str = ""

    @classmethod
    def from_reply(cls, reply: PrivacyLawsReply) -> PrivacyLaws:
        return cls({k.upper(): v for k, v in reply.laws.items()},
                   {k.upper(): v.upper() for k, v in reply.regions.items()},
                   {k.upper(): v.upper() for k, v in reply.aliases.items()},
                   reply.fallback_region.upper())

    def regime(self, market: str | None, country: str | None) -> Regime:
        """The stricter of the market's law and the country's (a "US-CA" country is "US")."""
        found: list[Regime] = []
        if market and market.upper() in self.laws:
            found.append(regime_of_law(self.laws[market.upper()]))
        code = (country or "").upper().split("-")[0]
        if code:
            region = self.regions.get(self.aliases.get(code, code), self.fallback_region)
            found.append(regime_of_law(self.laws.get(region, "")))
        if not found:
            found.append(regime_of_law(self.laws.get(self.fallback_region, "")))
        return max(found, key=_STRICTNESS.__getitem__)


def regime(laws: PrivacyLaws | None, market: str | None, country: str | None) -> Regime:
    return "opt_in" if laws is None else laws.regime(market, country)


class LawsSource:
    """Keeps `current` up to date from the markets service (`refresh_s`; `retry_s` while it
    has not answered yet)."""

    def __init__(self, rpc: RpcClient, topic: str, timeout_s: float = 3.0,
                 refresh_s: float = 300.0, retry_s: float = 5.0) -> None:
        self.rpc, self.topic, self.timeout_s = rpc, topic, timeout_s
        self.refresh_s, self.retry_s = refresh_s, retry_s
        self.current: PrivacyLaws | None = None
        self._task: asyncio.Task[None] | None = None

    async def fetch(self) -> bool:
        try:
            reply = await self.rpc.request(self.topic, PrivacyLawsRequest(), PrivacyLawsReply,
                                           key="privacy_laws", timeout=self.timeout_s)
        except RequestError as exc:
            log.warning("privacy laws not known yet (markets: %s): treating every market as "
                        "opt-in", exc if self.current is None else f"{exc}; keeping the last")
            return False
        self.current = PrivacyLaws.from_reply(reply)
        return True

    async def start(self) -> None:
        await self.fetch()
        self._task = asyncio.create_task(self._loop(), name="privacy-laws")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_s if self.current else self.retry_s)
            await self.fetch()
