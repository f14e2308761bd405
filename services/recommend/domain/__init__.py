"""Recommendation domain: hybrid base model + MCP-aware personalisation, no I/O."""

from services.recommend.domain.batch import benchmark_batching, group_by_user, recommend_batch
from services.recommend.domain.interactions import InteractionLog
from services.recommend.domain.model import HybridModel, ModelConfig
from services.recommend.domain.personalize import PersonalizationConfig
from services.recommend.domain.recommender import Recommender
from services.recommend.domain.tuned import TUNED_MODEL, TUNED_PERSONALIZATION

__all__ = [
    "HybridModel",
    "InteractionLog",
    "ModelConfig",
    "PersonalizationConfig",
    "Recommender",
    "TUNED_MODEL",
    "TUNED_PERSONALIZATION",
    "benchmark_batching",
    "group_by_user",
    "recommend_batch",
]
