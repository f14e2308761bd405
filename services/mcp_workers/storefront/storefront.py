"""`Storefront`: the one class behind every storefront tool, for MCP and Kafka alike.

The MCP server and the Kafka worker are thin adapters over these methods. Methods never raise
for a shopper's mistake (unknown product, other people's cart, bad cursor): they return the
error inside the result, because an agent can act on a structured error but not on a crash.
"""

from __future__ import annotations

from libs.catalog.read_model import CatalogReadModel
from libs.contracts.catalog import Money, Product, Variant
from libs.contracts.notifications import Contact
from services.mcp_workers.storefront.basket import (
    BasketAccessError,
    BasketNotFoundError,
    BasketService,
    BasketStore,
    CartLineInput,
    CartValidationError,
    LineError,
    PriceFn,
)
from services.mcp_workers.storefront.basket_store import DEFAULT_TTL_SECONDS
from services.mcp_workers.storefront.checkout import (
    PaymentError,
    PaymentProvider,
    TestModePaymentProvider,
)
from services.mcp_workers.storefront.checkout_journal import CheckoutJournal, buyer_contact
from services.mcp_workers.storefront.market_prices import CheckoutPricer
from services.mcp_workers.storefront.qa import Answer, ShopQA
from services.mcp_workers.storefront.search import CatalogSearch, InvalidCursorError, SearchFilters
from services.mcp_workers.storefront.views import (
    CartResult,
    CheckoutResult,
    LookupResult,
    ProductResult,
    ProductView,
    SearchResult,
    cart_view,
    product_view,
    region_for_country,
)


def _shop_price(product: Product, variant: Variant) -> Money:
    return Money(amount=variant.price, currency=product.currency)


class Storefront:
    """Catalog search, product look-ups, carts, checkout links and Q&A for one shop."""

    def __init__(
        self,
        catalog: CatalogReadModel,
        baskets: BasketStore,
        checkout_secret: str,
        base_url: str,
        *,
        price_fn: PriceFn | None = None,
        payment: PaymentProvider | None = None,
        qa: ShopQA | None = None,
        cart_ttl_seconds: int | None = None,
        journal: CheckoutJournal | None = None,
        pricer: CheckoutPricer | None = None,
    ) -> None:
        if not checkout_secret:
            raise ValueError("checkout_secret is required")
        self.catalog = catalog
        self.base_url = base_url
        self.price_fn = price_fn or _shop_price
        self.search_index = CatalogSearch(catalog)
        catalog.subscribe(self.search_index.on_change)  # stays current as the topic moves
        self.baskets = BasketService(catalog, baskets, price_fn=self.price_fn,
                                     ttl_seconds=cart_ttl_seconds or DEFAULT_TTL_SECONDS)
        self.payment = payment or TestModePaymentProvider(base_url, checkout_secret)
        self.qa = qa or ShopQA()
        self.journal = journal
        self.pricer = pricer  # None: links stay in the cart's currency (no markets to ask)

    def search_catalog(
        self, query: str = "", *, category: str | None = None, price_min: int | None = None,
        price_max: int | None = None, available: bool | None = None, country: str | None = None,
        language: str = "en", cursor: str | None = None, limit: int = 10,
    ) -> SearchResult:
        filters = SearchFilters(category=category, price_min=price_min, price_max=price_max,
                                available=available, region=region_for_country(country))
        try:
            page = self.search_index.search(query, language, filters, cursor, limit)
        except InvalidCursorError as exc:
            return SearchResult(products=[], total=0, error=str(exc))
        return SearchResult(
            products=[self._view(h.product, language) for h in page.hits],
            total=page.total, next_cursor=page.next_cursor,
        )

    def get_product(self, product_id: str, language: str = "en") -> ProductResult:
        """By product id, SKU or handle."""
        product = (self.catalog.get(product_id) or self.catalog.by_handle(product_id)
                   or (found[0] if (found := self.catalog.by_sku(product_id)) else None))
        if product is None:
            return ProductResult(error=f"no product {product_id!r}")
        return ProductResult(product=self._view(product, language))

    def lookup_catalog(self, ids: list[str] | None = None, skus: list[str] | None = None,
                       language: str = "en") -> LookupResult:
        products: dict[str, Product] = {}
        missing: list[str] = []
        for product_id in ids or []:
            if (product := self.catalog.get(product_id)) is not None:
                products.setdefault(product.id, product)
            else:
                missing.append(product_id)
        for sku in skus or []:
            if (found := self.catalog.by_sku(sku)) is not None:
                products.setdefault(found[0].id, found[0])
            else:
                missing.append(sku)
        return LookupResult(products=[self._view(p, language) for p in products.values()],
                            missing=missing)

    async def create_cart(self, owner: str, lines: list[CartLineInput]) -> CartResult:
        try:
            return CartResult(cart=cart_view(await self.baskets.create_cart(owner, lines)))
        except (CartValidationError, BasketAccessError) as exc:
            return CartResult(errors=_errors(exc))

    async def get_cart(self, owner: str, cart_id: str) -> CartResult:
        try:
            return CartResult(cart=cart_view(await self.baskets.get_cart(owner, cart_id)))
        except (BasketNotFoundError, BasketAccessError) as exc:
            return CartResult(errors=_errors(exc))

    async def update_cart(self, owner: str, cart_id: str,
                          lines: list[CartLineInput]) -> CartResult:
        try:
            cart = await self.baskets.update_cart(owner, cart_id, lines)
            return CartResult(cart=cart_view(cart))
        except (CartValidationError, BasketNotFoundError, BasketAccessError) as exc:
            return CartResult(errors=_errors(exc))

    async def add_lines(self, owner: str, cart_id: str | None,
                        lines: list[CartLineInput]) -> CartResult:
        """Add lines to the cart atomically; without a cart id, a new cart with these lines."""
        if not cart_id:
            return await self.create_cart(owner, lines)
        try:
            return CartResult(cart=cart_view(await self.baskets.add_lines(owner, cart_id, lines)))
        except (CartValidationError, BasketNotFoundError, BasketAccessError) as exc:
            return CartResult(errors=_errors(exc))

    async def remove_lines(self, owner: str, cart_id: str, skus: list[str] | None = None,
                           product_ids: list[str] | None = None) -> CartResult:
        try:
            cart = await self.baskets.remove_lines(owner, cart_id, skus or [], product_ids or [])
            return CartResult(cart=cart_view(cart))
        except (CartValidationError, BasketNotFoundError, BasketAccessError) as exc:
            return CartResult(errors=_errors(exc))

    async def cancel_cart(self, owner: str, cart_id: str) -> CartResult:
        try:
            cart = await self.baskets.cancel_cart(owner, cart_id)
        except (BasketNotFoundError, BasketAccessError) as exc:
            return CartResult(errors=_errors(exc))
        if self.journal is not None:
            await self.journal.cancelled(cart)
        return CartResult(cart=cart_view(cart))

    async def get_checkout_url(self, owner: str, cart_id: str, country: str | None = None,
                               language: str | None = None,
                               contact: Contact | None = None) -> CheckoutResult:
        """Re-validate the cart against the current catalog, then hand out a payment link.
        `contact` is the caller's verified contact (the bridge's, from the principal): kept
        with the link and put on the order once paid, so the buyer gets a confirmation."""
        try:
            cart = await self.baskets.get_cart(owner, cart_id)
            lines = [CartLineInput(sku=ln.sku, quantity=ln.quantity) for ln in cart.lines]
            cart = await self.baskets.update_cart(owner, cart_id, lines)
        except (CartValidationError, BasketNotFoundError, BasketAccessError) as exc:
            return CheckoutResult(errors=_errors(exc))
        if not cart.lines:
            return CheckoutResult(errors=[LineError(line=-1, code="empty_cart",
                                                    message="the cart is empty")])
        market = region_for_country(country)
        try:
            # In the buyer's market currency when it is not the cart's (markets prices it).
            cart, quote = (await self.pricer.price(cart, country) if self.pricer is not None
                           else (cart, None))
            link = await self.payment.create_payment_link(cart, market, quote)
        except PaymentError as exc:
            return CheckoutResult(errors=[LineError(line=-1, code=exc.code, message=str(exc))])
        if self.journal is not None and link.ref:
            await self.journal.started(link.ref, cart, buyer_contact(contact, country, language),
                                       market)
        return CheckoutResult(checkout_url=link.url, expires_at=link.expires_at,
                              total=Money(amount=cart.subtotal, currency=cart.currency))

    def ask_business(self, question: str, product_id: str | None = None,
                     language: str = "en") -> Answer:
        product = self.catalog.get(product_id) if product_id else None
        return self.qa.ask(question, language, product)

    def _view(self, product: Product, language: str) -> ProductView:
        return product_view(product, language, self.base_url, self.price_fn)


def _errors(exc: Exception) -> list[LineError]:
    if isinstance(exc, CartValidationError):
        return exc.errors
    code = "forbidden" if isinstance(exc, BasketAccessError) else "not_found"
    return [LineError(line=-1, code=code, message=str(exc))]
