"""MCP server (official SDK, stdio) exposing the intent analyser.

    python -m services.mcp_workers.intent.server      (or python -m services.mcp_workers.intent)

Tools: `analyze_intent(text, language_hint?, context?)` -> IntentResult as structured content;
`ping()` -> health. The LLM stage follows MUSEO_LLM_* env vars (off by default).
"""

from __future__ import annotations

from typing import Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel

from libs.contracts.intent import IntentRequest, IntentResult
from services.mcp_workers.intent.llm import provider_from_settings
from services.mcp_workers.intent.model import default_model
from services.mcp_workers.intent.pipeline import IntentAnalyzer
from services.mcp_workers.intent.settings import IntentSettings


class Health(BaseModel):
    status: str
    model_loaded: bool
    llm_enabled: bool


def build_server(
    analyzer: IntentAnalyzer | None = None, settings: IntentSettings | None = None
) -> MCPServer:
    """The MCP server; the analyser (and its model) is built on first use unless given."""
    server = MCPServer(
        name="museo-intent",
        instructions="Classifies shop chat messages (en/es/fr) into intents with entities.",
    )
    state: dict[str, IntentAnalyzer] = {}
    if analyzer is not None:
        state["analyzer"] = analyzer

    def get_analyzer() -> IntentAnalyzer:
        if "analyzer" not in state:
            state["analyzer"] = IntentAnalyzer(
                llm=provider_from_settings(settings or IntentSettings()))
        return state["analyzer"]

    @server.tool(
        description="Analyse one shopper/admin message: intent, confidence, entities, language. "
        "context may hold last_products (ids in display order), last_intent, last_entities; "
        "audience='admin' for a catalog admin (a shopper never gets an admin intent >= 0.8).",
        structured_output=True,
    )
    async def analyze_intent(
        text: str,
        language_hint: str | None = None,
        context: dict[str, Any] | None = None,
        audience: Literal["shopper", "admin"] = "shopper",
    ) -> IntentResult:
        request = IntentRequest(
            text=text, language_hint=language_hint, context=context, audience=audience
        )
        return await get_analyzer().analyze(request)

    @server.tool(description="Health check of the intent server.", structured_output=True)
    async def ping() -> Health:
        current = state.get("analyzer")
        return Health(
            status="ok", model_loaded=current is not None, llm_enabled=bool(current and current.llm)
        )

    return server


def main() -> None:
    # Load (or train) the model before serving: the supervisor reports the worker ready once
    # this server answers, so no shopper's first message waits for training.
    settings = IntentSettings()
    analyzer = IntentAnalyzer(model=default_model(settings.cache_dir),
                              llm=provider_from_settings(settings))
    build_server(analyzer, settings).run("stdio")


if __name__ == "__main__":
    main()
