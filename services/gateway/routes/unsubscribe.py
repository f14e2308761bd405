"""The unsubscribe link every email carries: `/unsubscribe/{token}`.

`GET` shows a page, in the recipient's language, asking to confirm; it changes nothing (mail
scanners and link previews open links). `POST` unsubscribes: the page's button, or a mail client
acting on `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058), with no cookie and no
login: the signed token is the capability. The gateway only forwards the token to the
notification service (`UnsubscribeQuery`), which verifies it and records the opt-out.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse

from libs.contracts.notification_queries import (
    UnsubscribeQuery,
    UnsubscribeReply,
)
from libs.messaging.errors import BrokerUnavailable, RemoteError, RequestTimeout
from services.gateway.deps import GatewayState, state
from services.gateway.routes.web import _hashes

router = APIRouter(tags=["notifications"], include_in_schema=False)
Token = Path(min_length=10, max_length=2000, pattern=r"^[A-Za-z0-9_\-.]+$")
STYLE = "body{font:16px system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}" \
        "button{font-size:1rem;padding:.5rem 1rem}"
TEXT = {
    "en": {"title": "Unsubscribe", "ask": "Stop emails from Museo to {a}?",
           "note": "You will get no more emails at this address, order updates included; we "
                   "will use another channel you allowed, if any.",
           "button": "Unsubscribe", "done": "Done: {a} will get no more emails from Museo.",
           "invalid": "This unsubscribe link is not valid.",
           "down": "We could not do that just now. Please try again in a minute."},
    "es": {"title": "Darse de baja", "ask": "¿Dejar de recibir correos de Museo en {a}?",
           "note": "No recibirás más correos en esta dirección, tampoco los de tus pedidos; "
                   "usaremos otro canal que hayas permitido, si lo hay.",
           "button": "Darme de baja", "done": "Hecho: {a} no recibirá más correos de Museo.",
           "invalid": "Este enlace para darse de baja no es válido.",
           "down": "No hemos podido hacerlo ahora. Vuelve a intentarlo en un minuto."},
    "fr": {"title": "Se désabonner", "ask": "Ne plus recevoir d'e-mails de Museo à {a} ?",
           "note": "Vous ne recevrez plus d'e-mails à cette adresse, y compris pour vos "
                   "commandes ; nous utiliserons un autre canal que vous avez accepté, s'il y "
                   "en a un.",
           "button": "Me désabonner", "done": "C'est fait : {a} ne recevra plus d'e-mails de "
                                              "Museo.",
           "invalid": "Ce lien de désabonnement n'est pas valide.",
           "down": "Nous n'avons pas pu le faire pour l'instant. Réessayez dans une minute."},
}


def _page(language: str, body: str, status: int = 200) -> HTMLResponse:
    text = TEXT.get(language, TEXT["en"])
    html = (f'<!doctype html><html lang="{escape(language)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(text['title'])} - Museo</title><style>{STYLE}</style></head>"
            f"<body><h1>{escape(text['title'])}</h1>{body}</body></html>")
    csp = (f"default-src 'none'; style-src {_hashes(html, 'style')}; form-action 'self'; "
           "base-uri 'none'; frame-ancestors 'none'")
    return HTMLResponse(html, status, headers={
        "Content-Security-Policy": csp, "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})


async def _ask(gw: GatewayState, token: str, confirm: bool) -> UnsubscribeReply | None:
    topic = gw.settings.notifications_topic
    try:
        return await gw.rpc.request(topic, UnsubscribeQuery(token=token, confirm=confirm),
                                    UnsubscribeReply, timeout=5)
    except (RemoteError, RequestTimeout, BrokerUnavailable):
        return None


def _answer(reply: UnsubscribeReply | None, token: str, confirm: bool) -> HTMLResponse:
    if reply is None:
        return _page("en", f"<p>{escape(TEXT['en']['down'])}</p>", 503)
    text = TEXT.get(reply.language, TEXT["en"])
    if not reply.valid:
        return _page(reply.language, f"<p>{escape(text['invalid'])}</p>", 400)
    address = escape(reply.address or "")
    if confirm:
        return _page(reply.language, f"<p>{escape(text['done']).format(a=address)}</p>")
    return _page(reply.language,
                 f"<p>{escape(text['ask']).format(a=f'<strong>{address}</strong>')}</p>"
                 f"<p>{escape(text['note'])}</p>"
                 f'<form method="post" action="/unsubscribe/{escape(token)}">'
                 f'<input type="hidden" name="List-Unsubscribe" value="One-Click">'
                 f"<button type=submit>{escape(text['button'])}</button></form>")


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def confirm_page(token: str = Token, gw: GatewayState = Depends(state)) -> HTMLResponse:
    return _answer(await _ask(gw, token, confirm=False), token, confirm=False)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe(request: Request, token: str = Token,
                      gw: GatewayState = Depends(state)) -> HTMLResponse:
    """One click (RFC 8058) or the page's button: whatever the body, the token decides."""
    await request.body()  # read (bounded by the body limit) so the connection stays clean
    return _answer(await _ask(gw, token, confirm=True), token, confirm=True)
