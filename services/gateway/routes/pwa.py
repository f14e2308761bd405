"""The web chat as an installable PWA: web app manifest, service worker and icons.

The service worker (served from `/sw.js`, so its scope is the whole site) caches the chat page's
shell on install and answers navigations network-first, falling back to the cached shell when
offline; the page itself reconnects its WebSocket and sends what was typed meanwhile. API calls,
`/ws` and other origins are never cached. The icons are plain PNGs made here (no image files to
ship or fetch): a square in the shop's colour with a lighter frame.
"""

from __future__ import annotations

import json
import struct
import zlib
from functools import cache

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse, Response

router = APIRouter(tags=["web"], include_in_schema=False)
ICON_SIZES = (192, 512)
CACHE_NAME = "museo-shell-v1"
SHELL = ("/", "/manifest.webmanifest", *(f"/icons/icon-{s}.png" for s in ICON_SIZES))
BRAND, FRAME = (0x24, 0x21, 0x1D), (0xF5, 0x9E, 0x0B)

SERVICE_WORKER = """// Museo chat service worker: offline shell, network first.
const CACHE = "__CACHE__";
const SHELL = __SHELL__;
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (event.request.mode === "navigate") {
    event.respondWith(fetch(event.request).catch(() => caches.match("/")));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
  }
});
""".replace("__CACHE__", CACHE_NAME).replace("__SHELL__", json.dumps(list(SHELL)))


def manifest() -> dict[str, object]:
    return {
        "name": "Museo Commerce — chat",
        "short_name": "Museo",
        "description": "Talk to the Museo shop: find gifts, fill a basket, pay.",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f5f2",
        "theme_color": "#24211d",
        "icons": [
            {
                "src": f"/icons/icon-{s}.png",
                "sizes": f"{s}x{s}",
                "type": "image/png",
                "purpose": "any",
            }
            for s in ICON_SIZES
        ],  # fmt: skip
    }


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


@cache
def icon_png(size: int) -> bytes:
    """An RGB PNG: the brand colour with a frame an eighth of the size in from the edge."""
    edge, line = size // 8, max(2, size // 32)
    rows = []
    for y in range(size):
        row = bytearray(b"\x00")  # filter type: none
        for x in range(size):
            inside = edge <= x < size - edge and edge <= y < size - edge
            on_frame = inside and (
                x < edge + line or x >= size - edge - line or y < edge + line
                or y >= size - edge - line
            )  # fmt: skip
            row += bytes(FRAME if on_frame else BRAND)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


@router.get("/manifest.webmanifest")
async def web_manifest() -> JSONResponse:
    return JSONResponse(manifest(), media_type="application/manifest+json")


@router.get("/sw.js")
async def service_worker() -> Response:
    headers = {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"}
    return Response(SERVICE_WORKER, media_type="text/javascript", headers=headers)


@router.get("/icons/icon-{size}.png")
async def icon(size: int) -> Response:
    if size not in ICON_SIZES:
        raise HTTPException(404, "no such icon")
    return Response(
        icon_png(size), media_type="image/png", headers={"Cache-Control": "max-age=86400"}
    )
