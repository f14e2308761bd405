"""The web admin page: `GET /admin` serves one self-contained HTML page (services/gateway/static/
admin.html) that signs in with client credentials at `/oauth/token` and works over `/ws` with the
`admin.*` frames (routes/admin_ws.py). Like the chat page it loads nothing from elsewhere, and its
inline script and style are pinned by hash in a Content-Security-Policy header."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.gateway.routes.web import PAGE_PACKAGE, _hashes

router = APIRouter(tags=["web"], include_in_schema=False)
ADMIN_PAGE = "admin.html"


@cache
def admin_page() -> tuple[str, dict[str, str]]:
    html = files(PAGE_PACKAGE).joinpath(ADMIN_PAGE).read_text(encoding="utf-8")
    csp = (
        "default-src 'none'; "
        f"script-src {_hashes(html, 'script')}; "
        f"style-src {_hashes(html, 'style')}; "
        "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    headers = {
        "Content-Security-Policy": csp,
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    return html, headers


@router.api_route("/admin", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def admin() -> HTMLResponse:
    html, headers = admin_page()
    return HTMLResponse(html, headers=headers)
