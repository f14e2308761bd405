"""Admin product writes and imports land on `catalog.products` (real gateway, worker, Kafka)."""

from __future__ import annotations

import secrets
import string

import pytest

from tests.integration import test_admin_support as support
from tests.integration.test_admin_support import FIXTURES, AdminStack, CatalogTail, wait_job

admin_stack = support.admin_stack  # the shared module fixture
pytestmark = pytest.mark.asyncio(loop_scope="module")


def _word() -> str:
    return "Zq" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))


def _product(pid: str, price: int = 1500) -> dict[str, object]:
    return {
        "id": pid,
        "handle": pid,
        "title": {"en": "Integration Mug"},
        "category": "gifts",
        "variants": [{"sku": pid.upper(), "price": price, "stock": 4}],
    }


async def test_create_update_delete_are_written_to_the_catalog_topic(
    admin_stack: AdminStack,
) -> None:
    pid = f"it-{secrets.token_hex(5)}"
    http = await admin_stack.client("importer")
    async with http, CatalogTail(admin_stack.kafka, admin_stack.catalog_topic) as tail:
        created = await http.post("/v1/admin/products", json=_product(pid))
        assert created.status_code == 201, created.text
        assert created.json()["created"] is True
        found, value = await tail.next_for(pid)
        assert found and value is not None and value["variants"][0]["price"] == 1500

        again = await http.post("/v1/admin/products", json=_product(pid))
        assert again.status_code == 409

        updated = await http.put(f"/v1/admin/products/{pid}", json=_product(pid, 1700))
        assert updated.status_code == 200 and updated.json()["changed"] is True
        found, value = await tail.next_for(pid)
        assert found and value is not None and value["variants"][0]["price"] == 1700
        got = await http.get(f"/v1/admin/products/{pid}")
        assert got.status_code == 200 and got.json()["variants"][0]["price"] == 1700

        deleted = await http.delete(f"/v1/admin/products/{pid}")
        assert deleted.status_code == 200 and deleted.json()["deleted"] is True
        found, value = await tail.next_for(pid)
        assert found and value is None  # a real tombstone
        assert (await http.get(f"/v1/admin/products/{pid}")).status_code == 404
        assert (await http.delete(f"/v1/admin/products/{pid}")).status_code == 404


async def test_natural_language_parse_writes_nothing_until_confirmed(
    admin_stack: AdminStack,
) -> None:
    word = _word()
    handle = f"zorblax-{word.lower()}-mug"
    http = await admin_stack.client("importer")
    async with http, CatalogTail(admin_stack.kafka, admin_stack.catalog_topic) as tail:
        parsed = await http.post(
            "/v1/admin/products/parse",
            json={"text": f"add a mug of Zorblax {word} at 12.50 GBP in gifts"},
        )
        assert parsed.status_code == 200, parsed.text
        body = parsed.json()
        assert body["missing"] == [] and body["draft"]["price"] == 1250
        op = body["operation"]
        assert op["action"] == "create" and op["product"]["handle"] == handle
        pid = op["product_id"]
        assert (await http.get(f"/v1/admin/products/{pid}")).status_code == 404

        incomplete = await http.post("/v1/admin/products/parse", json={"text": "add a mug"})
        assert incomplete.json()["confirmation_token"] is None
        assert "price" in incomplete.json()["missing"]

        forged = body["confirmation_token"][:-2] + "00"
        bad = await http.post("/v1/admin/products/confirm", json={"token": forged})
        assert bad.status_code == 400

        ok = await http.post(
            "/v1/admin/products/confirm", json={"token": body["confirmation_token"]}
        )
        assert ok.status_code == 200, ok.text
        found, value = await tail.next_for(pid)
        assert found and value is not None and value["variants"][0]["price"] == 1250

        drop = await http.post("/v1/admin/products/parse", json={"text": f"delete {handle}"})
        assert drop.json()["operation"]["action"] == "delete"
        gone = await http.post(
            "/v1/admin/products/confirm", json={"token": drop.json()["confirmation_token"]}
        )
        assert gone.status_code == 200 and gone.json()["deleted"] is True


async def test_other_client_cannot_use_my_confirmation(admin_stack: AdminStack) -> None:
    async with await admin_stack.client("importer") as mine:
        parsed = await mine.post(
            "/v1/admin/products/parse", json={"text": f"add a mug of {_word()} at 3 GBP"}
        )
    token = parsed.json()["confirmation_token"]
    async with await admin_stack.client("admin") as theirs:
        r = await theirs.post("/v1/admin/products/confirm", json={"token": token})
    assert r.status_code == 403


async def test_csv_import_reports_bad_rows_applies_good_ones_and_is_idempotent(
    admin_stack: AdminStack,
) -> None:
    data = (FIXTURES / "bad_prices.csv").read_bytes()
    http = await admin_stack.client("importer")
    async with http:
        started = await http.post("/v1/admin/imports", files={"file": ("bad_prices.csv", data)})
        assert started.status_code == 202, started.text
        job = await wait_job(http, started.json()["job_id"])
        assert job["state"] == "done" and job["progress"] == 1.0
        report = job["report"]
        assert report["source"] == "bad_prices.csv"
        assert (report["products_ok"], report["products_failed"]) == (2, 5)
        assert report["products_changed"] == 2
        bad = {(e["row"], e["field"]) for e in report["errors"]}
        assert (3, "Variant Price") in bad and (7, "Variant Inventory Qty") in bad
        assert len(report["errors"]) == report["errors_total"] == 5
        got = await http.get("/v1/admin/products/good-one")
        assert got.status_code == 200 and got.json()["variants"][0]["price"] == 500
        assert (await http.get("/v1/admin/products/bad-abc")).status_code == 404

        again = await http.post("/v1/admin/imports", files={"file": ("bad_prices.csv", data)})
        second = (await wait_job(http, again.json()["job_id"]))["report"]
        assert second["products_changed"] == 0 and second["products_unchanged"] == 2
    assert list(admin_stack.spool.iterdir()) == []  # spooled files are removed after the job


async def test_unknown_job_is_404_and_bad_file_fails_the_job(admin_stack: AdminStack) -> None:
    http = await admin_stack.client("importer")
    async with http:
        assert (await http.get("/v1/admin/imports/nope")).status_code == 404
        data = (FIXTURES / "wrong_columns.csv").read_bytes()
        started = await http.post("/v1/admin/imports", files={"file": ("w.csv", data)})
        job = await wait_job(http, started.json()["job_id"])
    assert job["state"] == "failed" and "unrecognised columns" in job["error"]
