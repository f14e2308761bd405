"""Malformed input: each problem is reported with row/field/reason; good products still come."""

from __future__ import annotations

from pathlib import Path

from libs.contracts.catalog import Product
from services.mcp_workers.admin.importer import import_file, iter_products, run_import_job
from services.mcp_workers.admin.models import MAX_ERRORS, ImportJob, ImportReport

FIXTURES = Path(__file__).parents[2] / "fixtures" / "imports"
SHOPIFY_HEAD = "Handle,Title,Body (HTML),Option1 Name,Option1 Value,Variant SKU,Variant Price\n"


def load(path: Path) -> tuple[list[Product], ImportReport]:
    report = ImportReport()
    return list(iter_products(path, report)), report


def errors(report: ImportReport) -> list[tuple[int, str, str]]:
    return [(e.row, e.field, e.reason) for e in report.errors]


def test_wrong_columns_is_a_file_error_listing_expected_columns() -> None:
    products, report = load(FIXTURES / "wrong_columns.csv")
    assert products == []
    ((row, field, reason),) = errors(report)
    assert (row, field) == (1, "header")
    assert "Variant Price" in reason and "title_en" in reason
    job = run_import_job(ImportJob(), FIXTURES / "wrong_columns.csv", {}, lambda p: None)
    assert job.state == "failed" and job.error == reason


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Handle,Title,Option1 Value\nh,T,v\n", encoding="utf-8")
    _, report = load(path)
    assert errors(report) == [(1, "header", "missing required columns: Variant Price")]


def test_bad_prices_duplicate_skus_and_bad_stock_are_row_errors() -> None:
    products, report = load(FIXTURES / "bad_prices.csv")
    assert [p.handle for p in products] == ["good-one", "good-three"]
    assert report.rows_total == 7 and report.products_failed == 5
    found = errors(report)
    assert found[0] == (3, "Variant Price", "not a price: 'abc'")
    assert found[1] == (4, "Variant Price", "negative price '-3'")
    assert found[2] == (5, "Variant Price", "not a price: '12,34,5'")
    assert found[3][:2] == (6, "sku") and "good-one" in found[3][2]
    assert found[4][:2] == (7, "Variant Inventory Qty")


def test_one_bad_variant_rejects_the_whole_product(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        SHOPIFY_HEAD + "a,A,,Size,S,A-S,5\na,,,,M,A-M,oops\nb,B,,,,B-1,3\n", encoding="utf-8"
    )
    products, report = load(path)
    assert [p.handle for p in products] == ["b"]
    assert errors(report) == [(3, "Variant Price", "not a price: 'oops'")]


def test_rows_of_a_handle_must_be_together(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(SHOPIFY_HEAD + "a,A,,,,A-1,5\nb,B,,,,B-1,3\na,A,,,,A-2,5\n", encoding="utf-8")
    products, report = load(path)
    assert [p.handle for p in products] == ["a", "b"]
    assert errors(report)[0][:2] == (4, "Handle")


def test_cp1252_falls_back_with_a_warning() -> None:
    products, report = load(FIXTURES / "cp1252_native.csv")
    assert report.encoding == "cp1252" and "Windows-1252" in report.warnings[0]
    assert products[0].title.fr == "Bougie parfumée € 18"


def test_bytes_that_are_neither_utf8_nor_cp1252_are_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "bin.csv"
    path.write_bytes(b"handle,title_en,sku,price\nx,bad \x81\x8d,X,1\n")
    products, report = load(path)
    assert products == [] and errors(report)[0][:2] == (0, "file")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffhandle,title_en,sku,price\nx,Café,X,1\n".encode())
    products, report = load(path)
    assert report.errors == [] and products[0].title.en == "Café"


def test_huge_cell_is_a_row_error_and_later_rows_still_import(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    body = "<p>" + "x" * (70 * 1024) + "</p>"
    path.write_text(
        SHOPIFY_HEAD + f'big,Big,"{body}",,,BIG-1,5\nok,Ok,,,,OK-1,6\n', encoding="utf-8"
    )
    products, report = load(path)
    assert [p.handle for p in products] == ["ok"]
    assert errors(report) == [(2, "Body (HTML)", "cell larger than 64 KiB")]


def test_semicolon_csv_and_multiline_cells_keep_spreadsheet_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text(
        'handle;title_en;description_en;sku;price\na;A;"line1\nline2";A-1;1,50\nb;B;;B-1;abc\n',
        encoding="utf-8",
    )
    products, report = load(path)
    assert products[0].price == 150 and products[0].description.en == "line1\nline2"
    assert errors(report) == [(3, "price", "not a price: 'abc'")]


def test_bad_json_lines_and_truncated_arrays(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"handle":"a","title_en":"A","sku":"A","price":"1"}\n{oops\n[1]\n', encoding="utf-8"
    )
    products, report = load(path)
    assert len(products) == 1 and [e[0] for e in errors(report)] == [2, 3]
    path = tmp_path / "p.json"
    path.write_text(
        '[{"handle":"a","title_en":"A","sku":"A","price":"1"}, {"handle": ', encoding="utf-8"
    )
    products, report = load(path)
    assert len(products) == 1 and errors(report)[0][:2] == (0, "file")
    path.write_text('[{"handle":"p","title":"P","variants":[{"sku":"P","price":-1}]}]')
    products, report = load(path)
    assert products == [] and errors(report)[0][1] == "variants.0.price"


def test_error_list_is_capped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    rows = "".join(f"h{i},T,,,,S{i},bad\n" for i in range(MAX_ERRORS + 50))
    path.write_text(SHOPIFY_HEAD + rows, encoding="utf-8")
    report = import_file(path, {}, lambda p: None)
    assert len(report.errors) == MAX_ERRORS and report.errors_total == MAX_ERRORS + 50
    assert report.errors_truncated
