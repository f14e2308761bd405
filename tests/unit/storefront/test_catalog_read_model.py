"""The catalog read model follows the compacted topic: upserts, tombstones, look-ups, version."""

from __future__ import annotations

import pytest

from libs.catalog.read_model import CatalogReadModel
from libs.catalog.samples import sample_products
from libs.contracts.catalog import Variant


def test_lookups_by_id_sku_and_handle() -> None:
    model = CatalogReadModel.from_products(sample_products())
    assert len(model) == 6
    mug = model.get("P2")
    assert mug is not None and mug.title.en == "Spotty Ceramic Mug"
    found = model.by_sku("M-BLUE")
    assert found is not None and found[0].id == "P2" and found[1].options == {"colour": "blue"}
    assert model.by_handle("vintage-paris-poster").id == "P4"  # type: ignore[union-attr]
    assert model.by_sku("nope") is None and model.by_handle("nope") is None


def test_update_replaces_old_skus_and_handle() -> None:
    model = CatalogReadModel.from_products(sample_products())
    old = model.get("P2")
    assert old is not None
    new = old.model_copy(update={"handle": "mug-2", "variants": [Variant(sku="M-NEW", price=1)]})
    model.apply("P2", new)
    assert model.by_sku("M-RED") is None and model.by_sku("M-NEW") is not None
    assert model.by_handle("spotty-ceramic-mug") is None and model.by_handle("mug-2") is not None


def test_tombstone_deletes_and_bumps_version_once() -> None:
    model = CatalogReadModel.from_products(sample_products())
    version = model.version
    model.apply_record(b"P1", None)
    assert "P1" not in model and model.by_sku("H-1") is None
    assert model.version == version + 1
    model.apply("P1", None)  # tombstone for an already-deleted product changes nothing
    assert model.version == version + 1


def test_raw_json_record_and_listeners() -> None:
    model = CatalogReadModel()
    seen: list[tuple[str, bool]] = []
    model.subscribe(lambda pid, product: seen.append((pid, product is not None)))
    product = sample_products()[0]
    model.apply_record("P1", product.model_dump_json())
    model.apply_record("P1", None)
    assert seen == [("P1", True), ("P1", False)]


def test_key_must_match_product_id() -> None:
    with pytest.raises(ValueError):
        CatalogReadModel().apply("other", sample_products()[0])
