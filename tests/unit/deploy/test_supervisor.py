"""The launcher's supervisor: deaths are restarted with backoff, counted, and a crash loop stops
the system with a reason. Driven by a fake clock and stand-in processes (no real time)."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import generate_latest

from deploy.local.supervisor import (
    CrashLoop,
    RestartPolicy,
    Supervisor,
    SupervisorMetrics,
    describe_exit,
)


class FakeProc:
    _next_pid = 1000

    def __init__(self) -> None:
        FakeProc._next_pid += 1
        self.pid = FakeProc._next_pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def make(policy: RestartPolicy | None = None) -> tuple[Supervisor, Clock, list[str], list[Any]]:
    clock, logs, started = Clock(), [], []

    def start() -> Any:
        started.append(FakeProc())
        return started[-1]

    sup = Supervisor(policy or RestartPolicy(), SupervisorMetrics(), logs.append, clock)
    sup.add("user_events", start)
    return sup, clock, logs, started


def metric(sup: Supervisor, line: str) -> float:
    for row in generate_latest(sup.metrics.registry).decode().splitlines():
        if row.startswith(line + " "):
            return float(row.split()[-1])
    raise AssertionError(f"{line} not exported")


def test_a_killed_child_is_restarted_after_the_backoff_and_counted() -> None:
    sup, clock, logs, started = make(RestartPolicy(base_delay=0.5))
    started[0].returncode = -9
    assert sup.poll() == ["user_events"]
    assert "killed by SIGKILL" in logs[-1] and "restarting in 0.5s" in logs[-1]
    assert not sup.running("user_events")
    clock.now += 0.4
    assert sup.poll() == [] and len(started) == 1, "restarted before its backoff"
    clock.now += 0.2
    assert sup.poll() == ["user_events"] and len(started) == 2
    assert sup.running("user_events") and sup.procs() == [("user_events", started[1])]
    assert metric(sup, 'museo_launcher_deaths_total{service="user_events"}') == 1
    assert metric(sup, 'museo_launcher_restarts_total{service="user_events"}') == 1
    assert metric(sup, 'museo_launcher_process_up{service="user_events"}') == 1
    assert "restart #1" in logs[-1]


def test_backoff_doubles_with_repeated_deaths_and_is_capped() -> None:
    policy = RestartPolicy(base_delay=0.5, max_delay=3.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_a_crash_loop_stops_with_the_name_and_the_reason() -> None:
    sup, clock, _logs, started = make(RestartPolicy(base_delay=1, max_crashes=3, window=60))
    for _ in range(2):
        started[-1].returncode = 1
        sup.poll()
        clock.now += 5
        sup.poll()
    started[-1].returncode = 1
    with pytest.raises(CrashLoop, match=r"user_events exited with code 1 and has died 3 times"):
        sup.poll()


def test_deaths_spread_wider_than_the_window_never_give_up() -> None:
    sup, clock, _logs, started = make(RestartPolicy(base_delay=1, max_crashes=3, window=60))
    for _ in range(10):
        started[-1].returncode = -9
        sup.poll()
        clock.now += 61
        sup.poll()
    assert len(started) == 11 and sup.running("user_events")


def test_exit_descriptions_name_the_signal() -> None:
    assert describe_exit(-9) == "killed by SIGKILL"
    assert describe_exit(-15) == "killed by SIGTERM"
    assert describe_exit(3) == "exited with code 3"


ORPHAN_SCRIPT = r"""
import os, subprocess, sys, time
from deploy.local.supervisor import (RestartPolicy, Supervisor, SupervisorMetrics,
                                     become_subreaper, popen_starter)
assert become_subreaper()
logs = []
sup = Supervisor(RestartPolicy(base_delay=60), SupervisorMetrics(), logs.append)
# a "service" that starts a helper in a session of its own, then dies abruptly
code = ("import subprocess, os; p = subprocess.Popen(['sleep', '300'], start_new_session=True);"
        "print(p.pid, flush=True); os._exit(9)")
log_path = sys.argv[1]
sup.add("svc", popen_starter(lambda: [sys.executable, "-c", code], None,
                             __import__("pathlib").Path(log_path)))
deadline = time.monotonic() + 20
while not sup.poll() and time.monotonic() < deadline:
    time.sleep(0.05)
helper = int(open(log_path).read().split()[0])
reaped = sup.reap_orphans()
alive = os.path.exists(f"/proc/{helper}")
print(f"helper={helper} reaped={reaped} alive={alive} log={logs[-1]}")
"""


def test_what_a_dead_child_left_running_is_stopped(tmp_path: Any) -> None:
    """Run in a process of its own: becoming a subreaper must not change the test runner."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", ORPHAN_SCRIPT, str(tmp_path / "svc.log")],
                         cwd=root, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    fields = dict(part.split("=", 1) for part in out.stdout.split(" ", 3))
    assert fields["reaped"] == f"[{fields['helper']}]"
    assert fields["alive"] == "False"
    assert "orphaned" in fields["log"]
