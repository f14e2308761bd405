"""Import results and job status, shaped for the admin tools and the web admin page."""

from __future__ import annotations

import time
import uuid
from typing import Literal

from pydantic import BaseModel, Field

MAX_ERRORS = 1000


class RowError(BaseModel):
    """One problem: `row` is 1-based as a spreadsheet shows it (header = 1; 0 = whole file)."""

    row: int
    field: str
    reason: str


class ImportProgress(BaseModel):
    rows_done: int
    bytes_read: int
    bytes_total: int

    @property
    def fraction(self) -> float:
        return min(1.0, self.bytes_read / self.bytes_total) if self.bytes_total else 0.0


class ImportReport(BaseModel):
    """Counts plus the first MAX_ERRORS errors; `errors_total` counts all of them."""

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

    def add_error(self, row: int, field: str, reason: str) -> None:
        self.errors_total += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row=row, field=field, reason=reason))

    @property
    def errors_truncated(self) -> bool:
        return self.errors_total > len(self.errors)


class ImportJob(BaseModel):
    job_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    source: str = ""
    state: Literal["queued", "running", "done", "failed"] = "queued"
    progress: float = Field(default=0.0, ge=0.0, le=1.0)
    report: ImportReport | None = None
    error: str | None = None
    created_at: float = Field(default_factory=time.time)
    finished_at: float | None = None
