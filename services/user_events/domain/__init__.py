"""Pure user-profile logic: fold user events into profiles, stitch identities, serialise."""

from services.user_events.domain.fold import fold, price_band, stitch
from services.user_events.domain.profile import (
    Affinity,
    Consent,
    Profile,
    ProfileConfig,
    Purchase,
    SessionContext,
    decayed,
)
from services.user_events.domain.store import (
    InMemoryProfileStore,
    ProfileStore,
    from_redis,
    to_redis_hash,
)

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
    "from_redis",
    "price_band",
    "stitch",
    "to_redis_hash",
]
