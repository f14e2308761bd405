"""Keeps the launcher's processes alive: a child that dies is restarted after a backoff.

Why a supervisor and not "any death stops everything": a single crashed worker used to take the
whole system down (and with it the gateway, which then refused every request) until someone
restarted it by hand. Now a death is logged, counted and repaired; the system only gives up when
one child keeps crashing (`RestartPolicy.max_crashes` deaths inside `window` seconds), and then it
says which child and why.

Plain logic with an injectable clock, so unit tests drive it without real time. Children are
(re)started only from the thread that calls `poll()` - the launcher's main thread - because
`PR_SET_PDEATHSIG` (children die with the launcher) is tied to the thread that forked them.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge

Starter = Callable[[], "subprocess.Popen[bytes]"]


@dataclass(frozen=True)
class RestartPolicy:
    """Exponential backoff from `base_delay` up to `max_delay`; crash loop past the limit."""

    base_delay: float = 0.5
    max_delay: float = 10.0
    max_crashes: int = 5
    window: float = 120.0

    def delay(self, recent_crashes: int) -> float:
        """Wait before the n-th restart within the window: 0.5 s, 1 s, 2 s, ... capped."""
        return float(min(self.base_delay * 2 ** max(recent_crashes - 1, 0), self.max_delay))

    @classmethod
    def from_env(cls) -> RestartPolicy:
        env = os.environ
        return cls(
            base_delay=float(env.get("MUSEO_RESTART_BASE_DELAY", cls.base_delay)),
            max_delay=float(env.get("MUSEO_RESTART_MAX_DELAY", cls.max_delay)),
            max_crashes=int(env.get("MUSEO_RESTART_MAX_CRASHES", cls.max_crashes)),
            window=float(env.get("MUSEO_RESTART_WINDOW", cls.window)),
        )


def die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the launcher dies, even by SIGKILL, so no
    service, broker or Redis outlives it (Linux prctl PR_SET_PDEATHSIG; elsewhere a no-op)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
    except OSError:
        pass


def become_subreaper() -> bool:
    """Make this process the reaper of its descendants' orphans (Linux PR_SET_CHILD_SUBREAPER),
    so what a SIGKILLed service had started (mcp_workers' MCP servers run in sessions of their
    own) is re-parented here and can be found and stopped, instead of living on under init."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        return int(libc.prctl(36, 1)) == 0  # PR_SET_CHILD_SUBREAPER = 36
    except OSError:
        return False


def child_pids(parent: int) -> list[int]:
    """Pids whose parent is `parent`, from /proc (empty where there is no /proc)."""
    out = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            out.append(int(entry))
    return out


def popen_starter(command: Callable[[], list[str]], env: dict[str, str] | None,
                  log_path: Path) -> Starter:
    """A start function for `Supervisor.add`: own session (its group is signalled as one),
    output appended to `log_path`, dies with the launcher."""

    def start() -> subprocess.Popen[bytes]:
        out = open(log_path, "ab")  # noqa: SIM115 - the child holds its own copy
        try:
            return subprocess.Popen(
                command(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})}, start_new_session=True,
                preexec_fn=die_with_parent,
            )
        finally:
            out.close()

    return start


class CrashLoop(RuntimeError):
    """A child died more often than the policy allows: the system stops and says so."""


class SupervisorMetrics:
    """The launcher's own Prometheus registry (served on its health port, not a service's)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.deaths = Counter("museo_launcher_deaths_total", "Unexpected exits of a child process",
                              ["service"], registry=self.registry)
        self.restarts = Counter("museo_launcher_restarts_total", "Restarts of a child process",
                                ["service"], registry=self.registry)
        self.up = Gauge("museo_launcher_process_up", "1 while the child process runs",
                        ["service"], registry=self.registry)
        self.ready = Gauge("museo_launcher_service_ready", "1 while the child answers its health "
                           "check", ["service"], registry=self.registry)


def describe_exit(code: int | None) -> str:
    """`-9` -> "killed by SIGKILL"; a person reads signal names, not negative numbers."""
    if code is None:
        return "running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


@dataclass
class Child:
    name: str
    start: Starter
    proc: subprocess.Popen[bytes]
    started_at: float
    crashes: deque[float] = field(default_factory=deque)
    restart_at: float | None = None
    restarts: int = 0
    last_exit: int | None = None


class Supervisor:
    def __init__(self, policy: RestartPolicy, metrics: SupervisorMetrics,
                 log: Callable[[str], None], clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self.metrics = metrics
        self.log = log
        self.clock = clock
        self.children: dict[str, Child] = {}

    def add(self, name: str, start: Starter) -> subprocess.Popen[bytes]:
        proc = start()
        self.children[name] = Child(name, start, proc, self.clock())
        self.metrics.up.labels(name).set(1)
        self.metrics.deaths.labels(name)  # exported at 0 from the start, so rate() works
        self.metrics.restarts.labels(name)
        return proc

    def procs(self) -> list[tuple[str, subprocess.Popen[bytes]]]:
        return [(c.name, c.proc) for c in self.children.values()]

    def running(self, name: str) -> bool:
        child = self.children.get(name)
        return child is not None and child.restart_at is None and child.proc.poll() is None

    def poll(self) -> list[str]:
        """Notice deaths, schedule restarts, restart what is due; raise `CrashLoop` past the
        limit. Returns the children whose state changed. Call it often (the launcher: 0.3 s)."""
        now = self.clock()
        changed = []
        for child in self.children.values():
            if child.restart_at is None and child.proc.poll() is not None:
                self._died(child, now)
                changed.append(child.name)
            elif child.restart_at is not None and now >= child.restart_at:
                self._restart(child, now)
                changed.append(child.name)
        return changed

    def reap_orphans(self, keep: Collection[int] = ()) -> list[int]:
        """SIGKILL and reap processes re-parented to us (see `become_subreaper`) that are not a
        supervised child nor in `keep`: the leftovers of a child that died."""
        known = {c.proc.pid for c in self.children.values()} | set(keep)
        reaped = []
        for pid in child_pids(os.getpid()):
            if pid in known:
                continue
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                continue
            reaped.append(pid)
        if reaped:
            self.log(f"stopped {len(reaped)} orphaned process(es) left by a dead child: {reaped}")
        return reaped

    def _died(self, child: Child, now: float) -> None:
        child.last_exit = child.proc.returncode
        child.crashes.append(now)
        while child.crashes and now - child.crashes[0] > self.policy.window:
            child.crashes.popleft()
        self.metrics.deaths.labels(child.name).inc()
        self.metrics.up.labels(child.name).set(0)
        self.metrics.ready.labels(child.name).set(0)
        how = describe_exit(child.last_exit)
        recent = len(child.crashes)
        if recent >= self.policy.max_crashes:
            raise CrashLoop(
                f"{child.name} {how} and has died {recent} times in "
                f"{self.policy.window:.0f}s (limit {self.policy.max_crashes}): giving up"
            )
        delay = self.policy.delay(recent)
        child.restart_at = now + delay
        self.log(f"{child.name} {how} after {now - child.started_at:.1f}s up; "
                 f"restarting in {delay:.1f}s ({recent} of {self.policy.max_crashes} "
                 f"allowed deaths in {self.policy.window:.0f}s)")

    def _restart(self, child: Child, now: float) -> None:
        child.proc = child.start()
        child.started_at = now
        child.restart_at = None
        child.restarts += 1
        self.metrics.restarts.labels(child.name).inc()
        self.metrics.up.labels(child.name).set(1)
        self.log(f"restarted {child.name} (pid {child.proc.pid}, restart #{child.restarts})")
