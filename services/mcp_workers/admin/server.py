"""Admin MCP server (official SDK, stdio): catalog writes and imports through the admin HTTP API.

    python -m services.mcp_workers.admin.server

Every tool calls the gateway with the server's own service account (see `api_client`), so the
gateway checks scopes exactly as for any other client. Writes from natural language are two
steps: `parse_product_command` shows the parsed product and returns a confirmation token;
`create_product` / `update_product` / `delete_product` apply it. A failed call is an error
result whose text starts with the HTTP status (e.g. "401 Unauthorized: ...").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from services.mcp_workers.admin.api_client import AdminApiClient, AdminApiError
from services.mcp_workers.admin.settings import AdminServerSettings

ADMIN = "/v1/admin"


def build_server(
    api: AdminApiClient | None = None, settings: AdminServerSettings | None = None
) -> MCPServer:
    """The server; without `api`, its client is built from `settings` on the first tool call."""
    server = MCPServer(
        name="museo-admin",
        instructions="Catalog administration for the Museo shop. Parse a command first, show "
        "the parsed product to the admin, and only apply it with the confirmation token.",
    )
    holder: dict[str, AdminApiClient] = {"api": api} if api else {}

    async def call(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        client = holder.get("api")
        if client is None:
            client = holder["api"] = AdminApiClient.from_settings(
                settings or AdminServerSettings())
        try:
            result = await client.call(method, path, **kwargs)
        except AdminApiError as exc:
            raise ToolError(str(exc)) from exc
        return result if isinstance(result, dict) else {"result": result}

    async def confirm(token: str) -> dict[str, Any]:
        return await call("POST", f"{ADMIN}/products/confirm", json={"token": token})

    @server.tool(
        description="Parse an admin command (en/es/fr), e.g. 'add a 50x70 cm poster of The "
        "Starry Night at 29.90 GBP in prints'. Writes nothing: returns the draft, what is "
        "missing, the product it would write and a confirmation_token for the next step.",
        structured_output=True,
    )
    async def parse_product_command(text: str, language: str | None = None) -> dict[str, Any]:
        body = {"text": text, **({"language": language} if language else {})}
        return await call("POST", f"{ADMIN}/products/parse", json=body)

    @server.tool(
        description="Create the product shown by parse_product_command, after the admin said "
        "yes. Requires its confirmation_token.",
        structured_output=True,
    )
    async def create_product(confirmation_token: str) -> dict[str, Any]:
        return await confirm(confirmation_token)

    @server.tool(
        description="Update a product: either a confirmation_token from parse_product_command, "
        "or product_id plus the full product JSON.",
        structured_output=True,
    )
    async def update_product(
        confirmation_token: str | None = None,
        product_id: str | None = None,
        product: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if confirmation_token:
            return await confirm(confirmation_token)
        if not product_id or product is None:
            raise ToolError("give a confirmation_token, or product_id and product")
        return await call("PUT", f"{ADMIN}/products/{product_id}", json=product)

    @server.tool(
        description="Delete a product: a confirmation_token from parse_product_command, or a "
        "product id, handle or SKU.",
        structured_output=True,
    )
    async def delete_product(
        confirmation_token: str | None = None, product_id: str | None = None
    ) -> dict[str, Any]:
        if confirmation_token:
            return await confirm(confirmation_token)
        if not product_id:
            raise ToolError("give a confirmation_token or a product_id")
        return await call("DELETE", f"{ADMIN}/products/{product_id}")

    @server.tool(
        description="Import products from a CSV, XLSX, JSON or JSONL file on this machine. "
        "Starts a background job; poll import_status with the returned job_id.",
        structured_output=True,
    )
    async def import_products(path: str, shop_currency: str = "GBP") -> dict[str, Any]:
        file = Path(path).expanduser()
        if not file.is_file():
            raise ToolError(f"no such file: {path}")
        with file.open("rb") as fh:
            files = {"file": (file.name, fh)}
            params = {"shop_currency": shop_currency}
            return await call("POST", f"{ADMIN}/imports", files=files, params=params)

    @server.tool(
        description="Status of an import job: state, progress (0..1) and, when done, the "
        "report with every bad row (row number, field, reason).",
        structured_output=True,
    )
    async def import_status(job_id: str) -> dict[str, Any]:
        return await call("GET", f"{ADMIN}/imports/{job_id}")

    return server


def main() -> None:
    build_server(settings=AdminServerSettings()).run("stdio")


if __name__ == "__main__":
    main()
