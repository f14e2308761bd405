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
