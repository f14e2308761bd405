"""One way to read configuration: pydantic-settings. No module of services/ or libs/ reads
`os.environ` / `os.getenv` itself, except the allow-listed places below, each with its reason.
(deploy/ scripts and tests may read the environment directly.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV_NAMES = {"environ", "environb", "getenv", "getenvb"}

#: (file, enclosing function) -> why a raw read is right there.
ALLOWED = {
    ("services/mcp_workers/settings.py", "server_specs"):
        "builds a stdio MCP server's environment: the worker passes its own environment through "
        "to the child process, which reads its own settings",
}  # fmt: skip


class _EnvReads(ast.NodeVisitor):
    """Collects (enclosing function, line) of every use of os.environ/os.getenv, however the
    os module or the name was imported."""

    def __init__(self) -> None:
        self.os_names: set[str] = set()  # names bound to the os module (import os as o)
        self.env_names: set[str] = set()  # names bound to os.environ/getenv (from os import ..)
        self.scope: list[str] = []
        self.found: list[tuple[str, int]] = []

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function  # noqa: N815

    def visit_Import(self, node: ast.Import) -> None:
        self.os_names |= {a.asname or a.name for a in node.names if a.name == "os"}

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module == "os":
            for alias in node.names:
                if alias.name in ENV_NAMES:
                    self.env_names.add(alias.asname or alias.name)
                    self._hit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        value = node.value
        if isinstance(value, ast.Name) and value.id in self.os_names and node.attr in ENV_NAMES:
            self._hit(node)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in self.env_names:
            self._hit(node)

    def _hit(self, node: ast.AST) -> None:
        self.found.append((".".join(self.scope) or "<module>", getattr(node, "lineno", 0)))


def env_reads(source: str) -> list[tuple[str, int]]:
    reads = _EnvReads()
    reads.visit(ast.parse(source))
    return reads.found


def raw_reads() -> list[tuple[str, str, int]]:
    found = []
    for top in ("services", "libs"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            found += [(rel, scope, line) for scope, line in env_reads(path.read_text())]
    return found


def test_services_and_libs_read_the_environment_only_through_settings() -> None:
    offenders = [f"{path}:{line} in {scope}" for path, scope, line in raw_reads()
                 if (path, scope) not in ALLOWED]
    assert offenders == [], "read it through a pydantic-settings class instead"


def test_every_allowed_read_still_exists() -> None:
    """A stale allow-list entry would silently allow a future read in that function."""
    seen = {(path, scope) for path, scope, _ in raw_reads()}
    assert set(ALLOWED) <= seen


@pytest.mark.parametrize("source", [
    "import os\nX = os.environ.get('A')\n",
    "import os\ndef f():\n    return os.getenv('A')\n",
    "import os as o\ndef f():\n    return dict(o.environ)\n",
    "from os import environ\n",
    "from os import getenv as g\ndef f():\n    return g('A')\n",
])  # fmt: skip
def test_the_rule_catches_every_spelling(source: str) -> None:
    assert env_reads(source)


def test_the_rule_leaves_other_os_calls_and_settings_alone() -> None:
    source = "import os\nfrom pydantic_settings import BaseSettings\nos.replace('a', 'b')\n"
    assert env_reads(source) == []
