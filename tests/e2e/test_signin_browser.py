"""Sign-in from the web chat page, in headless Chromium, through the whole system.

A shopper chats anonymously and puts a product in the basket, follows "Sign in" to the demo
shop's sign-in page, picks a demo customer, and is back in the chat signed in: the page says so,
the credential the browser holds is a customer session, and the basket came along.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.e2e.conftest import System

REPLY_TIMEOUT_MS = 60_000


@pytest.fixture
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: `make install` installs it")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, headless=True)
        yield b
        b.close()


def say(page: Page, text: str) -> str:
    """Type a message, wait for the shop's answer to it, return the answer's text."""
    replies = page.locator("#log li.msg.shop, #log li.msg.error")
    before = replies.count()
    page.fill("#text", text)
    page.click("#send")
    expect(replies).to_have_count(before + 1, timeout=REPLY_TIMEOUT_MS)
    answer = replies.nth(before)
    assert "error" not in (answer.get_attribute("class") or ""), answer.inner_text()
    return answer.inner_text()


def test_signing_in_from_the_chat_page_carries_the_basket_over(
    system: System, browser: Browser
) -> None:
    page = browser.new_page(locale="en-GB")
    page.goto(f"{system.base_url}/")
    expect(page.locator("#status")).to_have_text("Connected.", timeout=30_000)
    assert page.request.get(f"{system.base_url}/v1/me").json()["kind"] == "anonymous"

    say(page, "show me heart mugs")
    title = page.locator("#log li.msg.shop").last.locator("li.product .title").first.inner_text()
    assert title
    say(page, "add the first one to my basket")

    page.click("#signin")
    page.wait_for_url("**/signin")
    page.click('button[data-id="alice"]')
    page.wait_for_url("**/chat", timeout=30_000)
    expect(page.locator("#status")).to_have_text("Connected.", timeout=30_000)
    expect(page.locator("#who")).to_contain_text("Signed in as alice")

    me = page.request.get(f"{system.base_url}/v1/me").json()
    assert (me["kind"], me["subject"], me.get("email")) == (
        "customer", "customer:alice", "alice@example.com")
    basket = say(page, "show my basket")
    assert title.lower() in basket.lower(), basket
