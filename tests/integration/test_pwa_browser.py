"""The web chat as a PWA in headless Chromium with a phone's viewport and touch: installable
(Chromium's own installability check), labels in the shopper's language, touch-sized controls,
and an offline shell from the service worker that reconnects when the network is back.
Real gateway on real Kafka/Redis; screenshots in tests/artifacts/pwa/."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import BrowserContext, Page, async_playwright, expect

from tests.integration.helpers_platform import GatewayServer

pytestmark = pytest.mark.asyncio(loop_scope="module")
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "pwa"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True}  # fmt: skip


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(kafka_bootstrap: str, redis_url: str) -> AsyncIterator[GatewayServer]:
    server = GatewayServer(kafka_bootstrap, redis_url)
    await server.start()
    yield server
    await server.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def phone(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    """A persistent profile: Chromium reports incognito contexts as not installable."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: `make install` installs it")
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium, headless=True,
            locale="es-ES", **PHONE,  # type: ignore[arg-type]
        )  # fmt: skip
        yield context
        await context.close()


async def controlled_page(phone: BrowserContext, gateway: GatewayServer) -> Page:
    page = phone.pages[0] if phone.pages else await phone.new_page()
    await page.goto(f"{gateway.base_url}/")
    for _ in range(300):  # polled from here: the page's CSP forbids the eval wait_for_function uses
        if await page.evaluate("() => navigator.serviceWorker.controller !== null"):
            return page
        await asyncio.sleep(0.1)
    raise AssertionError("the service worker never took control of the page")


async def test_the_manifest_icons_and_worker_are_served(gateway: GatewayServer) -> None:
    async with httpx.AsyncClient(base_url=gateway.base_url) as http:
        manifest = (await http.get("/manifest.webmanifest")).json()
        assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
        for entry in manifest["icons"]:
            icon = await http.get(entry["src"])
            assert icon.headers["content-type"] == "image/png"
            assert icon.content.startswith(b"\x89PNG")
            width = int.from_bytes(icon.content[16:20], "big")
            assert f"{width}x{width}" == entry["sizes"]
        worker = await http.get("/sw.js")
        assert worker.headers["content-type"].startswith("text/javascript")
        csp = (await http.get("/")).headers["content-security-policy"]
        assert "worker-src 'self'" in csp and "manifest-src 'self'" in csp


async def test_installable_in_mobile_emulation_with_spanish_touch_sized_controls(
    phone: BrowserContext, gateway: GatewayServer
) -> None:
    page = await controlled_page(phone, gateway)
    await expect(page.locator("#status")).to_have_text("Conectado.", timeout=30_000)
    await expect(page.locator("#send")).to_have_text("Enviar")
    assert await page.evaluate("document.documentElement.lang") == "es"
    for control in ("#send", "#text", "#language", "#country"):
        box = await page.locator(control).bounding_box()
        assert box is not None and box["height"] >= 44, (control, box)
    cdp = await phone.new_cdp_session(page)
    manifest = await cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    installability = await cdp.send("Page.getInstallabilityErrors")
    assert installability["installabilityErrors"] == [], installability
    await page.screenshot(path=str(SHOTS / "installable-es.png"))


async def test_offline_shell_then_reconnect_when_back_online(
    phone: BrowserContext, gateway: GatewayServer
) -> None:
    page = await controlled_page(phone, gateway)
    await expect(page.locator("#status")).to_have_text("Conectado.", timeout=30_000)
    await phone.set_offline(True)
    await page.reload()  # served by the service worker's cached shell
    await expect(page.locator("#send")).to_have_text("Enviar")
    await expect(page.locator("#status")).to_contain_text("sin conexión", timeout=30_000)
    await page.fill("#text", "hola")
    await page.click("#send")
    await expect(page.locator("#log")).to_contain_text("tu mensaje se enviará")
    await page.screenshot(path=str(SHOTS / "offline-es.png"))
    await phone.set_offline(False)
    await expect(page.locator("#status")).to_have_text("Conectado.", timeout=30_000)
    await page.screenshot(path=str(SHOTS / "back-online-es.png"))
