"""Go tools built from the Go module proxy into the cache folder, once: promtool (alert rule
tests), Jaeger v2 (a trace backend for `make run TRACING=1`) and kustomize (renders deploy/k8s
for its tests where kubectl is not installed).

No prebuilt binaries can be downloaded on these machines, but the Go module proxy is reachable,
so each tool is built from its pinned module version with the local Go toolchain and cached
beside the Kafka jars (`MUSEO_CACHE_DIR`, default `.local/`): a second run finds it and skips.
The build runs under `nice` (it is CPU-heavy and the machine is shared).

    python -m deploy.local.tools promtool|jaeger|kustomize    # prints the binary's path
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from deploy.local.infra import InfraConfig, log


@dataclass(frozen=True)
class GoTool:
    name: str
    package: str
    version: str
    how: str  # "install": `go install pkg@v`; "tool": `go get -tool` in a scratch module + build
    minutes: str  # a rough build time on a 2-core machine, shown before a long build

    def path(self, cfg: InfraConfig) -> Path:
        return cfg.cache_dir / "tools" / f"{self.name}-{self.version}" / self.name


PROMTOOL = GoTool("promtool", "github.com/prometheus/prometheus/cmd/promtool", "v0.316.0",
                  "install", "5-10")
JAEGER = GoTool("jaeger", "github.com/jaegertracing/jaeger/cmd/jaeger", "v1.76.0", "tool",
                "10-20")
# Renders deploy/k8s where kubectl (which embeds kustomize) is not installed.
KUSTOMIZE = GoTool("kustomize", "sigs.k8s.io/kustomize/kustomize/v5", "v5.5.0", "install", "2-5")
TOOLS = {t.name: t for t in (PROMTOOL, JAEGER, KUSTOMIZE)}


def _go() -> str:
    go = shutil.which("go") or ("/usr/local/go/bin/go" if Path("/usr/local/go/bin/go").exists()
                                else None)
    if go is None:
        raise SystemExit("building Go tools needs the Go toolchain (go 1.24 or later) on PATH")
    return go


def ensure(tool: GoTool, cfg: InfraConfig | None = None) -> Path:
    """The tool's binary, built first if the cache lacks it."""
    cfg = cfg or InfraConfig()
    target = tool.path(cfg)
    if target.exists():
        return target
    go = _go()
    work = target.parent.with_name(target.parent.name + ".build")
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GOBIN": str(work / "bin")}
    nice = ["nice", "-n", "19"] if shutil.which("nice") else []
    log(f"building {tool.name} {tool.version} from the Go module proxy into {target.parent} "
        f"(about {tool.minutes} min on 2 cores; once) ...")
    started = time.monotonic()
    if tool.how == "install":
        subprocess.run([*nice, go, "install", f"{tool.package}@{tool.version}"], env=env,
                       check=True)
        built = work / "bin" / tool.name
    else:
        if not (work / "go.mod").exists():
            subprocess.run([go, "mod", "init", f"museo.local/{tool.name}-build"], cwd=work,
                           env=env, check=True, capture_output=True)
        subprocess.run([*nice, go, "get", "-tool", f"{tool.package}@{tool.version}"], cwd=work,
                       env=env, check=True)
        built = work / tool.name
        subprocess.run([*nice, go, "build", "-o", str(built), tool.package], cwd=work, env=env,
                       check=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(built, target)  # whole or absent: an interrupted build leaves no half binary
    shutil.rmtree(work, ignore_errors=True)
    log(f"built {target} in {time.monotonic() - started:.0f}s")
    return target


def main(argv: list[str]) -> int:
    names = argv[1:] or ["promtool"]
    unknown = [n for n in names if n not in TOOLS]
    if unknown:
        print(f"usage: python -m deploy.local.tools {'|'.join(TOOLS)}", file=sys.stderr)
        return 2
    for name in names:
        print(ensure(TOOLS[name]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
