"""The admin page's live panel in headless Chromium against the whole system: after sign-in it
shows request rate, p95, intent mix, recommendation variation and consumer lag from the
services' real metrics, and the numbers move when shoppers chat. Screenshot:
tests/artifacts/admin/live-panel.png."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.e2e.conftest import System

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "admin"


@pytest.fixture
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: `make install` installs it")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, headless=True)
        yield b
        b.close()


def number(text: str) -> float:
    return float(re.sub(r"[^0-9.]", "", text.replace(",", "")) or "nan")


def test_live_panel_shows_the_system_and_moves_with_traffic(system: System,
                                                            browser: Browser) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    secret = (system.auth_dir / "museo-admin.secret").read_text().strip()
    page = browser.new_page(locale="en-GB", viewport={"width": 1280, "height": 1000})
    page.goto(f"{system.base_url}/admin")
    page.fill("#client-id", "museo-admin")
    page.fill("#client-secret", secret)
    page.click("#signin-button")
    expect(page.locator("#live")).to_be_visible(timeout=30_000)
    expect(page.locator("#live-total")).not_to_have_text("–", timeout=30_000)
    expect(page.locator("#live-variation")).to_have_text(re.compile(r"^\d"), timeout=60_000)
    expect(page.locator("#live-lag")).to_have_text(re.compile(r"^\d"), timeout=60_000)
    before = number(page.inner_text("#live-total"))

    with httpx.Client(base_url=system.base_url, timeout=30) as http:
        for text, country in (("show me mugs", "GB"), ("busco velas", "ES"), ("hello", "GB")):
            assert http.post("/v1/chat", json={"text": text, "country": country}).status_code == 200
    expect(page.locator("#live-intents")).to_contain_text("search_products", timeout=30_000)
    page.wait_for_function(
        "(n) => parseFloat(document.getElementById('live-total').textContent.replace(/[^0-9.]/g, '')) >= n",
        arg=before + 3, timeout=30_000)
    expect(page.locator("#live-p95")).to_have_text(re.compile(r"^\d[\d,]* ms$"), timeout=30_000)
    expect(page.locator("#live-note")).to_contain_text("Updated")
    page.screenshot(path=str(SHOTS / "live-panel.png"), full_page=True)
    page.close()
