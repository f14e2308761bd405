"""One function per intent: call the service that handles it, say the result in the user's language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from libs.contracts.intent import IntentResult
from libs.contracts.storefront import (
    AddLinesArgs,
    AskBusinessArgs,
    CartLineIn,
    CheckoutUrlArgs,
    GetCartArgs,
    GetProductArgs,
    OrderStatusArgs,
    RemoveLinesArgs,
    SearchCatalogArgs,
)
from services.chat.downstream import Downstream, ToolProblem
from services.chat.store import Conversation
from services.chat.texts import feature, say


@dataclass
class Outcome:
    text: str
    products: list[dict[str, Any]] = field(default_factory=list)
    cart: dict[str, Any] | None = None
    checkout_url: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Turn:
    conv: Conversation
    result: IntentResult
    lang: str
    down: Downstream


Action = Callable[[Turn], Awaitable[Outcome]]


async def _prices(turn: Turn, products: list[dict[str, Any]]) -> None:
    """Add `price_formatted` in the market's currency and conventions to each product."""
    formatted = await turn.down.localize(turn.conv.country, [p["price"] for p in products])
    for product, text in zip(products, formatted or [], strict=False):
        product["price_formatted"] = text


def search_args(turn: Turn) -> SearchCatalogArgs:
    e = turn.result.entities
    query = e.query or ""
    if e.colour and e.colour not in query:
        query = f"{query} {e.colour}".strip()
    shop_currency = e.currency in (None, "GBP")  # price filters are in the shop's currency
    return SearchCatalogArgs(
        query=query,
        language=turn.lang,
        limit=5,
        category=e.category,
        country=turn.conv.country,
        available=True,  # a shopper in a chat wants what they can buy now
        price_max=e.price_max if shop_currency else None,
        price_min=e.price_min if shop_currency else None,
    )


async def search(turn: Turn) -> Outcome:
    args = search_args(turn)
    data = await turn.down.tool(args, None)
    products = data.get("products", [])
    turn.conv.last_products = [p["id"] for p in products]
    if not products:
        query = args.query or turn.result.entities.category or ""
        return Outcome(say("no_results", turn.lang, query=query))
    await _prices(turn, products)
    lines = [
        f"{i}. {p['title']} — {p.get('price_formatted') or p['price']['amount']}"
        for i, p in enumerate(products, 1)
    ]
    return Outcome("\n".join([say("results", turn.lang), *lines]), products=products)


def _target(turn: Turn) -> str | None:
    e = turn.result.entities
    if e.product_id:
        return e.product_id
    if len(turn.conv.last_products) == 1:
        return turn.conv.last_products[0]
    return None


async def details(turn: Turn) -> Outcome:
    pid = _target(turn)
    if pid is None:
        return (
            await search(turn)
            if turn.result.entities.query
            else Outcome(say("which_product", turn.lang))
        )
    data = await turn.down.tool(GetProductArgs(product_id=pid, language=turn.lang), None)
    product = data["product"]
    turn.conv.last_products = [product["id"]]
    await _prices(turn, [product])
    text = f"{product['title']} — {product.get('price_formatted', '')}\n{product.get('description', '')}".strip()
    return Outcome(text, products=[product])


async def question(turn: Turn) -> Outcome:
    pid = _target(turn)
    raw = turn.conv.turns[-1].text if turn.conv.turns else ""
    data = await turn.down.tool(
        AskBusinessArgs(question=raw[:2000], product_id=pid, language=turn.lang), None
    )
    return Outcome(data.get("answer", ""), data=data)


async def _cart(turn: Turn, owner: str) -> dict[str, Any] | None:
    if not turn.conv.cart_id:
        return None
    data = await turn.down.tool(GetCartArgs(cart_id=turn.conv.cart_id), owner)
    cart = data.get("cart")
    if not cart or cart.get("status") != "open":
        turn.conv.cart_id = None
        return None
    return cart


async def add(turn: Turn) -> Outcome:
    """One atomic `add_lines` on the storefront (it adds up the same SKU), never a
    read-modify-write here: concurrent adds cannot lose each other's lines."""
    pid = _target(turn)
    if pid is None:
        return Outcome(say("which_product", turn.lang))
    qty = turn.result.entities.quantity or 1
    line = CartLineIn(product_id=pid, quantity=qty)
    try:
        data = await turn.down.tool(AddLinesArgs(cart_id=turn.conv.cart_id, lines=[line]),
                                    turn.conv.owner)
    except ToolProblem as exc:
        if turn.conv.cart_id is None or not exc.codes & {"not_found", "cart_closed"}:
            raise
        # the cart expired, was paid or cancelled: start a new one
        turn.conv.cart_id = None
        data = await turn.down.tool(AddLinesArgs(lines=[line]), turn.conv.owner)
    cart = data["cart"]
    turn.conv.cart_id = cart["id"]
    title = next((ln["title"] for ln in cart["lines"] if ln["product_id"] == pid), pid)
    return Outcome(say("added", turn.lang, qty=qty, title=title), cart=cart)


async def remove(turn: Turn) -> Outcome:
    owner = turn.conv.owner
    cart = await _cart(turn, owner)
    pid = _target(turn)
    if cart is None or not cart["lines"]:
        return Outcome(say("basket_empty", turn.lang))
    # "remove it" with nothing named: the last line added
    gone = [ln for ln in cart["lines"] if ln["product_id"] == pid] if pid else cart["lines"][-1:]
    if not gone:
        return Outcome(say("removed", turn.lang, title="—"), cart=cart)
    data = await turn.down.tool(
        RemoveLinesArgs(cart_id=cart["id"], skus=[ln["sku"] for ln in gone]), owner
    )
    title = ", ".join(ln["title"] for ln in gone)
    return Outcome(say("removed", turn.lang, title=title), cart=data["cart"])


async def view_basket(turn: Turn) -> Outcome:
    cart = await _cart(turn, turn.conv.owner)
    if not cart or not cart["lines"]:
        return Outcome(say("basket_empty", turn.lang), cart=cart)
    totals = await turn.down.localize(turn.conv.country, [cart["subtotal"]])
    total = totals[0] if totals else f"{cart['subtotal']['amount']} {cart['subtotal']['currency']}"
    lines = [f"- {ln['quantity']} × {ln['title']}" for ln in cart["lines"]]
    return Outcome(
        "\n".join([say("basket", turn.lang, n=cart["total_quantity"], total=total), *lines]),
        cart=cart,
    )


async def checkout(turn: Turn) -> Outcome:
    cart = await _cart(turn, turn.conv.owner)
    if not cart or not cart["lines"]:
        return Outcome(say("basket_empty", turn.lang))
    args = CheckoutUrlArgs(cart_id=cart["id"], country=turn.conv.country, language=turn.lang)
    data = await turn.down.tool(args, turn.conv.owner)
    url = data["checkout_url"]
    return Outcome(say("checkout", turn.lang, url=url), cart=cart, checkout_url=url)


async def order_status(turn: Turn) -> Outcome:
    args = OrderStatusArgs(order_id=turn.result.entities.order_id)
    data = await turn.down.tool(args, turn.conv.owner)
    orders = data.get("orders") or ([data["order"]] if data.get("order") else [])
    if not orders:
        return Outcome(say("orders_none", turn.lang), data=data)
    lines = [
        f"- {o.get('order_id')}: {o.get('status', 'paid')} ({o.get('created_at', '')})"
        for o in orders[:5]
    ]
    return Outcome("\n".join(lines), data=data)


async def canned(turn: Turn) -> Outcome:
    key = turn.result.intent if turn.result.intent in ("greeting", "help") else "out_of_scope"
    return Outcome(say(key, turn.lang))


async def admin(turn: Turn) -> Outcome:
    return Outcome(say("admin_only", turn.lang))


ACTIONS: dict[str, Action] = {
    "search_products": search,
    "product_details": details,
    "product_question": question,
    "add_to_basket": add,
    "remove_from_basket": remove,
    "view_basket": view_basket,
    "checkout": checkout,
    "order_status": order_status,
    "greeting": canned,
    "help": canned,
    "out_of_scope": canned,
    "create_product": admin,
    "update_product": admin,
    "delete_product": admin,
    "import_products": admin,
}


def not_available(what: str, lang: str) -> Outcome:
    return Outcome(say("not_available", lang, what=feature(what, lang)))
