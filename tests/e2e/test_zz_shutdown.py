"""Runs last (file order): Ctrl-C on the launcher stops every process it started."""

from __future__ import annotations

import os
import signal

from tests.e2e.conftest import System


def test_ctrl_c_stops_every_process(system: System) -> None:
    assert system.proc is not None
    children = _descendants(system.proc.pid)
    assert children, "the launcher should have started services"
    system.proc.send_signal(signal.SIGINT)
    assert system.proc.wait(timeout=60) == 0
    still = [pid for pid in children if _alive(pid)]
    assert still == [], f"orphans left running: {still}"


def _descendants(pid: int) -> list[int]:
    """Processes whose session is the launcher's children (they run in their own sessions)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # ppid
            out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_services_do_not_outlive_a_killed_launcher() -> None:
    """Even SIGKILL (no chance to clean up) leaves no orphan: children die with their parent."""
    import time

    from deploy.local.system import start_system

    killed = start_system(timeout=240)
    assert killed.proc is not None
    children = _descendants(killed.proc.pid)
    assert children
    os.killpg(killed.proc.pid, signal.SIGKILL)  # the launcher only: children have own sessions
    killed.proc.wait(timeout=10)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(p) for p in children):
        time.sleep(0.2)
    assert [p for p in children if _alive(p)] == []
