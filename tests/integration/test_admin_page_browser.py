"""The web admin at `/admin` in headless Chromium (Debian's, driven by Playwright) against the
real gateway, admin worker and Kafka: sign in, a natural-language create shown before/after and
applied only on confirmation, a drag-and-drop import with progress and its bad-row report,
labels in es, and an error for a token without the scope. Screenshots: tests/artifacts/admin/."""

from __future__ import annotations

import re
import secrets
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.integration import test_admin_support as support
from tests.integration.test_admin_support import FIXTURES, AdminStack

admin_stack = support.admin_stack  # the shared module fixture
pytestmark = pytest.mark.asyncio(loop_scope="module")
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "admin"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: `make install` installs it")
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=chromium, headless=True)
        yield launched
        await launched.close()


async def signed_in(browser: Browser, stack: AdminStack, who: str, locale: str = "en") -> Page:
    page = await browser.new_page(locale=locale, viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = await page.goto(f"{stack.base_url}/admin")
    assert response is not None and response.status == 200
    assert "script-src 'sha256-" in response.headers["content-security-policy"]
    client = stack.clients[who]
    await page.fill("#client-id", client.client_id)
    await page.fill("#client-secret", client.secret)
    await page.click("#signin-button")
    await expect(page.locator("#products")).to_be_visible(timeout=30_000)
    assert errors == [], errors  # the CSP let the page's own script and style run
    return page


async def test_sign_in_and_natural_language_create_on_confirmation(
    browser: Browser, admin_stack: AdminStack
) -> None:
    word = "Zq" + secrets.token_hex(3)
    page = await signed_in(browser, admin_stack, "importer")
    await expect(page.locator("#status")).to_contain_text("Signed in as")
    await page.fill("#nl-text", f"add a 50x70 cm poster of Zorb {word} at 29.90 GBP in prints")
    await page.click("#nl-form button[type=submit]")
    await expect(page.locator("#nl-after")).to_contain_text("£29.90", timeout=30_000)
    await expect(page.locator("#nl-before")).to_contain_text("(new product)")
    await page.screenshot(path=str(SHOTS / "nl-preview.png"), full_page=True)

    await page.fill("#search", word)
    await page.click("#search-form button")
    await expect(page.locator("#product-total")).to_have_text("0 products", timeout=30_000)

    await page.click("#nl-confirm")
    await expect(page.locator("#status")).to_have_text("Change applied.", timeout=30_000)
    await page.click("#search-form button")
    await expect(page.locator("#product-total")).to_have_text("1 products", timeout=30_000)
    await expect(page.locator("#product-rows")).to_contain_text("£29.90")
    await page.screenshot(path=str(SHOTS / "nl-applied.png"), full_page=True)
    await page.close()


async def test_drag_and_drop_import_shows_progress_and_the_bad_rows(
    browser: Browser, admin_stack: AdminStack
) -> None:
    page = await signed_in(browser, admin_stack, "importer")
    csv = (FIXTURES / "bad_prices.csv").read_text()
    transfer = await page.evaluate_handle(
        """(text) => { const dt = new DataTransfer();
             dt.items.add(new File([text], "bad_prices.csv", { type: "text/csv" })); return dt; }""",
        csv,
    )
    await page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    await expect(page.locator("#import-summary")).to_have_text(
        "2 products imported, 5 rows with problems", timeout=60_000
    )
    assert await page.eval_on_selector("#import-bar", "el => el.value") == 100
    rows = page.locator("#import-errors tr")
    await expect(rows).to_have_count(5)
    await expect(page.locator("#import-errors")).to_contain_text("Variant Price")
    await page.screenshot(path=str(SHOTS / "import-report.png"), full_page=True)
    await page.close()


async def test_labels_follow_the_language_and_a_missing_scope_is_an_error(
    browser: Browser, admin_stack: AdminStack
) -> None:
    page = await signed_in(browser, admin_stack, "reader", locale="es-ES")
    await expect(page.locator("header h1")).to_have_text("Administración Museo")
    await expect(page.locator("#nl h2")).to_have_text("Describe un cambio")
    await page.select_option("#lang", "fr")
    await expect(page.locator("#import h2")).to_have_text("Importer des produits")
    await page.fill("#nl-text", "add a mug at 5 GBP in gifts")
    await page.click("#nl-form button[type=submit]")
    await expect(page.locator("#status")).to_have_text(re.compile("^forbidden: "), timeout=30_000)
    await expect(page.locator("#nl-result")).to_be_hidden()
    await page.screenshot(path=str(SHOTS / "reader-forbidden-fr.png"), full_page=True)
    await page.close()


async def test_bulk_price_change_in_words_lists_every_product_and_applies_on_confirmation(
    browser: Browser, admin_stack: AdminStack
) -> None:
    http = await admin_stack.client("admin")
    async with http:
        for pid, title, category, price in (
            ("monet-lilies", "Water Lilies by Monet", "prints", 2000),
            ("monet-sunrise", "Impression, Sunrise (Monet)", "prints", 1999),
            ("monet-mug", "Monet Garden Mug", "mugs", 850),  # not a print: not selected
        ):
            product = {"id": pid, "handle": pid, "title": {"en": title}, "category": category,
                       "variants": [{"sku": pid.upper(), "price": price, "stock": 5}]}
            created = await http.post("/v1/admin/products", json=product)
            assert created.status_code == 201, created.text
    page = await signed_in(browser, admin_stack, "importer")
    await page.fill("#nl-text", "lower all Monet prints by 10%")
    await page.click("#nl-form button[type=submit]")
    rows = page.locator("#nl-bulk-rows tr")
    await expect(rows).to_have_count(2, timeout=30_000)
    await expect(rows.nth(0)).to_contain_text("Water Lilies by Monet")
    await expect(rows.nth(0)).to_contain_text("£20.00")
    await expect(rows.nth(0)).to_contain_text("£18.00")
    await expect(rows.nth(1)).to_contain_text("£19.99")
    await expect(rows.nth(1)).to_contain_text("£17.99")
    await expect(page.locator("#nl-summary")).to_have_text("-10% · 2 prices will change")
    await expect(page.locator("#nl-compare")).to_be_hidden()
    await page.screenshot(path=str(SHOTS / "bulk-preview.png"), full_page=True)

    await page.fill("#search", "monet")  # nothing written before the confirmation
    await page.click("#search-form button")
    await expect(page.locator("#product-rows")).to_contain_text("£20.00", timeout=30_000)

    await page.click("#nl-confirm")
    await expect(page.locator("#status")).to_have_text("Prices changed for 2 products",
                                                       timeout=30_000)
    await page.click("#search-form button")
    table = page.locator("#product-rows")
    await expect(table).to_contain_text("£18.00", timeout=30_000)
    await expect(table).to_contain_text("£17.99")
    await expect(table).to_contain_text("£8.50")  # the mug kept its price
    await page.screenshot(path=str(SHOTS / "bulk-applied.png"), full_page=True)

    await page.select_option("#lang", "es")
    await page.fill("#nl-text", "sube todas las láminas de Monet un 2 GBP")
    await page.click("#nl-form button[type=submit]")
    await expect(page.locator("#nl-bulk-rows tr").nth(0)).to_contain_text("20,00", timeout=30_000)
    await expect(page.locator("#nl-summary")).to_have_text("+2.00 GBP · 2 precios cambiarán")
    await page.click("#nl-discard")
    await page.close()
