"""Import results and job status, shaped for the admin tools and the web admin page."""

from __future__ import annotations

import time
import uuid
from typing import Literal

from pydantic import BaseModel, Field

from libs.contracts.admin import ImportReport as ImportReportContract
from libs.contracts.admin import RowError

__all__ = ["ImportJob", "ImportProgress", "ImportReport", "RowError"]

MAX_ERRORS = 1000


class ImportProgress(BaseModel):
    rows_done: int
    bytes_read: int
    bytes_total: int

    @property
    def fraction(self) -> float:
        return min(1.0, self.bytes_read / self.bytes_total) if self.bytes_total else 0.0


class ImportReport(ImportReportContract):
    """The contract's report plus how the importer fills it; at most MAX_ERRORS are kept."""

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
