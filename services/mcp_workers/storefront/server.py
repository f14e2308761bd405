"""The storefront as a real MCP server over stdio (official `mcp` SDK, `MCPServer`).

Run: `python -m services.mcp_workers.storefront.server --catalog PATH.jsonl` (in-memory carts;
env STOREFRONT_CHECKOUT_SECRET, STOREFRONT_BASE_URL), or `... --from-kafka`: the catalog from the
`catalog.products` topic (followed live), carts in Redis, orders to `orders`, plus the
`get_checkout`, `complete_checkout` and `order_status` tools (env: see `runtime.py`). Stdout is
the MCP channel: logs go to stderr. Tool names and shapes follow Shopify's
storefront tools (UCP); each tool is a one-line call into `Storefront`, and returns a pydantic
model, which the SDK publishes as the tool's output schema and returns as structuredContent.

`owner` is the user id or anonymous session id that carts belong to, and `contact` (of
`get_checkout_url`) the buyer's verified email/phone. Over stdio it is the caller's job (the
worker bridging Kafka, which got both from the gateway's sealed principal) to pass the real ones.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import sys
from typing import TYPE_CHECKING, Annotated

import anyio
from mcp.server.mcpserver import MCPServer
from pydantic import Field

from libs.catalog.read_model import CatalogReadModel
from libs.contracts.mcp import INTERNAL_TOOL
from libs.contracts.notifications import Contact
from services.mcp_workers.storefront.basket import CartLineInput, InMemoryBasketStore
from services.mcp_workers.storefront.order_views import WebhookResult
from services.mcp_workers.storefront.orders import (
    CheckoutPreview,
    OrderDesk,
    OrderResult,
    OrderStatusResult,
)
from services.mcp_workers.storefront.qa import Answer
from services.mcp_workers.storefront.settings import StorefrontSettings
from services.mcp_workers.storefront.storefront import Storefront
from services.mcp_workers.storefront.views import (
    CartResult,
    CheckoutResult,
    LookupResult,
    ProductResult,
    SearchResult,
)

if TYPE_CHECKING:  # the Stripe SDK is imported only when Stripe is configured (slow import)
    from services.mcp_workers.storefront.stripe_provider import StripeWebhooks

Owner = Annotated[str, Field(min_length=1, description="user id or anonymous session id")]
Language = Annotated[str, Field(description="answer language: en, es or fr")]
Lines = Annotated[list[CartLineInput], Field(description="full line list; quantity 0 removes")]


def build_server(storefront: Storefront, orders: OrderDesk | None = None,
                 webhooks: StripeWebhooks | None = None) -> MCPServer:
    server: MCPServer = MCPServer(
        "museo-storefront",
        instructions="Museo gift shop: search the catalog, manage carts, get a checkout link, "
        "ask about products and shop policies. Money is {amount (minor units), currency}.",
    )

    @server.tool()
    def search_catalog(
        query: str = "",
        category: str | None = None,
        price_min: Annotated[int | None, Field(description="minor units")] = None,
        price_max: Annotated[int | None, Field(description="minor units")] = None,
        available: bool | None = None,
        country: str | None = None,
        language: Language = "en",
        cursor: str | None = None,
        limit: Annotated[int, Field(ge=1, le=50)] = 10,
    ) -> SearchResult:
        """Search products by words (en/es/fr) with filters; pass next_cursor for more."""
        return storefront.search_catalog(
            query,
            category=category,
            price_min=price_min,
            price_max=price_max,
            available=available,
            country=country,
            language=language,
            cursor=cursor,
            limit=limit,
        )

    @server.tool()
    def get_product(product_id: str, language: Language = "en") -> ProductResult:
        """One product by id, SKU or handle, with its variants."""
        return storefront.get_product(product_id, language)

    @server.tool()
    def lookup_catalog(
        ids: list[str] | None = None, skus: list[str] | None = None, language: Language = "en"
    ) -> LookupResult:
        """Several products by ids and/or SKUs; unknown ones are listed in `missing`."""
        return storefront.lookup_catalog(ids, skus, language)

    @server.tool()
    async def create_cart(owner: Owner, lines: Lines) -> CartResult:
        """Create a cart for `owner` with lines of {sku or product_id, quantity}."""
        return await storefront.create_cart(owner, lines)

    @server.tool()
    async def get_cart(owner: Owner, cart_id: str) -> CartResult:
        """The cart, if it belongs to `owner`."""
        return await storefront.get_cart(owner, cart_id)

    @server.tool()
    async def update_cart(owner: Owner, cart_id: str, lines: Lines) -> CartResult:
        """Replace the cart's lines (send the full list; quantity 0 removes a line)."""
        return await storefront.update_cart(owner, cart_id, lines)

    @server.tool()
    async def add_lines(
        owner: Owner,
        lines: Annotated[list[CartLineInput], Field(min_length=1, max_length=100)],
        cart_id: str | None = None,
    ) -> CartResult:
        """Add lines of {sku or product_id, quantity} to the cart atomically (the same SKU adds
        up); without cart_id, create a cart with them. Safe under concurrent adds."""
        return await storefront.add_lines(owner, cart_id, lines)

    @server.tool()
    async def remove_lines(
        owner: Owner,
        cart_id: str,
        skus: Annotated[list[str] | None, Field(max_length=100)] = None,
        product_ids: Annotated[list[str] | None, Field(max_length=100)] = None,
    ) -> CartResult:
        """Remove the lines of these SKUs and/or product ids from the cart atomically."""
        return await storefront.remove_lines(owner, cart_id, skus, product_ids)

    @server.tool()
    async def cancel_cart(owner: Owner, cart_id: str) -> CartResult:
        """Cancel (delete) the cart."""
        return await storefront.cancel_cart(owner, cart_id)

    @server.tool()
    async def get_checkout_url(
        owner: Owner, cart_id: str, country: str | None = None, language: str | None = None,
        contact: Annotated[Contact | None, Field(
            description="the buyer's verified contact; the Kafka bridge sets it from the "
            "caller's credential and replaces any other")] = None,
    ) -> CheckoutResult:
        """A signed payment link for the cart (valid 30 minutes). The order confirmation goes
        to `contact`, in `language` (en/es/fr) and `country`'s formats."""
        return await storefront.get_checkout_url(owner, cart_id, country, language, contact)

    @server.tool()
    def ask_business(
        question: str, product_id: str | None = None, language: Language = "en"
    ) -> Answer:
        """Answer a question about a product (price, stock, colours, sizes) or shop policies
        (shipping, returns, payment, privacy)."""
        return storefront.ask_business(question, product_id, language)

    if orders is not None:
        add_order_tools(server, orders)
    if webhooks is not None:
        add_webhook_tool(server, webhooks)
    return server


# Called only by the gateway's own routes: not listed nor forwarded at the public `/mcp`.
INTERNAL = {INTERNAL_TOOL: "called by the gateway's payment routes only"}


def add_webhook_tool(server: MCPServer, webhooks: StripeWebhooks) -> None:
    @server.tool(meta=INTERNAL)
    async def stripe_webhook(payload: str, signature: str) -> WebhookResult:
        """A Stripe webhook (raw body, Stripe-Signature header): verified, then the order is
        confirmed once. Only the gateway's /webhooks/stripe calls it."""
        return await webhooks.handle(payload, signature)


def add_order_tools(server: MCPServer, orders: OrderDesk) -> None:
    @server.tool(meta=INTERNAL)
    async def get_checkout(token: str) -> CheckoutPreview:
        """What a checkout link is for (lines, total, expiry); rejects altered or old links."""
        return await orders.preview(token)

    @server.tool(meta=INTERNAL)
    async def complete_checkout(token: str) -> OrderResult:
        """Pay a checkout link (test mode, MUSEO_ENV=dev only): publishes the order and empties
        the cart. The signed link is the capability: it names one cart of one owner, checked
        against Redis. With a real provider this refuses: only the provider confirms."""
        return await orders.complete_checkout(token)

    @server.tool()
    async def order_status(owner: Owner, order_id: str | None = None) -> OrderStatusResult:
        """One order of `owner`, or their recent orders, newest first."""
        return await orders.order_status(owner, order_id)


async def serve_from_kafka(settings: StorefrontSettings) -> None:
    from services.mcp_workers.storefront.runtime import RuntimeConfig, open_runtime

    async with open_runtime(RuntimeConfig.from_settings(settings)) as runtime:
        await build_server(runtime.storefront, runtime.orders,
                           runtime.webhooks).run_stdio_async()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--catalog", help="catalog JSONL (one Product per line)")
    source.add_argument(
        "--from-kafka",
        action="store_true",
        help="catalog from Kafka, carts in Redis, orders to Kafka",
    )
    settings = StorefrontSettings()
    parser.add_argument("--base-url", default=settings.storefront_base_url)
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    if args.from_kafka:
        anyio.run(serve_from_kafka, settings)
        return
    configured = settings.storefront_checkout_secret
    secret = configured.get_secret_value() if configured else ""
    if not secret:
        # No default secret: a per-process random one means links die with the process.
        print("STOREFRONT_CHECKOUT_SECRET unset: using an ephemeral secret", file=sys.stderr)
        secret = secrets.token_urlsafe(32)
    catalog = CatalogReadModel.from_jsonl(args.catalog)
    storefront = Storefront(catalog, InMemoryBasketStore(), secret, args.base_url)
    build_server(storefront).run("stdio")


if __name__ == "__main__":
    main()
