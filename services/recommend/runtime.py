"""The recommender's live state: catalog read model (from `catalog.products`), the fitted model
(re-fitted in a worker thread once a burst of catalog changes is over, on a snapshot, and
swapped in with one assignment), and the batch entry point that loads
profiles and consent for a whole batch in one Redis round trip and applies the privacy policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence

from libs.contracts.catalog import Product
from libs.contracts.privacy import ConsentSettings
from libs.contracts.recommend import RecommendReply, RecommendRequest
from libs.messaging.errors import HandlerError
from libs.profiles.model import Profile
from libs.profiles.redis_store import RedisProfileStore
from services.recommend.cache import RecsCache
from services.recommend.domain import (
    TUNED_MODEL,
    TUNED_PERSONALIZATION,
    HybridModel,
    InteractionLog,
    PersonalizationConfig,
    Recommender,
    recommend_batch,
)
from services.recommend.laws import PrivacyLaws
from services.recommend.live_metrics import LiveMetrics
from services.recommend.model_cache import ModelCache, fit_key
from services.recommend.privacy import (
    DEFAULT_SESSION_MAX_AGE_S,
    consent_for,
    live_session,
    may_personalize,
)

log = logging.getLogger(__name__)
# Chosen on the offline bench's validation split (services/recommend/domain/tuned.py).
MODEL_CONFIG = TUNED_MODEL


class Preloaded:
    """A `ProfileLoader` over profiles already fetched for the batch."""

    def __init__(self, profiles: dict[str, Profile]) -> None:
        self.profiles = profiles

    async def get_many(self, ids: Sequence[str]) -> dict[str, Profile]:
        return {i: self.profiles[i] for i in ids if i in self.profiles}


class RecommendRuntime:
    def __init__(self, store: RedisProfileStore, interactions: InteractionLog,
                 personalization: PersonalizationConfig | None = None,
                 refit_delay_s: float = 1.5, refit_max_delay_s: float = 600.0,
                 session_max_age_s: float = DEFAULT_SESSION_MAX_AGE_S,
                 laws: Callable[[], PrivacyLaws | None] = lambda: None,
                 model_cache: ModelCache | None = None) -> None:
        """`laws` gives the markets' privacy laws as last known (None: not yet, so opt-in)."""
        self.store = store
        self.laws = laws
        self.model_cache = model_cache or ModelCache(None)
        self.session_max_age_s = session_max_age_s
        self.interactions = interactions
        self.personalization = personalization or TUNED_PERSONALIZATION
        # Debounce: refit once the catalog has been quiet for `refit_delay_s` (an import of 25k
        # records is one burst, one refit), but never later than `refit_max_delay_s` after the
        # first unfitted change (a catalog that never stops changing still gets refitted).
        self.refit_delay_s = refit_delay_s
        self.refit_max_delay_s = refit_max_delay_s
        self.products: dict[str, object] = {}
        self.recommender: Recommender | None = None
        self.counts = Counter(interactions.items)
        self.metrics = LiveMetrics()
        self.cache = RecsCache()
        self.fits = 0
        self._changed_at: float | None = None  # last change not in the serving model yet
        self._dirty_since: float | None = None  # first such change
        self._task: asyncio.Task[None] | None = None
        # Demo interactions are historical: popularity decays towards the data's own end.
        self.now_epoch = max(interactions.times) if len(interactions) else time.time()

    def on_catalog_change(self, key: str, product: object | None) -> None:
        if product is None:
            self.products.pop(key, None)
        else:
            self.products[key] = product
        self._changed_at = time.monotonic()
        if self._dirty_since is None:
            self._dirty_since = self._changed_at

    def snapshot(self) -> list[Product]:
        """The catalog to fit on, taken on the event loop (the follower mutates the dict)."""
        return [p for p in self.products.values() if isinstance(p, Product)]

    def fit(self, catalog: Sequence[Product] | None = None) -> Recommender | None:
        """Fit a new model and swap it in with one assignment: requests already running keep
        the recommender they started with. Safe to run in a worker thread."""
        catalog = self.snapshot() if catalog is None else catalog
        started = time.perf_counter()
        # The same inputs fit the same model: a restart with an unchanged catalog loads it.
        key = fit_key(self.interactions, catalog, MODEL_CONFIG, self.now_epoch) if catalog \
            else ""
        model = self.model_cache.load(key) if key else None
        how = "loaded (cached fit)"
        if model is None:
            model = HybridModel(MODEL_CONFIG).fit(self.interactions, catalog, self.now_epoch)
            how = "fitted"
            if key:
                self.model_cache.save(key, model)
        self.recommender = Recommender(model, self.personalization) if catalog else None
        self.fits += 1
        log.info("model %s: %d products in %.1fs", how, len(catalog),
                 time.perf_counter() - started)
        return self.recommender

    async def refit(self) -> None:
        """Fit off the event loop on a snapshot of the catalog; the loop keeps answering with
        the old model meanwhile."""
        self._changed_at = self._dirty_since = None
        await asyncio.to_thread(self.fit, self.snapshot())

    def refit_due(self, now: float) -> bool:
        changed, since = self._changed_at, self._dirty_since
        if changed is None or since is None:
            return False
        return (now - changed >= self.refit_delay_s
                or now - since >= self.refit_max_delay_s)

    async def start(self) -> None:
        await self.refit()
        self._task = asyncio.create_task(self._refit_loop(), name="recommend-refit")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _refit_loop(self) -> None:
        tick = min(0.5, max(self.refit_delay_s / 3, 0.01))
        while True:
            await asyncio.sleep(tick)
            if self.refit_due(time.monotonic()):
                try:
                    await self.refit()
                except Exception:  # keep serving the old model; the next change retries
                    log.exception("model refit failed")

    async def recommend(self, requests: Sequence[RecommendRequest]) -> list[RecommendReply]:
        """Answer a batch: one Redis round trip for every profile and consent of the batch."""
        recommender = self.recommender
        if recommender is None:
            raise HandlerError("unavailable", "catalog not loaded yet", retryable=True)
        keys = list(dict.fromkeys(r.profile_key for r in requests if r.profile_key))
        profiles, consents = await self.store.profiles_with_consent(keys) if keys else ({}, {})
        laws = self.laws()
        adjusted = [self._apply_policy(r, profiles, consents, self.session_max_age_s, laws)
                    for r in requests]
        replies = await self._cached(adjusted, profiles, recommender)
        for req, reply in zip(adjusted, replies, strict=True):
            self.metrics.observe(recommender.model, req.profile_key,
                                 [i.product_id for i in reply.items])
        self.metrics.publish(recommender.model, self.counts)
        return replies

    async def _cached(self, requests: list[RecommendRequest], profiles: dict[str, Profile],
                      recommender: Recommender) -> list[RecommendReply]:
        """Answers from the cache where nothing they depend on changed; the rest computed."""
        keys = [self.cache.key(r, profiles.get(r.profile_key or ""), self.fits) for r in requests]
        found = [self.cache.get(k) for k in keys]
        todo = [i for i, reply in enumerate(found) if reply is None]
        if todo:
            fresh = await recommend_batch([requests[i] for i in todo], Preloaded(profiles),
                                          recommender)
            for i, reply in zip(todo, fresh, strict=True):
                self.cache.put(keys[i], reply, requests[i].market)
                found[i] = reply
        return [reply.model_copy(update={"request_id": req.request_id})
                for req, reply in zip(requests, found, strict=True) if reply is not None]

    @staticmethod
    def _apply_policy(req: RecommendRequest, profiles: dict[str, Profile],
                      consents: dict[str, dict[str, ConsentSettings]],
                      session_max_age_s: float = DEFAULT_SESSION_MAX_AGE_S,
                      laws: PrivacyLaws | None = None) -> RecommendRequest:
        key = req.profile_key
        profile = profiles.get(key) if key else None
        if profile is None:
            return req
        # The stored market decides the law: a query saying `market=US` cannot lift a EU/UK
        # shopper's opt-in rule. Both the stored and the asked-for market must allow it.
        stored = (profile.market or req.market, profile.country or req.country)
        asked = (req.market or profile.market, req.country or profile.country)
        records = consents.get(key or "", {})
        if req.market is None and profile.market:
            # Callers rarely know the market; the person's own decides stock and availability.
            req = req.model_copy(update={"market": profile.market})
        if not req.personalized:
            return req
        if all(may_personalize(consent_for(records, m), m, c, laws) for m, c in {stored, asked}):
            return req
        # Only the current session and market-level data: no stored history or affinities.
        # A stored session counts only while it is live: one last seen weeks ago (say, the
        # last order) is history, which this person did not consent to.
        live = live_session(profile, req.request_time, session_max_age_s)
        return req.model_copy(update={
            "personalized": False,
            "session_product_ids": req.session_product_ids or live,
        })
