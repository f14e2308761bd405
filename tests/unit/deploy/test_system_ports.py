"""A test system's ports come from below the ephemeral range, and a block is free as a whole."""

from __future__ import annotations

import socket

from deploy.local.system import METRICS_PORTS, PORT_RANGE, free_ports


def test_a_port_block_is_free_in_full_and_outside_the_ephemeral_range() -> None:
    base = free_ports(METRICS_PORTS)
    assert PORT_RANGE[0] <= base and base + METRICS_PORTS <= PORT_RANGE[1] <= 32768
    for port in range(base, base + METRICS_PORTS):
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))  # raises if any port of the block is taken
