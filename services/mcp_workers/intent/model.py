"""Small CPU classifier: TF-IDF word + char n-grams + multilingual sentence embeddings
(`encoder.py`) -> LinearSVC -> temperature-scaled softmax.

The n-grams carry the shop's own vocabulary; the embeddings carry meaning for phrasings the
corpus never used. Their weight (3.0 against the two unit-norm TF-IDF blocks) and C were
picked from a handful of settings by grouped CV over templates; docs/intent.md has the figures.

The temperature is fitted on out-of-fold scores with folds grouped by corpus template, so
confidence reflects how the model does on phrasings it has not seen (0.9 ~ right 90% of the
time). Training takes a few seconds once the corpus is embedded (the first time: a minute or
two of CPU, then cached); `load_or_train` also keeps a pickle in a cache dir.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.svm import LinearSVC

from libs.nlu.text import normalize
from services.mcp_workers.intent import encoder
from services.mcp_workers.intent.data import CORPUS_PATH, Example, load_corpus, split
from services.mcp_workers.intent.encoder import SentenceEmbedding
from services.mcp_workers.intent.settings import IntentSettings

log = logging.getLogger(__name__)
MODEL_VERSION = "3"
EMBEDDING_WEIGHT = 3.0


def _pipeline(embeddings: bool) -> Pipeline:
    """Raw texts in: the n-gram steps normalise, the encoder sees the text as typed."""
    steps: list[tuple[str, Any]] = [
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                 preprocessor=normalize)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                 min_df=2, preprocessor=normalize)),
    ]
    if embeddings:
        steps.append(("e5", SentenceEmbedding()))
    features = FeatureUnion(steps, transformer_weights={"e5": EMBEDDING_WEIGHT})
    return make_pipeline(features, LinearSVC(C=1.0, class_weight="balanced", random_state=0))


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(scores: np.ndarray, y_index: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of out-of-fold scores."""
    rows = np.arange(len(y_index))

    def nll(t: float) -> float:
        return float(-np.log(_softmax(scores, t)[rows, y_index] + 1e-12).mean())

    return float(min(np.linspace(0.02, 1.5, 75), key=nll))


class IntentModel:
    """A trained classifier; `predict` gives (intent, probability) pairs, best first."""

    def __init__(self, pipeline: Pipeline, temperature: float, features: str = "tfidf") -> None:
        self.pipeline = pipeline
        self.temperature = temperature
        self.features = features  # "tfidf+e5", or "tfidf" where the encoder is not installed
        self.classes: list[str] = [str(c) for c in pipeline.classes_]

    @classmethod
    def train(cls, examples: Sequence[Example], embeddings: bool | None = None) -> IntentModel:
        """`embeddings=None`: use the sentence encoder when it is installed."""
        use = encoder.available() if embeddings is None else embeddings
        texts = [e.text for e in examples]
        if use:
            encoder.warm(texts, IntentSettings().cache_dir)
        labels = np.array([e.intent for e in examples])
        groups = [e.group or e.text for e in examples]
        pipeline = _pipeline(use).fit(texts, labels)
        oof = cross_val_predict(
            _pipeline(use), texts, labels, groups=groups, cv=GroupKFold(3),
            method="decision_function",
        )
        y_index = np.searchsorted(pipeline.classes_, labels)
        features = "tfidf+e5" if use else "tfidf"
        return cls(pipeline, fit_temperature(np.asarray(oof), y_index), features)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        scores = self.pipeline.decision_function(list(texts))
        return _softmax(np.asarray(scores), self.temperature)

    def predict(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        probs = self.probabilities([text])[0]
        order = np.argsort(-probs)[:top]
        return [(self.classes[i], float(probs[i])) for i in order]


def _fingerprint(path: Path) -> str:
    h = hashlib.sha256(path.read_bytes())
    uses = encoder.ENCODER_NAME if encoder.available() else "tfidf"
    h.update(f"{MODEL_VERSION}/{sklearn.__version__}/{uses}".encode())
    return h.hexdigest()[:16]


def train_default(path: Path = CORPUS_PATH) -> IntentModel:
    """Train on the corpus minus the held-out split."""
    train, _ = split(load_corpus(path))
    return IntentModel.train(train)


def load_or_train(path: Path = CORPUS_PATH, cache_dir: Path | None = None) -> IntentModel:
    """The cached model for this corpus version, training (and caching) it when missing."""
    target = (cache_dir or IntentSettings().cache_dir) / f"intent-model-{_fingerprint(path)}.pkl"
    if target.exists():
        try:
            with target.open("rb") as fh:
                model = pickle.load(fh)  # our own artefact, keyed by corpus hash
            if isinstance(model, IntentModel):
                return model
        except Exception:  # noqa: BLE001 - a stale or broken cache just means retrain
            log.warning("intent model cache unreadable, retraining", exc_info=True)
    model = train_default(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(model, fh)
        tmp.replace(target)
    except OSError:
        log.warning("could not write intent model cache %s", target)
    return model


@lru_cache(maxsize=2)
def default_model(cache_dir: Path | None = None) -> IntentModel:
    """The process-wide model for the shipped corpus (cached on disk, under `cache_dir` or the
    configured MUSEO_CACHE_DIR, and in memory)."""
    return load_or_train(cache_dir=cache_dir)


if __name__ == "__main__":  # `make run`/`make test` warm the cache before any server starts
    import time

    began = time.monotonic()
    print("[intent] loading the intent model (the first time it is trained and cached: "
          "a minute or two of CPU) ...", flush=True)
    trained = load_or_train()
    print(f"[intent] model ready ({trained.features}) in {time.monotonic() - began:.1f}s",
          flush=True)
