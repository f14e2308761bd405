"""Streaming row sources for CSV, XLSX, JSON arrays and JSON Lines, with byte-level progress.

Every source yields `(row_number, {lowercased header: value})` one row at a time; nothing holds
the whole file. Row numbers are what a person sees: spreadsheet rows (header = 1, multi-line
cells count once) for CSV/XLSX, the 1-based item index for a JSON array, the line for JSONL.

Encoding (CSV/JSON): a UTF-16 BOM is honoured; otherwise the file is pre-scanned in 1 MiB
chunks with an incremental UTF-8 decoder (a cheap extra read, no memory). Valid UTF-8 (with or
without BOM) is read as `utf-8-sig`. If not, we fall back to Windows-1252 - what Excel on
Windows writes for en/es/fr text - and put a warning in the report, because a silent
mis-decode would corrupt titles. Bytes that are not even cp1252 make it a file-level error.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson  # type: ignore[import-untyped]

csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))

Row = tuple[int, dict[str, Any]]


class FileError(Exception):
    """The file as a whole cannot be read (format, encoding, header)."""


class CountingReader(io.RawIOBase):
    """Counts bytes pulled from the underlying binary file, for progress reporting."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._raw.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass
class Source:
    format: str
    rows: Iterator[Row]
    reader: CountingReader
    bytes_total: int
    header: list[str] | None = None
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def bytes_read(self) -> int:
        return min(self.reader.count, self.bytes_total)


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    by_ext = {
        ".csv": "csv",
        ".tsv": "csv",
        ".txt": "csv",
        ".xlsx": "xlsx",
        ".xlsm": "xlsx",
        ".json": "json",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
    }
    if suffix in by_ext:
        return by_ext[suffix]
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    stripped = head.lstrip(codecs.BOM_UTF8).lstrip()
    if stripped.startswith(b"["):
        return "json"
    return "jsonl" if stripped.startswith(b"{") else "csv"


def detect_encoding(path: Path) -> tuple[str, str | None]:
    """(encoding, warning or None); raises FileError for undecodable bytes."""
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", None
        fh.seek(0)
        for encoding in ("utf-8", "cp1252"):
            decoder = codecs.getincrementaldecoder(encoding)()
            fh.seek(0)
            try:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                if encoding == "cp1252":
                    raise FileError(
                        f"file is neither UTF-8 nor Windows-1252: {exc.reason}"
                    ) from exc
                continue
            if encoding == "utf-8":
                return "utf-8-sig", None
            return "cp1252", "file is not UTF-8; decoded as Windows-1252 - check accented text"
    raise FileError("unreachable")  # pragma: no cover


def _open(path: Path) -> tuple[CountingReader, int]:
    return CountingReader(path.open("rb")), path.stat().st_size


def open_source(path: Path, fmt: str | None = None, encoding: str | None = None) -> Source:
    path = Path(path)
    fmt = fmt or detect_format(path)
    if fmt == "xlsx":
        return _xlsx(path)
    warnings: list[str] = []
    if encoding is None:
        encoding, warning = detect_encoding(path)
        warnings += [warning] if warning else []
    reader, total = _open(path)
    text = io.TextIOWrapper(io.BufferedReader(reader, 1 << 16), encoding=encoding, newline="")
    if fmt == "csv":
        header, rows = _csv(text)
        return Source("csv", rows, reader, total, header, encoding, warnings)
    if fmt == "json":
        return Source("json", _json_array(text), reader, total, None, encoding, warnings)
    return Source("jsonl", _jsonl(text), reader, total, None, encoding, warnings)


def _csv(text: io.TextIOWrapper) -> tuple[list[str], Iterator[Row]]:
    sample = text.read(64 * 1024)
    text.seek(0)
    first_line = sample.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration as exc:
        raise FileError("file is empty") from exc
    keys = [h.lower() for h in header]

    def rows() -> Iterator[Row]:
        try:
            for number, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue
                row = dict(zip(keys, cells, strict=False))
                if len(cells) > len(keys) and any(c.strip() for c in cells[len(keys) :]):
                    row["__extra__"] = f"{len(cells)} cells for {len(keys)} columns"
                yield number, row
        finally:
            text.close()

    return header, rows()


def _xlsx(path: Path) -> Source:
    from openpyxl import load_workbook  # imported lazily: a slow import for CSV-only callers

    reader, total = _open(path)
    workbook = load_workbook(reader, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    first = next(it, None)
    if first is None:
        workbook.close()
        raise FileError("workbook's first sheet is empty")
    header = ["" if c is None else str(c).strip() for c in first]
    keys = [h.lower() for h in header]

    def rows() -> Iterator[Row]:
        try:
            for number, values in enumerate(it, start=2):
                if all(v is None or str(v).strip() == "" for v in values):
                    continue
                yield number, {k: _cell(v) for k, v in zip(keys, values, strict=False)}
        finally:
            workbook.close()
            reader.close()

    return Source("xlsx", rows(), reader, total, header, "xlsx")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class _Utf8Bytes:
    """ijson wants bytes; this re-encodes the already-decoded text (any source encoding)."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self._text = text

    def read(self, size: int = -1) -> bytes:
        return self._text.read(size).encode("utf-8")


def _json_array(text: io.TextIOWrapper) -> Iterator[Row]:
    """Items of a top-level JSON array, parsed incrementally by ijson (constant memory)."""
    number = 0
    try:
        utf8 = _Utf8Bytes(text)
        for number, item in enumerate(ijson.items(utf8, "item", use_float=False), start=1):
            yield number, item if isinstance(item, dict) else {"__invalid__": "not an object"}
    except ijson.JSONError as exc:
        raise FileError(f"invalid JSON after item {number}: {exc}") from exc
    finally:
        text.close()


def _jsonl(text: io.TextIOWrapper) -> Iterator[Row]:
    try:
        for number, line in enumerate(text, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, {"__invalid__": f"invalid JSON: {exc.msg}"}
                continue
            yield number, item if isinstance(item, dict) else {"__invalid__": "not an object"}
    finally:
        text.close()
