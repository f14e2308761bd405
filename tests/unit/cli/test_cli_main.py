from __future__ import annotations

import socket

from typer.testing import CliRunner

from clients.cli.main import app


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_gateway_is_a_readable_error_and_exit_2() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    result = CliRunner().invoke(app, ["markets", "resolve", "--phone", "+33612345678", "-g", url])
    assert result.exit_code == 2
    assert "cannot reach the gateway" in result.output
    assert "make run" in result.output


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "markets" in result.output and "health" in result.output
