"""The demo shop's sign-in (`MUSEO_ENV=dev` only): a page at `/signin` listing demo customers,
and `POST /v1/demo/customer-token`, which signs a customer token for one of them with the dev
shared secret, as a real shop's login would. The page then exchanges it at
`/v1/auth/customer-session` (carrying the anonymous basket over) and returns to the chat.
"""

from __future__ import annotations

import html
import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from services.gateway.deps import State, identity
from services.gateway.errors import problem
from services.gateway.routes.web import _hashes

router = APIRouter(tags=["identity"])
PAGE_SCRIPT = """
"use strict";
document.querySelectorAll("button[data-id]").forEach(function (b) {
  b.addEventListener("click", async function () {
    const status = document.getElementById("status");
    status.textContent = "Signing in…";
    try {
      const t = await fetch("/v1/demo/customer-token", { method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ customer_id: b.dataset.id }) });
      if (!t.ok) throw new Error("token: " + t.status);
      const token = (await t.json()).token;
      const conv = sessionStorage.getItem("museo.conversation");
      const s = await fetch("/v1/auth/customer-session", { method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(conv ? { token: token, conversation_id: conv } : { token: token }) });
      if (!s.ok) throw new Error("session: " + s.status);
      location.href = "/chat";
    } catch (e) { status.textContent = "Sign-in failed (" + e.message + ")"; }
  });
});
"""
STYLE = "body{font:16px system-ui;margin:2rem}button{display:block;margin:.5rem 0;padding:.5rem 1rem}"


class TokenAsk(BaseModel):
    customer_id: str = Field(min_length=1, max_length=64)


def customers(path: str = "") -> list[dict[str, Any]]:
    source = Path(path).read_text() if path else (
        files("services.gateway.static").joinpath("demo_customers.json").read_text("utf-8"))
    data: list[dict[str, Any]] = json.loads(source)
    return data


@cache
def page(path: str = "") -> tuple[str, dict[str, str]]:
    buttons = "\n".join(
        f'<button data-id="{html.escape(c["id"])}">{html.escape(c["name"])} '
        f'({html.escape(c.get("market", ""))}, {html.escape(c.get("language", ""))})</button>'
        for c in customers(path))
    body = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Sign in - Museo"
            f"</title><style>{STYLE}</style></head><body><h1>Sign in (demo shop)</h1>"
            f"<p>Pick a demo customer. Your basket and conversation come with you.</p>{buttons}"
            f'<p id="status" role="status"></p><p><a href="/chat">Back to the chat</a></p>'
            f"<script>{PAGE_SCRIPT}</script></body></html>")
    csp = (f"default-src 'none'; script-src {_hashes(body, 'script')}; "
           f"style-src {_hashes(body, 'style')}; connect-src 'self'; base-uri 'none'; "
           "form-action 'none'; frame-ancestors 'none'")
    return body, {"Content-Security-Policy": csp, "Cache-Control": "no-cache",
                  "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@router.get("/signin", response_class=HTMLResponse, include_in_schema=False)
async def signin_page(gw: State) -> Any:
    if gw.settings.env != "dev":
        return problem(404, "not_found", "the demo sign-in exists only with MUSEO_ENV=dev")
    body, headers = page(gw.settings.demo_customers_path)
    return HTMLResponse(body, headers=headers)


@router.post("/v1/demo/customer-token", summary="Dev only: a customer token for a demo customer")
async def demo_token(ask: TokenAsk, gw: State) -> Any:
    if gw.settings.env != "dev":
        return problem(404, "not_found", "the demo sign-in exists only with MUSEO_ENV=dev")
    known = {c["id"]: c for c in customers(gw.settings.demo_customers_path)}
    if (who := known.get(ask.customer_id)) is None:
        return problem(404, "not_found", f"no demo customer {ask.customer_id!r}")
    token = identity(gw).customers.issue(who["id"], who.get("email"), ttl_s=600)
    return {"token": token, "token_type": "customer", "expires_in": 600}
