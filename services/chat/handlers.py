"""Thin transport of `chat.requests`: a turn goes to the orchestrator, an analysis to intent."""

from __future__ import annotations

from pydantic import BaseModel

from libs.contracts.chat import AnalyseRequest, ChatTurnRequest
from libs.contracts.intent import IntentRequest
from libs.messaging.principal import current_principal
from services.chat.downstream import Downstream
from services.chat.orchestrator import ChatOrchestrator


class ChatHandlers:
    def __init__(self, orchestrator: ChatOrchestrator, down: Downstream) -> None:
        self.orchestrator = orchestrator
        self.down = down

    async def handle(self, req: ChatTurnRequest | AnalyseRequest) -> BaseModel:
        """One chat turn (memory, intent, dispatch, reply) or the intent analysis of a text."""
        if isinstance(req, AnalyseRequest):
            who = current_principal()
            result, _ = await self.down.intent(
                IntentRequest(text=req.text, language_hint=req.language),
                key=who.subject if who else "intent",
            )
            return result
        return await self.orchestrator.handle(req, current_principal())
