"""Admin contracts on `admin.requests`: product writes, NL parsing and import jobs.

The gateway authenticates and checks scopes, then forwards one of these; the admin worker in
`services/mcp_workers/admin` answers. `actor` is the authenticated subject, for the audit log.
Import files are spooled by the gateway under its spool dir (MUSEO_SPOOL_DIR, a shared volume
in a multi-host deployment); `StartImport.path` is relative to that directory.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from libs.contracts.base import MAX_MINOR_UNITS, Message
from libs.contracts.catalog import Product
from libs.contracts.topics import ADMIN_REQUESTS

__all__ = ["ADMIN_REQUESTS"]

IMPORT_KEY_PREFIX = "import:"  # Redis key of a job's status JSON: import:{job_id}


class UpsertProduct(Message):
    op: Literal["upsert_product"] = "upsert_product"
    product: Product
    mode: Literal["create", "update", "any"] = "any"  # create: must not exist; update: must
    actor: str = ""


class DeleteProduct(Message):
    op: Literal["delete_product"] = "delete_product"
    product_id: str  # an id, a handle or a SKU
    actor: str = ""


class GetProduct(Message):
    op: Literal["get_product"] = "get_product"
    product_id: str  # an id, a handle or a SKU


class ListProducts(Message):
    op: Literal["list_products"] = "list_products"
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=50, ge=1, le=500)
    query: str | None = Field(default=None, max_length=200)  # words in id, handle, title or SKU


class ParseProduct(Message):
    """A natural-language command; the reply is the draft and the operation it would apply."""

    op: Literal["parse_product"] = "parse_product"
    text: str = Field(min_length=1, max_length=2000)
    language: str | None = None


class StartImport(Message):
    op: Literal["start_import"] = "start_import"
    path: str  # relative to the spool dir
    source_name: str = ""  # the uploaded file name, shown in the report
    shop_currency: str = "GBP"
    delete_after: bool = True
    actor: str = ""


class ImportStatus(Message):
    op: Literal["import_status"] = "import_status"
    job_id: str


class PriceChange(BaseModel):
    """One variant's price, before and after a bulk change (minor units of `currency`)."""

    product_id: str = Field(min_length=1, max_length=64)
    sku: str = Field(min_length=1, max_length=64)
    title: str = Field(default="", max_length=300)
    currency: str = Field(default="GBP", min_length=3, max_length=3)
    before: int = Field(ge=0, le=MAX_MINOR_UNITS)
    after: int = Field(ge=0, le=MAX_MINOR_UNITS)


class BulkPriceOperation(BaseModel):
    """What a confirmed bulk price change writes: every listed variant, nothing else."""

    description: str  # "-10%", "+2.00 GBP"
    changes: list[PriceChange] = Field(min_length=1, max_length=500)


class ApplyPriceChanges(Message):
    """Apply a confirmed bulk change. A variant whose price is no longer `before` (changed
    since the preview) is left alone and reported as a conflict, with the rest of its product."""

    op: Literal["apply_price_changes"] = "apply_price_changes"
    changes: list[PriceChange] = Field(min_length=1, max_length=500)
    actor: str = ""


AdminRequest = Annotated[
    UpsertProduct
    | DeleteProduct
    | GetProduct
    | ListProducts
    | ParseProduct
    | StartImport
    | ImportStatus
    | ApplyPriceChanges,
    Field(discriminator="op"),
]


class ProductReply(Message):
    product: Product | None = None
    changed: bool = False  # false when an upsert wrote nothing because nothing differed
    created: bool = False


class DeleteReply(Message):
    product_id: str
    deleted: bool


class ProductList(Message):
    products: list[Product]
    total: int


class PendingOperation(BaseModel):
    """What a confirmation will write: an upsert of `product` or a delete of `product_id`."""

    action: Literal["create", "update", "delete"]
    product_id: str
    product: Product | None = None


class ParseReply(Message):
    draft: dict[str, Any]  # the ProductDraft as JSON
    summary: str
    missing: list[str] = Field(default_factory=list)
    ambiguous: list[str] = Field(default_factory=list)
    operation: PendingOperation | None = None  # None while something is missing
    bulk: BulkPriceOperation | None = None  # a bulk price change, when that is what was asked


class PriceConflict(BaseModel):
    product_id: str
    sku: str
    expected: int | None  # the previewed price
    found: int | None  # the price now (None: the product or variant is gone)


class PriceChangesReply(Message):
    applied: list[str] = Field(default_factory=list)  # product ids written
    conflicts: list[PriceConflict] = Field(default_factory=list)


class RowError(BaseModel):
    """One problem: `row` is 1-based as a spreadsheet shows it (header = 1; 0 = whole file)."""

    row: int
    field: str
    reason: str


class ImportReport(BaseModel):
    """Counts plus the first errors (`errors_total` counts all of them)."""

    source: str = ""
    format: str = ""
    dialect: str = ""
    encoding: str = ""
    rows_total: int = 0
    products_ok: int = 0
    products_failed: int = 0
    products_changed: int = 0
    products_unchanged: int = 0
    errors: list[RowError] = Field(default_factory=list)
    errors_total: int = 0
    warnings: list[str] = Field(default_factory=list)


class ImportJobStatus(Message):
    """The status document kept in Redis under `import:{job_id}` and returned by the API."""

    job_id: str
    source: str = ""
    state: Literal["queued", "running", "done", "failed"] = "queued"
    progress: float = 0.0
    report: ImportReport | None = None
    error: str | None = None
    created_at: float = 0.0
    finished_at: float | None = None
