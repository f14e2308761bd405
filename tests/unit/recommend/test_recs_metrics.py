"""Beyond-accuracy metrics on hand-worked examples."""

from __future__ import annotations

import math

import pytest

from services.recommend.domain.metrics import (
    coverage,
    hit_rate_ndcg,
    intra_list_diversity,
    jaccard,
    novelty,
    variation,
)


def test_variation_is_zero_for_identical_lists_and_one_for_disjoint() -> None:
    assert variation([["a", "b"], ["a", "b"]]) == 0.0
    assert variation([["a"], ["b"], ["c"]]) == 1.0


def test_variation_hand_worked() -> None:
    # J(ab, bc) = 1/3, J(ab, ab) = 1, J(bc, ab) = 1/3 → mean 5/9 → variation 4/9
    assert variation([["a", "b"], ["b", "c"], ["a", "b"]]) == pytest.approx(4 / 9)
    assert jaccard([], []) == 1.0


def test_variation_samples_pairs_when_many_users() -> None:
    lists = [[str(i)] for i in range(300)]
    assert variation(lists, max_pairs=500) == 1.0


def test_intra_list_diversity_and_coverage() -> None:
    sim = {frozenset("ab"): 1.0, frozenset("ac"): 0.0, frozenset("bc"): 0.5}
    assert intra_list_diversity(["a", "b", "c"], lambda x, y: sim[frozenset(x + y)]) == \
        pytest.approx((0 + 1 + 0.5) / 3)
    assert coverage([["a", "b"], ["b", "c"]], 10) == pytest.approx(0.3)


def test_novelty_is_self_information() -> None:
    counts = {"a": 2.0, "b": 1.0, "c": 1.0}  # p = 1/2, 1/4, 1/4
    assert novelty([["a"], ["b"]], counts) == pytest.approx((1 + 2) / 2)
    assert novelty([["zz"]], counts) == pytest.approx(math.log2(4))


def test_hit_rate_and_ndcg() -> None:
    hit, ndcg = hit_rate_ndcg(["x", "a", "y"], {"a", "b"}, k=3)
    assert hit == 1.0
    assert ndcg == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert hit_rate_ndcg(["x"], {"a"}) == (0.0, 0.0)
