"""Paths come from settings (MUSEO_DATA_DIR) or from the repository's place, never absolute."""

from __future__ import annotations

from pathlib import Path

import pytest

from libs.catalog.demo import DEFAULT_CSV, SHARED_DATA
from libs.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[3]


def test_data_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MUSEO_DATA_DIR", str(tmp_path))
    assert ServiceSettings().data_dir == tmp_path
    monkeypatch.delenv("MUSEO_DATA_DIR")
    assert ServiceSettings().data_dir == ROOT / ".local" / "data"


def test_the_shared_data_is_found_next_to_the_repository() -> None:
    assert ROOT.parent / "shared" / "data" == SHARED_DATA
    assert DEFAULT_CSV.parent == SHARED_DATA
