"""The web admin page (`GET /admin`): packaged, self-contained, pinned by CSP, labelled en/es/fr."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.gateway.routes import admin_live, admin_page, admin_ws
from services.gateway.ws import OPS


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    app.include_router(admin_page.router)
    return TestClient(app)


def test_the_page_is_self_contained_and_never_renders_html_from_data(client: TestClient) -> None:
    resp = client.get("/admin")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    html = resp.text
    assert "https://" not in html and re.search(r"<script\b[^>]*\bsrc=", html) is None
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in html


def test_the_policy_pins_the_inline_script_and_style(client: TestClient) -> None:
    resp = client.get("/admin")
    csp = resp.headers["content-security-policy"]
    for tag in ("script", "style"):
        [block] = re.findall(rf"<{tag}>(.*?)</{tag}>", resp.text, flags=re.DOTALL)
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp


def test_every_label_exists_in_english_spanish_and_french(client: TestClient) -> None:
    html = client.get("/admin").text
    keys = set(re.findall(r'data-i18n(?:-placeholder)?="([a-z_]+)"', html))
    keys |= set(re.findall(r'\bt\("([a-z_]+)"\)', html))
    for lang in ("en", "es", "fr"):
        block = re.search(rf"\b{lang}: {{(.*?)}},\n", html, flags=re.DOTALL)
        assert block is not None, lang
        defined = set(re.findall(r"\b([a-z_]+): \"", block.group(1)))
        assert keys - defined == set(), (lang, keys - defined)


def test_the_page_uses_only_frames_the_gateway_knows(client: TestClient) -> None:
    html = client.get("/admin").text
    used = set(re.findall(r'send\("(admin\.[a-z.]+)"', html))
    assert used and used <= set(OPS)
    assert admin_ws.ADMIN_KEY and admin_live.TASK  # the modules registered their frames on import
