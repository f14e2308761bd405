"""Node 20 for the docs' JavaScript snippets: it has no global WebSocket (Node 22 has), so the
`ws` package, pinned, is installed once with npm into the cache folder (never committed)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

WS_VERSION = "8.18.3"


def node_dir(env: dict[str, str]) -> Path:
    """A folder whose node_modules holds ws@WS_VERSION; a script placed here imports it."""
    cache = Path(env.get("MUSEO_CACHE_DIR") or Path(__file__).resolve().parents[2] / ".local")
    folder = cache / "node" / f"ws-{WS_VERSION}"
    if not (folder / "node_modules" / "ws" / "package.json").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(folder), f"ws@{WS_VERSION}",
                        "--no-audit", "--no-fund", "--no-save"],
                       check=True, capture_output=True, timeout=300)
    return folder


def script(env: dict[str, str], body: str) -> Path:
    """The snippet as an ES module file next to that node_modules."""
    folder = node_dir(env)
    path = folder / f"snippet-{hashlib.sha256(body.encode()).hexdigest()[:12]}.mjs"
    path.write_text(body, encoding="utf-8")
    return path


def node_env(env: dict[str, str]) -> dict[str, str]:
    return {**env, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
