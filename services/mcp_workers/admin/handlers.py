"""The admin worker's request handlers: thin, over `CatalogWriter`, the NL parser and the jobs.

Scopes are checked by the gateway before a request reaches Kafka; `actor` is only logged.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pydantic import BaseModel

from libs.catalog.read_model import CatalogReadModel
from libs.contracts.admin import (
    AdminRequest,
    ApplyPriceChanges,
    DeleteProduct,
    DeleteReply,
    GetProduct,
    ImportJobStatus,
    ImportStatus,
    ListProducts,
    ParseProduct,
    ParseReply,
    PendingOperation,
    PriceChangesReply,
    PriceConflict,
    ProductList,
    ProductReply,
    StartImport,
    UpsertProduct,
)
from libs.contracts.catalog import Product
from libs.messaging.errors import HandlerError
from services.mcp_workers.admin.catalog_writer import CatalogWriter
from services.mcp_workers.admin.jobs import ImportRunner
from services.mcp_workers.admin.nl_bulk import parse_bulk_price, plan
from services.mcp_workers.admin.nl_product import (
    DraftIncomplete,
    ProductDraft,
    parse_product_command,
)

log = logging.getLogger(__name__)


def _same(a: Product, b: Product) -> bool:
    return a.model_dump(exclude={"updated_at"}) == b.model_dump(exclude={"updated_at"})


def matches(product: Product, query: str) -> bool:
    """Every word of `query` is in the product's id, handle, a title or a SKU (any case)."""
    haystack = " ".join(
        [product.id, product.handle, *(t for t in product.title.model_dump().values() if t)]
        + [v.sku for v in product.variants]
    ).casefold()
    return all(word in haystack for word in query.casefold().split())


class AdminService:
    def __init__(
        self,
        model: CatalogReadModel,
        writer: CatalogWriter,
        jobs: ImportRunner,
        shop_currency: str = "GBP",
    ) -> None:
        self.model, self.writer, self.jobs = model, writer, jobs
        self.shop_currency = shop_currency

    async def handle(self, request: AdminRequest) -> BaseModel:
        """Admin operations: product writes, NL parsing, import jobs."""
        match request:
            case UpsertProduct():
                return await self.upsert(request)
            case DeleteProduct():
                return await self.delete(request)
            case GetProduct():
                return ProductReply(product=self.find(request.product_id))
            case ListProducts():
                items = sorted(self.model, key=lambda p: p.id)
                if request.query:
                    items = [p for p in items if matches(p, request.query)]
                page = items[request.offset : request.offset + request.limit]
                return ProductList(products=page, total=len(items))
            case ParseProduct():
                return self.parse(request)
            case StartImport():
                return await self.jobs.start(request)
            case ImportStatus():
                return await self.import_status(request.job_id)
            case ApplyPriceChanges():
                return await self.apply_prices(request)
        raise HandlerError("bad_request", "unknown op")  # pragma: no cover

    def find(self, ref: str) -> Product | None:
        """A product by id, handle or SKU."""
        found = self.model.get(ref) or self.model.by_handle(ref)
        if found is None and (hit := self.model.by_sku(ref)):
            found = hit[0]
        return found

    async def upsert(self, request: UpsertProduct) -> ProductReply:
        product = request.product
        current = self.model.get(product.id)
        if request.mode == "create" and current is not None:
            raise HandlerError("conflict", f"product {product.id} already exists")
        if request.mode == "update" and current is None:
            raise HandlerError("not_found", f"product {product.id} not found")
        owner = self.model.by_handle(product.handle)
        if owner is not None and owner.id != product.id:
            raise HandlerError("conflict", f"handle {product.handle!r} belongs to {owner.id}")
        if current is not None and _same(current, product):
            return ProductReply(product=current, changed=False)
        stamped = product.model_copy(update={"updated_at": datetime.now(UTC).isoformat()})
        await self.writer.put(stamped)
        log.info("product %s written by %s", product.id, request.actor or "?")
        return ProductReply(product=stamped, changed=True, created=current is None)

    async def delete(self, request: DeleteProduct) -> DeleteReply:
        current = self.find(request.product_id)  # an id, a handle or a SKU
        if current is None:
            raise HandlerError("not_found", f"product {request.product_id} not found")
        await self.writer.delete(current.id)
        log.info("product %s deleted by %s", current.id, request.actor or "?")
        return DeleteReply(product_id=current.id, deleted=True)

    def parse(self, request: ParseProduct) -> ParseReply:
        if (bulk := parse_bulk_price(request.text)) is not None:
            changes = plan(bulk, self.model, self.shop_currency)
            count = len(changes.changes) if changes else 0
            return ParseReply(
                draft=bulk.model_dump(mode="json"),
                summary=f"price {bulk.describe()} · {bulk.target} · {count} prices",
                missing=list(bulk.missing), ambiguous=list(bulk.ambiguous), bulk=changes)
        draft = parse_product_command(request.text, request.language)
        missing = list(draft.missing)
        operation: PendingOperation | None = None
        if not missing:
            try:
                operation = self._operation(draft)
            except DraftIncomplete as exc:
                missing += exc.fields
            except LookupError as exc:
                missing.append(str(exc.args[0]))
        return ParseReply(
            draft=draft.model_dump(mode="json"),
            summary=draft.summary(),
            missing=missing,
            ambiguous=list(draft.ambiguous),
            operation=operation if not missing else None,
        )

    def _operation(self, draft: ProductDraft) -> PendingOperation:
        if draft.action == "create":
            product = draft.to_product(shop_currency=self.shop_currency)
            return PendingOperation(action="create", product_id=product.id, product=product)
        current = self.find(draft.target or "")
        if current is None:
            raise LookupError(f"product {draft.target!r} (not in the catalog)")
        if draft.action == "delete":
            return PendingOperation(action="delete", product_id=current.id, product=current)
        updated = draft.apply_to(current, shop_currency=self.shop_currency)
        return PendingOperation(action="update", product_id=current.id, product=updated)

    async def apply_prices(self, request: ApplyPriceChanges) -> PriceChangesReply:
        """Write the previewed prices; a product whose prices moved since is left whole."""
        reply = PriceChangesReply()
        by_product: dict[str, dict[str, tuple[int, int]]] = {}
        for change in request.changes:
            by_product.setdefault(change.product_id, {})[change.sku] = (change.before, change.after)
        for product_id, wanted in by_product.items():
            current = self.model.get(product_id)
            prices = {v.sku: v.price for v in current.variants} if current else {}
            conflicts = [PriceConflict(product_id=product_id, sku=sku, expected=before,
                                       found=prices.get(sku))
                         for sku, (before, _) in wanted.items() if prices.get(sku) != before]
            if current is None or conflicts:
                reply.conflicts += conflicts
                continue
            variants = [v.model_copy(update={"price": wanted[v.sku][1]}) if v.sku in wanted
                        else v for v in current.variants]
            stamped = current.model_copy(update={"variants": variants,
                                                 "updated_at": datetime.now(UTC).isoformat()})
            await self.writer.put(stamped)
            reply.applied.append(product_id)
        log.info("bulk price change by %s: %d written, %d conflicts", request.actor or "?",
                 len(reply.applied), len(reply.conflicts))
        return reply

    async def import_status(self, job_id: str) -> ImportJobStatus:
        status = await self.jobs.status(job_id)
        if status is None:
            raise HandlerError("not_found", f"import job {job_id} not found")
        return status
