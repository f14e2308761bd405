"""The one dev-secret helper: the variable wins, else one file per secret under MUSEO_DATA_DIR."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from libs.dev_secrets import data_dir, dev_secret


def test_the_variable_wins_and_is_stripped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MUSEO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MUSEO_TEST_SECRET", "  s3cret \n")
    assert dev_secret("MUSEO_TEST_SECRET", "test.secret") == "s3cret"
    assert not (tmp_path / "test.secret").exists()


def test_unset_or_empty_means_one_file_created_once_under_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MUSEO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MUSEO_TEST_SECRET", "   ")
    assert data_dir() == tmp_path
    first = dev_secret("MUSEO_TEST_SECRET", "test.secret")
    monkeypatch.delenv("MUSEO_TEST_SECRET")
    assert dev_secret("MUSEO_TEST_SECRET", "test.secret") == first
    path = tmp_path / "test.secret"
    assert path.read_text().strip() == first and len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_without_the_file_fallback_a_missing_secret_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MUSEO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MUSEO_TEST_SECRET", raising=False)
    with pytest.raises(RuntimeError, match="MUSEO_TEST_SECRET is required"):
        dev_secret("MUSEO_TEST_SECRET", "test.secret", allow_file=False)


def test_an_empty_data_dir_variable_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSEO_DATA_DIR", "")
    assert data_dir() == Path(__file__).resolve().parents[3] / ".local" / "data"
