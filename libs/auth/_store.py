"""Generic keyed record stores (in memory and JSON file) behind the account and API-key stores.

The JSON file is rewritten atomically (temp file + os.replace, mode 0600) and re-read when its
mtime changes, so a launcher or CLI can add an account while the gateway is running.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


class InMemoryRecordStore(Generic[M]):
    def __init__(self, key: Callable[[M], str]) -> None:
        self._key = key
        self._items: dict[str, M] = {}

    def get(self, key: str) -> M | None:
        return self._items.get(key)

    def put(self, record: M) -> None:
        self._items[self._key(record)] = record

    def delete(self, key: str) -> bool:
        return self._items.pop(key, None) is not None

    def list(self) -> list[M]:
        return list(self._items.values())


class JsonFileRecordStore(Generic[M]):
    def __init__(self, path: Path, model: type[M], key: Callable[[M], str]) -> None:
        self.path = Path(path)
        self._model = model
        self._key = key
        self._lock = threading.Lock()
        self._mtime: int | None = None
        self._items: dict[str, M] = {}

    def _load(self) -> dict[str, M]:
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            self._mtime, self._items = None, {}
            return self._items
        if mtime != self._mtime:
            raw = json.loads(self.path.read_text(encoding="utf-8") or "[]")
            records = [self._model.model_validate(r) for r in raw]
            self._items = {self._key(r): r for r in records}
            self._mtime = mtime
        return self._items

    def _save(self, items: dict[str, M]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps([r.model_dump(mode="json") for r in items.values()], indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(data)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._mtime = None  # force a re-read so the cache matches the file

    def get(self, key: str) -> M | None:
        with self._lock:
            return self._load().get(key)

    def put(self, record: M) -> None:
        with self._lock:
            items = dict(self._load())
            items[self._key(record)] = record
            self._save(items)

    def delete(self, key: str) -> bool:
        with self._lock:
            items = dict(self._load())
            found = items.pop(key, None) is not None
            if found:
                self._save(items)
            return found

    def list(self) -> list[M]:
        with self._lock:
            return list(self._load().values())
