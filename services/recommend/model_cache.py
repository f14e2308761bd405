"""The last fitted model, kept on disk under a key of everything the fit depends on.

Why: recommend is ready only once it has a model, and a fit of the demo data (4,000 products x
500k interactions) takes ~15 s on a quiet 2-core machine, minutes on a loaded one. A recommend
killed under load therefore stayed down far past the 15 s recovery aim, refitting exactly the
model it had. The fit is a pure function of (interactions, catalog, config, `now_epoch`), so a
model stored under the hash of those is the model a refit would produce: a restart with an
unchanged catalog loads it in well under a second. Any change (one product, one interaction,
the tuned config) gives another key, and the model is fitted as before.

The file is the service's own (its data folder, written atomically, mode 0600), read back only
by the same service: pickle is fine for that, never for files from elsewhere.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from libs.contracts.catalog import Product
from services.recommend.domain import HybridModel, InteractionLog

log = logging.getLogger(__name__)
PREFIX = "model-"


def fit_key(interactions: InteractionLog, catalog: Sequence[Product], config: Any,
            now_epoch: float) -> str:
    h = hashlib.sha256()
    h.update(repr(config).encode())
    h.update(repr(now_epoch).encode())
    h.update(pickle.dumps((interactions.users, interactions.items, interactions.baskets,
                           interactions.times, interactions.weights, interactions.markets,
                           interactions.purchases), protocol=5))
    for product in sorted(catalog, key=lambda p: p.id):
        h.update(product.model_dump_json().encode())
    return h.hexdigest()[:32]


class ModelCache:
    """One file per folder: the model of the last fit (older ones are removed)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def path(self, key: str) -> Path | None:
        return self.folder / f"{PREFIX}{key}.pickle" if self.folder else None

    def load(self, key: str) -> HybridModel | None:
        path = self.path(key)
        if path is None or not path.exists():
            return None
        try:
            with path.open("rb") as fh:
                model = pickle.load(fh)  # noqa: S301 - our own file, see the module docstring
        except Exception as exc:  # noqa: BLE001 - a bad cache file only costs a refit
            log.warning("model cache %s unreadable (%s): refitting", path.name, exc)
            return None
        return model if isinstance(model, HybridModel) else None

    def save(self, key: str, model: HybridModel) -> None:
        path = self.path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(model, fh, protocol=5)
            os.replace(tmp, path)  # whole or absent
            for old in path.parent.glob(f"{PREFIX}*.pickle"):
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError as exc:  # a read-only or full disk only costs the next start a refit
            log.warning("model cache not written: %s", exc)
