"""Bulk price changes in words through the real gateway, admin worker and Kafka: the preview
writes nothing, the confirmation writes exactly the previewed prices to `catalog.products`, a
price changed in between is reported as a conflict and left alone, and a token is only good for
the client it was issued to."""

from __future__ import annotations

import secrets

import pytest

from tests.integration import test_admin_support as support
from tests.integration.test_admin_support import AdminStack, CatalogTail

admin_stack = support.admin_stack  # the shared module fixture
pytestmark = pytest.mark.asyncio(loop_scope="module")


def _print(pid: str, title: str, price: int) -> dict[str, object]:
    return {"id": pid, "handle": pid, "title": {"en": title}, "category": "prints",
            "variants": [{"sku": pid.upper(), "price": price, "stock": 3}]}


async def test_preview_then_confirm_writes_the_listed_prices_and_reports_conflicts(
    admin_stack: AdminStack,
) -> None:
    word = "Zq" + secrets.token_hex(4)
    a, b = f"bulk-{secrets.token_hex(4)}", f"bulk-{secrets.token_hex(4)}"
    http = await admin_stack.client("importer")
    async with http, CatalogTail(admin_stack.kafka, admin_stack.catalog_topic) as tail:
        for pid, price in ((a, 1000), (b, 2500)):
            assert (await http.post("/v1/admin/products",
                                    json=_print(pid, f"{word} Study", price))).status_code == 201
            assert (await tail.next_for(pid))[0]
        parsed = await http.post("/v1/admin/products/parse",
                                 json={"text": f"raise all {word} prints by 10%"})
        assert parsed.status_code == 200, parsed.text
        body = parsed.json()
        assert body["missing"] == [] and body["operation"] is None
        assert [(c["product_id"], c["before"], c["after"]) for c in body["bulk"]["changes"]] == \
            sorted([(a, 1000, 1100), (b, 2500, 2750)])
        token = body["confirmation_token"]

        # someone changes b meanwhile: the preview no longer holds for it
        assert (await http.put(f"/v1/admin/products/{b}",
                               json=_print(b, f"{word} Study", 2600))).status_code == 200
        assert (await tail.next_for(b))[0]

        other = await admin_stack.client("admin")
        async with other:
            stolen = await other.post("/v1/admin/products/confirm", json={"token": token})
        assert stolen.status_code == 403

        applied = await http.post("/v1/admin/products/confirm", json={"token": token})
        assert applied.status_code == 200, applied.text
        assert applied.json()["applied"] == [a]
        assert applied.json()["conflicts"] == [
            {"product_id": b, "sku": b.upper(), "expected": 2500, "found": 2600}]
        found, value = await tail.next_for(a)
        assert found and value is not None and value["variants"][0]["price"] == 1100
        assert (await http.get(f"/v1/admin/products/{b}")).json()["variants"][0]["price"] == 2600


async def test_a_bulk_change_that_matches_nothing_cannot_be_confirmed(
    admin_stack: AdminStack,
) -> None:
    http = await admin_stack.client("importer")
    async with http:
        parsed = await http.post("/v1/admin/products/parse",
                                 json={"text": "baisse toutes les estampes de Zzunknown de 5%"})
    body = parsed.json()
    assert parsed.status_code == 200 and body["bulk"] is None
    assert body["confirmation_token"] is None
    assert any("none match" in m for m in body["missing"])
