"""Admin API: products (JSON and natural language with confirmation) and file imports.

Every route authenticates and checks its scope (`require`), then forwards over Kafka to the
admin worker on `admin.requests`. Uploads are streamed to the spool dir (MUSEO_SPOOL_DIR,
default `.local/data/spool`; in a multi-host deployment a volume shared by the gateways and
the admin workers) and the worker imports them as a background job.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import uuid
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from pydantic import BaseModel, Field

from libs.auth import Principal
from libs.auth.scopes import CATALOG_IMPORT, CATALOG_READ, CATALOG_WRITE
from libs.contracts.admin import (
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
    PriceChange,
    PriceChangesReply,
    ProductList,
    ProductReply,
    StartImport,
    UpsertProduct,
)
from libs.contracts.catalog import Product
from libs.settings import ServiceSettings
from services.gateway.admin_auth import get_auth, require
from services.gateway.deps import GatewayState, state
from services.gateway.errors import problem

router = APIRouter(prefix="/v1/admin", tags=["admin"])
CONFIRM_TTL_S = 600
DEFAULT_SPOOL_DIR = ".local/data/spool"
can_read = require(CATALOG_READ)
can_write = require(CATALOG_WRITE)
can_import = require(CATALOG_IMPORT)


class SpoolSettings(ServiceSettings):
    spool_dir: Path = Path(DEFAULT_SPOOL_DIR)  # MUSEO_SPOOL_DIR


class ParseBody(BaseModel):
    text: str = Field(min_length=1, max_length=2000)
    language: str | None = Field(default=None, max_length=8)


class ParseOut(ParseReply):
    confirmation_token: str | None = None  # present only when nothing is missing
    expires_in: int | None = None


class ConfirmBody(BaseModel):
    token: str = Field(min_length=10, max_length=100_000)


def topic(gw: GatewayState) -> str:
    """The admin request topic (MUSEO_ADMIN_TOPIC; tests point it at their own worker)."""
    return gw.settings.admin_topic


async def _upsert(gw: GatewayState, product: Product, mode: str, who: Principal) -> ProductReply:
    req = UpsertProduct(product=product, mode=mode, actor=who.subject)  # type: ignore[arg-type]
    return await gw.rpc.request(topic(gw), req, ProductReply, key=product.id)


async def _delete(gw: GatewayState, product_id: str, who: Principal) -> DeleteReply:
    req = DeleteProduct(product_id=product_id, actor=who.subject)
    return await gw.rpc.request(topic(gw), req, DeleteReply, key=product_id)


def to_confirm(reply: ParseReply, who: Principal) -> dict[str, Any] | None:
    """What a confirmation token will carry for this parse (None: nothing to confirm yet).
    A bulk change carries its exact list (without titles), so only what was shown is applied."""
    if reply.missing:
        return None
    if reply.bulk is not None:
        changes = [c.model_dump(mode="json", exclude={"title"}) for c in reply.bulk.changes]
        return {"sub": who.subject, "bulk": changes}
    if reply.operation is not None:
        return {"sub": who.subject, "op": reply.operation.model_dump(mode="json")}
    return None


class ConfirmError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


async def apply_confirmed(gw: GatewayState, auth: Any, token: str, who: Principal) -> Any:
    """Apply what a confirmation token carries, for the client it was issued to."""
    try:
        payload = auth.verify_confirmation(token)
        if "bulk" in payload:
            changes = [PriceChange.model_validate(c) for c in payload["bulk"]]
            op = None
        else:
            op = PendingOperation.model_validate(payload["op"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfirmError(400, "invalid_confirmation", str(exc) or "bad token") from exc
    if payload.get("sub") != who.subject:
        raise ConfirmError(403, "forbidden", "the command was parsed for another client")
    if op is None:
        req = ApplyPriceChanges(changes=changes, actor=who.subject)
        return await gw.rpc.request(topic(gw), req, PriceChangesReply)
    if op.action == "delete":
        return await _delete(gw, op.product_id, who)
    if op.product is None:
        raise ConfirmError(400, "invalid_confirmation", "the confirmed operation has no product")
    return await _upsert(gw, op.product, op.action, who)


@router.post("/products", status_code=201, response_model=ProductReply, summary="Create")
async def create_product(
    product: Product,
    gw: GatewayState = Depends(state),
    who: Principal = Depends(can_write),
) -> ProductReply:
    return await _upsert(gw, product, "create", who)


@router.put("/products/{product_id}", response_model=ProductReply, summary="Update a product")
async def update_product(
    product_id: str,
    product: Product,
    gw: GatewayState = Depends(state),
    who: Principal = Depends(can_write),
) -> Any:
    if product.id != product_id:
        return problem(400, "bad_request", "the product id in the body differs from the URL")
    return await _upsert(gw, product, "update", who)


@router.delete("/products/{product_id}", response_model=DeleteReply, summary="Delete a product")
async def delete_product(
    product_id: str,
    gw: GatewayState = Depends(state),
    who: Principal = Depends(can_write),
) -> DeleteReply:
    return await _delete(gw, product_id, who)


@router.get("/products", response_model=ProductList, summary="List products")
async def list_products(
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=500),
    gw: GatewayState = Depends(state),
    _: Principal = Depends(can_read),
) -> ProductList:
    req = ListProducts(offset=offset, limit=limit)
    return await gw.rpc.request(topic(gw), req, ProductList)


@router.get("/products/{product_id}", response_model=Product, summary="Get by id/handle/SKU")
async def get_product(
    product_id: str,
    gw: GatewayState = Depends(state),
    _: Principal = Depends(can_read),
) -> Any:
    req = GetProduct(product_id=product_id)
    reply = await gw.rpc.request(topic(gw), req, ProductReply, key=product_id)
    if reply.product is None:
        return problem(404, "not_found", f"product {product_id} not found")
    return reply.product


@router.post("/products/parse", response_model=ParseOut, summary="Parse a product command")
async def parse_command(
    body: ParseBody,
    request: Request,
    gw: GatewayState = Depends(state),
    who: Principal = Depends(can_write),
) -> ParseOut:
    """Nothing is written: the reply shows the draft and, when complete, a confirmation token."""
    req = ParseProduct(text=body.text, language=body.language)
    reply = await gw.rpc.request(topic(gw), req, ParseReply)
    out = ParseOut(**reply.model_dump())
    if (payload := to_confirm(reply, who)) is not None:
        out.confirmation_token = get_auth(request).sign_confirmation(payload, CONFIRM_TTL_S)
        out.expires_in = CONFIRM_TTL_S
    return out


@router.post("/products/confirm", summary="Apply a parsed command (its confirmation token)")
async def confirm_command(
    body: ConfirmBody,
    request: Request,
    gw: GatewayState = Depends(state),
    who: Principal = Depends(can_write),
) -> Any:
    try:
        return await apply_confirmed(gw, get_auth(request), body.token, who)
    except ConfirmError as exc:
        return problem(exc.status, exc.code, exc.message)


def _safe_name(filename: str | None) -> str:
    name = Path(filename or "upload").name
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[-100:] or "upload"


def _spool(source: BinaryIO, target: Path) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as fh:
        shutil.copyfileobj(source, fh, 1 << 20)
        return fh.tell()


@router.post("/imports", status_code=202, response_model=ImportJobStatus, summary="Import file")
async def start_import(
    file: UploadFile = File(..., description="CSV, XLSX, JSON or JSONL"),
    shop_currency: str = Query("GBP", min_length=3, max_length=3),
    gw: GatewayState = Depends(state),
    who: Principal = Depends(can_import),
) -> Any:
    name = _safe_name(file.filename)
    relative = f"{uuid.uuid4().hex}-{name}"
    target = SpoolSettings().spool_dir / relative
    size = await asyncio.to_thread(_spool, file.file, target)
    if size == 0:
        target.unlink(missing_ok=True)
        return problem(400, "bad_request", "the uploaded file is empty")
    req = StartImport(
        path=relative, source_name=name, shop_currency=shop_currency.upper(), actor=who.subject
    )
    try:
        return await gw.rpc.request(topic(gw), req, ImportJobStatus)
    except Exception:
        target.unlink(missing_ok=True)
        raise


@router.get("/imports/{job_id}", response_model=ImportJobStatus, summary="Import job status")
async def import_status(
    job_id: str,
    gw: GatewayState = Depends(state),
    _: Principal = Depends(can_import),
) -> ImportJobStatus:
    return await gw.rpc.request(topic(gw), ImportStatus(job_id=job_id), ImportJobStatus)
