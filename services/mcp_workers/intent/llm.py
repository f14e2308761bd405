"""Optional LLM stage for utterances the model is unsure about.

MUSEO_LLM_PROVIDER=openai|anthropic|mock|off (default off), MUSEO_LLM_BASE_URL,
MUSEO_LLM_API_KEY, MUSEO_LLM_MODEL, MUSEO_LLM_TIMEOUT (seconds, default 4).
Every failure (network, timeout, HTTP error, unparsable answer) yields None: the
pipeline then falls back to its own thresholds.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from libs.contracts.intent import INTENTS
from libs.nlu.text import normalize
from services.mcp_workers.intent.settings import IntentSettings

log = logging.getLogger(__name__)
SYSTEM_PROMPT = (
    "You classify one chat message sent to a museum gift shop (prints, posters, mugs, lights, "
    "bags, stationery, ornaments, candles, cards) into exactly one intent from this list: "
    + ", ".join(INTENTS)
    + ". Admin intents (create/update/delete/import products) change the catalog; basket "
    "intents change the shopper's basket. Anything unrelated to the shop is out_of_scope. "
    'Answer with JSON only: {"intent": "<one of the list>", "confidence": <0..1>}.'
)


@dataclass(frozen=True)
class LLMAnswer:
    intent: str
    confidence: float


class LLMProvider(Protocol):
    async def classify(
        self, text: str, language: str, candidates: Sequence[tuple[str, float]]
    ) -> LLMAnswer | None: ...


def user_prompt(text: str, language: str, candidates: Sequence[tuple[str, float]]) -> str:
    hints = ", ".join(f"{i} ({p:.2f})" for i, p in candidates)
    return f"Language: {language}\nMessage: {text}\nA small model guessed: {hints or 'nothing'}"


def parse_answer(raw: str | None) -> LLMAnswer | None:
    """First JSON object in `raw` with a known intent; confidence clamped to 0..1."""
    if not raw:
        return None
    match = re.search(r"\{.*?\}", raw, re.DOTALL)
    if not match:
        return None
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    intent = str(data.get("intent", "")).strip().lower()
    if intent not in INTENTS:
        return None
    try:
        confidence = float(data.get("confidence", 0.7))
    except (TypeError, ValueError):
        confidence = 0.7
    return LLMAnswer(intent, min(1.0, max(0.0, confidence)))


class _HttpProvider:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        model: str,
        timeout: float = 4.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.timeout = timeout
        self.transport = transport

    async def _post(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> Any:
        async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
            resp = await client.post(self.base_url + path, headers=headers, json=body)
            resp.raise_for_status()
            return resp.json()

    async def classify(
        self, text: str, language: str, candidates: Sequence[tuple[str, float]]
    ) -> LLMAnswer | None:
        try:
            return parse_answer(await self._ask(user_prompt(text, language, candidates)))
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("llm intent call failed: %s", type(exc).__name__)
            return None

    async def _ask(self, prompt: str) -> str | None:
        raise NotImplementedError


class OpenAIProvider(_HttpProvider):
    """OpenAI-compatible `POST {base}/chat/completions` (base usually ends in /v1)."""

    async def _ask(self, prompt: str) -> str | None:
        body = {
            "model": self.model,
            "temperature": 0,
            "max_tokens": 60,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": prompt},
            ],
        }
        data = await self._post(
            "/chat/completions", {"Authorization": f"Bearer {self.api_key}"}, body
        )
        content = data["choices"][0]["message"]["content"]
        return content if isinstance(content, str) else None


class AnthropicProvider(_HttpProvider):
    """Anthropic Messages API, `POST {base}/v1/messages`."""

    async def _ask(self, prompt: str) -> str | None:
        body = {
            "model": self.model,
            "max_tokens": 60,
            "temperature": 0,
            "system": SYSTEM_PROMPT,
            "messages": [{"role": "user", "content": prompt}],
        }
        headers = {"x-api-key": self.api_key, "anthropic-version": "2023-06-01"}
        data = await self._post("/v1/messages", headers, body)
        texts = [b.get("text", "") for b in data.get("content", []) if b.get("type") == "text"]
        return "".join(texts) or None


class MockProvider:
    """Deterministic stand-in: a fixed answer table, else the model's top guess, boosted."""

    def __init__(self, answers: Mapping[str, str] | None = None, confidence: float = 0.85) -> None:
        self.answers = {normalize(k): v for k, v in (answers or {}).items()}
        self.confidence = confidence
        self.calls: list[str] = []

    async def classify(
        self, text: str, language: str, candidates: Sequence[tuple[str, float]]
    ) -> LLMAnswer | None:
        self.calls.append(text)
        if (known := self.answers.get(normalize(text))) is not None:
            return LLMAnswer(known, self.confidence)
        if not candidates:
            return None
        return LLMAnswer(candidates[0][0], self.confidence)


def provider_from_settings(settings: IntentSettings) -> LLMProvider | None:
    """The configured provider, or None when off or incompletely configured."""
    kind = settings.llm_provider.strip().lower()
    if kind == "mock":
        return MockProvider()
    if kind not in {"openai", "anthropic"}:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    model, timeout = settings.llm_model, settings.llm_timeout
    if not key or not model:
        log.warning("MUSEO_LLM_PROVIDER=%s but API key or model missing; LLM stage off", kind)
        return None
    if kind == "openai":
        base = settings.llm_base_url or "https://api.openai.com/v1"
        return OpenAIProvider(base, key, model, timeout)
    base = settings.llm_base_url or "https://api.anthropic.com"
    return AnthropicProvider(base, key, model, timeout)
