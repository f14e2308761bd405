"""Layout rules of DESIGN.md: a service imports only itself and libs/; libs/ imports no service."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "__init__.py").exists())


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service: str) -> None:
    offenders = []
    for path in (ROOT / "services" / service).rglob("*.py"):
        for module in imported_modules(path):
            parts = module.split(".")
            if parts[0] == "services" and len(parts) > 1 and parts[1] != service:
                offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_libs_import_no_service() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "libs").rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] == "services"
    ]
    assert offenders == []


def test_the_rule_catches_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from services.markets.domain import resolve_market\n")
    assert imported_modules(bad) == ["services.markets.domain"]
