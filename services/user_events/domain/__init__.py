"""Pure user-profile logic: fold user events into profiles, stitch identities, serialise."""

from libs.profiles.model import (
    Affinity,
    Consent,
    Profile,
    ProfileConfig,
    Purchase,
    SessionContext,
    decayed,
    price_band,
)
from libs.profiles.store import (
    InMemoryProfileStore,
    ProfileStore,
    from_redis,
    to_redis_hash,
)
from services.user_events.domain.fold import fold, fold_many, stitch

__all__ = [
    "Affinity",
    "Consent",
    "InMemoryProfileStore",
    "Profile",
    "ProfileConfig",
    "ProfileStore",
    "Purchase",
    "SessionContext",
    "decayed",
    "fold",
    "fold_many",
    "from_redis",
    "price_band",
    "stitch",
    "to_redis_hash",
]
