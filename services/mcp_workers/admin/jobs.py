"""Import jobs in the background: the streaming importer in a thread, writes on the event loop.

The importer (`run_import_job`) is synchronous and reads the file row by row; changed products
cross to the loop through a bounded queue (back-pressure keeps memory flat for any file size)
and are written to Kafka in pipelined batches. Status lives in Redis under `import:{job_id}`
(JSON of `ImportJobStatus`), refreshed twice a second while the job runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path

from redis.asyncio import Redis

from libs.contracts.admin import IMPORT_KEY_PREFIX, ImportJobStatus, StartImport
from libs.contracts.catalog import Product
from libs.messaging.errors import HandlerError
from services.mcp_workers.admin.catalog_writer import CatalogView, CatalogWriter
from services.mcp_workers.admin.importer import ImportOptions, run_import_job
from services.mcp_workers.admin.models import ImportJob

log = logging.getLogger(__name__)
STATUS_TTL_S = 7 * 24 * 3600
BATCH = 500


def to_status(job: ImportJob, source: str) -> ImportJobStatus:
    status = ImportJobStatus.model_validate(job.model_dump(mode="json"))
    if source:
        status.source = source
        if status.report is not None:
            status.report.source = source
    return status


class ImportRunner:
    def __init__(self, writer: CatalogWriter, redis: Redis, spool_dir: Path) -> None:
        self.writer, self.redis, self.spool_dir = writer, redis, spool_dir
        self._tasks: set[asyncio.Task[None]] = set()

    def resolve(self, relative: str) -> Path:
        """The spooled file, refusing anything outside the spool directory."""
        root = self.spool_dir.resolve()
        path = (root / relative).resolve()
        if Path(relative).is_absolute() or not path.is_relative_to(root) or path == root:
            raise HandlerError("bad_request", "import path must be a file in the spool directory")
        if not path.is_file():
            raise HandlerError("not_found", f"spooled file {relative!r} not found")
        return path

    async def start(self, request: StartImport) -> ImportJobStatus:
        path = self.resolve(request.path)
        job = ImportJob(source=request.source_name or path.name)
        status = to_status(job, request.source_name)
        await self._save(status)
        task = asyncio.create_task(self._run(job, path, request), name=f"import-{job.job_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        log.info("import %s queued (%s) by %s", job.job_id, job.source, request.actor or "?")
        return status

    async def status(self, job_id: str) -> ImportJobStatus | None:
        raw = await self.redis.get(IMPORT_KEY_PREFIX + job_id)
        return ImportJobStatus.model_validate_json(raw) if raw else None

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _save(self, status: ImportJobStatus) -> None:
        key = IMPORT_KEY_PREFIX + status.job_id
        await self.redis.set(key, status.model_dump_json(), ex=STATUS_TTL_S)

    async def _run(self, job: ImportJob, path: Path, request: StartImport) -> None:
        loop = asyncio.get_running_loop()
        # Chunks of BATCH products cross from the importer thread to the loop: one hand-over
        # and one pipelined Kafka write per chunk (a bounded queue keeps memory flat).
        queue: asyncio.Queue[list[Product] | None] = asyncio.Queue(maxsize=4)
        pending: list[Product] = []
        latest: list[str] = [to_status(job, request.source_name).model_dump_json()]
        drain = asyncio.create_task(self._drain(queue))

        def hand_over() -> None:
            if drain.done():
                raise RuntimeError("writing to catalog.products failed")
            put = asyncio.wait_for(queue.put(pending.copy()), 60)
            asyncio.run_coroutine_threadsafe(put, loop).result()
            pending.clear()

        def on_changed(product: Product) -> None:  # in the importer thread
            pending.append(product)
            if len(pending) >= BATCH:
                hand_over()

        def import_all() -> None:
            run_import_job(
                job,
                path,
                CatalogView(self.writer.model),
                on_changed,
                options=options,
                on_update=on_update,
            )
            if pending:
                hand_over()

        def on_update(current: ImportJob) -> None:  # in the importer thread
            latest[0] = to_status(current, request.source_name).model_dump_json()

        ticker = asyncio.create_task(self._tick(job.job_id, latest))
        options = ImportOptions(shop_currency=request.shop_currency)
        try:
            await asyncio.to_thread(import_all)
            await queue.put(None)
            await drain
        except Exception as exc:  # the job must end in a final state
            log.exception("import %s failed", job.job_id)
            job.state, job.error, job.finished_at = "failed", f"{type(exc).__name__}", time.time()
        finally:
            for task in (ticker, drain):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if request.delete_after:
                path.unlink(missing_ok=True)
        await self._save(to_status(job, request.source_name))
        log.info("import %s %s", job.job_id, job.state)

    async def _drain(self, queue: asyncio.Queue[list[Product] | None]) -> None:
        while (batch := await queue.get()) is not None:
            await self.writer.put_many(batch)

    async def _tick(self, job_id: str, latest: list[str]) -> None:
        written = ""
        while True:
            if latest[0] != written:
                written = latest[0]
                await self.redis.set(IMPORT_KEY_PREFIX + job_id, written, ex=STATUS_TTL_S)
            await asyncio.sleep(0.5)
