"""Importing good files: Shopify CSV, native CSV, XLSX, JSON, JSONL; idempotency and progress."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook

from libs.contracts.catalog import Product
from services.mcp_workers.admin.ids import product_id_from_handle
from services.mcp_workers.admin.importer import (
    ImportOptions,
    diff_products,
    import_file,
    iter_products,
    run_import_job,
)
from services.mcp_workers.admin.models import ImportJob, ImportProgress, ImportReport

FIXTURES = Path(__file__).parents[2] / "fixtures" / "imports"


def load(path: Path, **kw: object) -> tuple[list[Product], ImportReport]:
    report = ImportReport()
    return list(iter_products(path, report, **kw)), report  # type: ignore[arg-type]


def test_shopify_export_groups_variant_and_image_rows_into_products() -> None:
    products, report = load(FIXTURES / "shopify_products.csv")
    assert report.dialect == "shopify" and report.errors == []
    assert report.rows_total == 5 and report.products_ok == 2
    poster, mug = products
    assert poster.id == product_id_from_handle("starry-night-poster")
    assert poster.title.en == "The Starry Night Poster" and poster.category == "prints"
    assert [(v.sku, v.options, v.price, v.stock) for v in poster.variants] == [
        ("SN-POSTER-3040", {"size": "30x40 cm", "frame": "None"}, 1990, 10),
        ("SN-POSTER-5070", {"size": "50x70 cm", "frame": "None"}, 2990, 5),
        ("SN-POSTER-5070-OAK", {"size": "50x70 cm", "frame": "Oak"}, 8900, 2),
    ]
    assert len(poster.images) == 3 and poster.tags == ["van gogh", "poster"]
    assert poster.description.en == "Van Gogh's masterpiece, printed on matte paper."
    assert mug.variants[0].options == {}  # "Title / Default Title" means no options
    assert mug.description.en == "Porcelain mug & gift box"


def test_native_csv_with_translations_and_variant_rows() -> None:
    products, report = load(FIXTURES / "native_products.csv")
    assert report.dialect == "native" and report.errors == []
    candle = products[0]
    assert (candle.title.es, candle.title.fr) == ("Vela perfumada", "Bougie parfumée")
    assert [v.options for v in candle.variants] == [{"scent": "fig"}, {"scent": "cedar"}]
    assert candle.tags == ["candle", "gift"] and products[1].price == 1500


def test_native_prices_in_another_currency_go_through_the_converter(tmp_path: Path) -> None:
    path = tmp_path / "eur.csv"
    path.write_text("handle,title_en,sku,price,currency\nx,X,X-1,10.00,EUR\n", encoding="utf-8")
    products, report = load(path, options=ImportOptions(convert=lambda a, f, t: a * 85 // 100))
    assert products[0].variants[0].price == 850 and products[0].currency == "GBP"
    products, report = load(path)
    assert products == [] and report.errors[0].field == "currency"


def test_xlsx_streams_rows_with_numeric_cells(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "Handle",
            "Title",
            "Option1 Name",
            "Option1 Value",
            "Variant SKU",
            "Variant Price",
            "Variant Inventory Qty",
        ]
    )
    ws.append(["kiss-mug", "The Kiss Mug", "Size", "Large", "KISS-L", 14.5, 7])
    ws.append(["kiss-mug", None, None, "Small", "KISS-S", 12, 3])
    ws.append([None] * 7)
    path = tmp_path / "products.xlsx"
    wb.save(path)
    products, report = load(path)
    assert report.format == "xlsx" and report.errors == []
    assert [(v.sku, v.options, v.price, v.stock) for v in products[0].variants] == [
        ("KISS-L", {"size": "Large"}, 1450, 7),
        ("KISS-S", {"size": "Small"}, 1200, 3),
    ]


def test_jsonl_and_json_array(tmp_path: Path) -> None:
    products, report = load(FIXTURES / "products.jsonl")
    assert report.format == "jsonl" and [p.price for p in products] == [2400, 450]
    assert products[1].title.es == "Imán Girasoles"
    exported = [p.model_dump(mode="json") for p in products]
    path = tmp_path / "export.json"
    path.write_text(
        json.dumps(
            exported + [{"handle": "flat", "title_en": "Flat", "sku": "F", "price": "1.00"}]
        ),
        encoding="utf-8",
    )
    again, report = load(path)
    assert report.format == "json" and report.errors == []
    assert again[:2] == products  # product-shaped objects round-trip (prices in minor units)
    assert again[2].price == 100


def test_same_file_twice_changes_nothing_the_second_time() -> None:
    catalog: dict[str, Product] = {}
    path = FIXTURES / "shopify_products.csv"
    first = import_file(path, catalog, lambda p: catalog.__setitem__(p.id, p))
    assert first.products_changed == 2 and len(catalog) == 2
    written: list[Product] = []
    second = import_file(path, catalog, written.append)
    assert written == [] and second.products_unchanged == 2 and second.products_changed == 0
    products, _ = load(path)
    assert diff_products(catalog, products) == []
    edited = products[0].model_copy(update={"vendor": "Other"})
    assert diff_products(catalog, [edited]) == [edited]


def test_progress_is_reported_and_job_finishes(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    lines = ["handle,title_en,sku,price"] + [f"h{i},T{i},S{i},1.00" for i in range(2500)]
    path.write_text("\n".join(lines), encoding="utf-8")
    seen: list[ImportProgress] = []
    report = import_file(path, {}, lambda p: None, progress=seen.append)
    assert report.products_ok == 2500 and [p.rows_done for p in seen] == [1000, 2000, 2500]
    assert seen[-1].fraction == 1.0 and all(0 <= p.fraction <= 1 for p in seen)
    updates: list[float] = []
    job = run_import_job(
        ImportJob(), path, {}, lambda p: None, on_update=lambda j: updates.append(j.progress)
    )
    assert job.state == "done" and job.progress == 1.0 and job.report is not None
    assert updates[-1] == 1.0 and job.report.products_changed == 2500
