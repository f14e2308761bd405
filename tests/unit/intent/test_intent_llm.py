import json
from typing import Any

import httpx
import pytest

from services.mcp_workers.intent.llm import (
    AnthropicProvider,
    LLMAnswer,
    LLMProvider,
    MockProvider,
    OpenAIProvider,
    parse_answer,
    provider_from_settings,
)
from services.mcp_workers.intent.settings import IntentSettings

LLM_VARS = ("PROVIDER", "API_KEY", "MODEL", "BASE_URL", "TIMEOUT")

CANDIDATES = [("search_products", 0.4), ("recommendations", 0.35)]


def recorder(
    reply: dict[str, Any], seen: list[httpx.Request], status: int = 200
) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=reply)

    return httpx.MockTransport(handler)


async def test_openai_client_sends_chat_completion_and_parses_json() -> None:
    seen: list[httpx.Request] = []
    reply = {
        "choices": [
            {
                "message": {
                    "role": "assistant",
                    "content": '{"intent": "recommendations", "confidence": 0.8}',
                }
            }
        ]
    }
    provider = OpenAIProvider(
        "http://llm.local/v1/", "sk-test", "gpt-x", transport=recorder(reply, seen)
    )
    answer = await provider.classify("algo bonito para mi madre", "es", CANDIDATES)
    assert answer == LLMAnswer("recommendations", 0.8)
    request = seen[0]
    assert str(request.url) == "http://llm.local/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test"
    body = json.loads(request.content)
    assert body["model"] == "gpt-x" and body["temperature"] == 0
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "algo bonito para mi madre" in body["messages"][1]["content"]
    assert body["response_format"] == {"type": "json_object"}


async def test_anthropic_client_sends_messages_request_and_parses_text_blocks() -> None:
    seen: list[httpx.Request] = []
    reply = {
        "content": [
            {"type": "text", "text": 'Sure: {"intent": "product_question", "confidence": 1.7}'}
        ]
    }
    provider = AnthropicProvider(
        "http://llm.local", "ak", "claude-x", transport=recorder(reply, seen)
    )
    answer = await provider.classify("is the candle vegan?", "en", CANDIDATES)
    assert answer == LLMAnswer("product_question", 1.0)  # clamped
    request = seen[0]
    assert str(request.url) == "http://llm.local/v1/messages"
    assert request.headers["x-api-key"] == "ak"
    assert request.headers["anthropic-version"] == "2023-06-01"
    body = json.loads(request.content)
    assert body["model"] == "claude-x" and "system" in body and body["max_tokens"] > 0
    assert body["messages"][0]["role"] == "user"


@pytest.mark.parametrize("status", [401, 500])
async def test_http_errors_yield_none(status: int) -> None:
    provider = OpenAIProvider(
        "http://llm.local/v1", "k", "m", transport=recorder({"error": "x"}, [], status)
    )
    assert await provider.classify("hi", "en", CANDIDATES) is None


async def test_timeouts_and_malformed_bodies_yield_none() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    slow = AnthropicProvider("http://llm.local", "k", "m", transport=httpx.MockTransport(boom))
    assert await slow.classify("hi", "en", CANDIDATES) is None
    odd = OpenAIProvider("http://llm.local/v1", "k", "m", transport=recorder({"choices": []}, []))
    assert await odd.classify("hi", "en", CANDIDATES) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [('{"intent": "checkout"}', LLMAnswer("checkout", 0.7)),
     ('```json\n{"intent": "HELP", "confidence": "0.9"}\n```', LLMAnswer("help", 0.9)),
     ('{"intent": "buy_a_house", "confidence": 0.9}', None), ("no json here", None),
     ('{"intent": ', None), ("[1, 2]", None), (None, None),
     ('{"intent": "greeting", "confidence": "high"}', LLMAnswer("greeting", 0.7))],
)  # fmt: skip
def test_parse_answer_is_defensive(raw: str | None, expected: LLMAnswer | None) -> None:
    assert parse_answer(raw) == expected


async def test_mock_provider_is_deterministic() -> None:
    mock = MockProvider({"¿Algo bonito?": "recommendations"})
    assert await mock.classify("algo bonito", "es", CANDIDATES) == LLMAnswer(
        "recommendations", 0.85
    )
    assert await mock.classify("xyz", "en", CANDIDATES) == LLMAnswer("search_products", 0.85)
    assert await mock.classify("xyz", "en", []) is None
    assert mock.calls == ["algo bonito", "xyz", "xyz"]


def provider_from_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> LLMProvider | None:
    """The provider built from settings read from exactly `env` (the documented names)."""
    for name in LLM_VARS:
        monkeypatch.delenv(f"MUSEO_LLM_{name}", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return provider_from_settings(IntentSettings())


def test_provider_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    assert provider_from_env(monkeypatch, {}) is None
    assert provider_from_env(monkeypatch, {"MUSEO_LLM_PROVIDER": "off"}) is None
    assert isinstance(provider_from_env(monkeypatch, {"MUSEO_LLM_PROVIDER": "mock"}), MockProvider)
    # no key/model
    assert provider_from_env(monkeypatch, {"MUSEO_LLM_PROVIDER": "openai"}) is None
    openai = provider_from_env(
        monkeypatch,
        {
            "MUSEO_LLM_PROVIDER": "openai",
            "MUSEO_LLM_API_KEY": "k",
            "MUSEO_LLM_MODEL": "m",
            "MUSEO_LLM_BASE_URL": "http://x/v1",
        },
    )
    assert isinstance(openai, OpenAIProvider) and openai.base_url == "http://x/v1"
    anthropic = provider_from_env(
        monkeypatch,
        {
            "MUSEO_LLM_PROVIDER": "anthropic",
            "MUSEO_LLM_API_KEY": "k",
            "MUSEO_LLM_MODEL": "m",
            "MUSEO_LLM_TIMEOUT": "2.5",
        },
    )
    assert isinstance(anthropic, AnthropicProvider)
    assert anthropic.base_url == "https://api.anthropic.com" and anthropic.timeout == 2.5
