"""The web chat page: `GET /` and `GET /chat` serve one self-contained HTML page that talks to `/ws`.

The page (services/gateway/static/chat.html) is packaged with the gateway and loads nothing from
elsewhere; its inline script and style are pinned by hash in a Content-Security-Policy header.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.gateway.deps import SESSION_COOKIE, identity, set_session, state
from services.gateway.sessions import new_session, verify_session

router = APIRouter(tags=["web"], include_in_schema=False)

PAGE_PACKAGE = "services.gateway.static"
PAGE_NAME = "chat.html"


def _hashes(html: str, tag: str) -> str:
    blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.DOTALL)
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'"
        for b in blocks
    )


@cache
def page() -> tuple[str, dict[str, str]]:
    """The page and its headers, read once from the package."""
    html = files(PAGE_PACKAGE).joinpath(PAGE_NAME).read_text(encoding="utf-8")
    csp = (
        "default-src 'none'; "
        f"script-src {_hashes(html, 'script')}; "
        f"style-src {_hashes(html, 'style')}; "
        "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "worker-src 'self'; manifest-src 'self'; "  # the PWA's /sw.js and manifest (routes/pwa.py)
        "frame-ancestors 'none'"
    )
    headers = {
        "Content-Security-Policy": csp,
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return html, headers


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
@router.api_route("/chat", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def chat_page(request: Request) -> HTMLResponse:
    """The page, with an anonymous session cookie when the visitor has no session yet: `/ws`
    authenticates with it, and sign-in carries what it did over to the customer."""
    html, headers = page()
    response = HTMLResponse(html, headers=headers)
    key = identity(state(request)).session_key
    if verify_session(request.cookies.get(SESSION_COOKIE), key) is None:
        set_session(response, new_session(key))
        del response.headers["X-Museo-Session"]
    return response
