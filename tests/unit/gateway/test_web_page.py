"""The web chat page (`GET /`, `GET /chat`): served as packaged HTML, self-contained, no broker."""

from __future__ import annotations

import base64
import hashlib
import re
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from libs.auth.customer import CustomerAuthSettings, CustomerTokens
from services.gateway.app import discover_routes
from services.gateway.deps import SESSION_COOKIE, Identity
from services.gateway.routes import web
from services.gateway.sessions import verify_session


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    app.include_router(web.router)
    settings = CustomerAuthSettings()
    app.state.gw = SimpleNamespace(
        identity=Identity(
            session_key=b"k" * 32,
            customers=CustomerTokens(settings, secret="s" * 40),
            customer_settings=settings,
        )
    )
    return TestClient(app)


def test_the_page_gives_a_new_visitor_an_anonymous_session_cookie(client: TestClient) -> None:
    first = client.get("/chat")
    session = first.cookies.get(SESSION_COOKIE)
    assert session and verify_session(session, b"k" * 32) is not None
    again = client.get("/chat")  # the client sends the cookie back: no new session
    assert SESSION_COOKIE not in again.cookies


@pytest.mark.parametrize("path", ["/", "/chat"])
def test_the_page_is_served_as_html(client: TestClient, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert '"/ws"' in resp.text
    assert "<title>" in resp.text and "</html>" in resp.text


def test_the_page_loads_nothing_from_elsewhere(client: TestClient) -> None:
    html = client.get("/").text
    assert "http://" not in html and "https://" not in html
    assert re.search(r"""(src|href)\s*=\s*["']?//""", html) is None  # no protocol-relative loads
    assert re.search(r"<(img|iframe|object|embed)\b", html) is None
    # only the blank icon and the PWA manifest, both from here
    links = re.findall(r'<link\b[^>]*href="([^"]*)"', html)
    assert links == ["data:,", "/manifest.webmanifest"]
    assert re.search(r"<script\b[^>]*\bsrc=", html) is None
    assert "@import" not in html and "url(" not in html


def test_the_page_never_renders_with_inner_html(client: TestClient) -> None:
    html = client.get("/").text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in html


def test_the_page_is_accessible_by_construction(client: TestClient) -> None:
    html = client.get("/").text
    assert '<html lang="en">' in html
    for control in ("text", "language", "country", "show-meta"):
        assert f'<label for="{control}"' in html
    assert 'aria-live="polite"' in html and 'role="log"' in html
    for value in ("en", "es", "fr", "GB", "ES", "FR", "US"):
        assert f'<option value="{value}"' in html
    assert len(html.splitlines()) < 300


def test_the_policy_pins_the_inline_script_and_style(client: TestClient) -> None:
    resp = client.get("/")
    csp = resp.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    for tag in ("script", "style"):
        (body,) = re.findall(rf"<{tag}>(.*?)</{tag}>", resp.text, flags=re.DOTALL)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_the_gateway_discovers_the_page_route() -> None:
    assert web in discover_routes()


def test_head_answers_too(client: TestClient) -> None:
    assert client.head("/").status_code == 200
