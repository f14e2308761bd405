"""`museo admin import FILE` against a real gateway: uploads, follows the job, prints the report."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from clients.cli.admin import admin_app
from tests.integration import test_admin_support as support
from tests.integration.test_admin_support import FIXTURES, AdminStack

admin_stack = support.admin_stack  # the shared module fixture
pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_cli_import_prints_bad_rows(admin_stack: AdminStack) -> None:
    c = admin_stack.clients["importer"]
    args = [
        "import",
        str(FIXTURES / "bad_prices.csv"),
        "--gateway",
        admin_stack.base_url,
        "--client-id",
        c.client_id,
        "--client-secret",
        c.secret,
        "--poll",
        "0.1",
    ]
    result = await asyncio.to_thread(CliRunner().invoke, admin_app, args)
    assert result.exit_code == 0, result.output
    assert "done" in result.output and "2 products ok" in result.output
    assert "not a price: 'abc'" in result.output and "duplicate SKU" in result.output
    assert c.secret not in result.output


async def test_cli_token_and_bad_secret(admin_stack: AdminStack) -> None:
    c = admin_stack.clients["reader"]
    base = ["--gateway", admin_stack.base_url, "--client-id", c.client_id]
    ok = await asyncio.to_thread(
        CliRunner().invoke, admin_app, ["token", *base, "--client-secret", c.secret]
    )
    bad = await asyncio.to_thread(
        CliRunner().invoke, admin_app, ["token", *base, "--client-secret", "wrong"]
    )
    assert ok.exit_code == 0 and ok.output.count(".") == 2  # a JWT
    assert bad.exit_code == 1 and "401" in bad.output and "invalid_client" in bad.output
