"""Thin transport of `chat.requests`: a turn goes to the orchestrator, an analysis to intent."""

from __future__ import annotations

from pydantic import BaseModel

from libs.contracts.chat import (
    AnalyseRequest,
    ChatTurnRequest,
    ConversationQuery,
    HandoverRequest,
)
from libs.contracts.intent import IntentRequest
from libs.contracts.principal import Principal
from libs.messaging.errors import HandlerError
from libs.messaging.principal import current_principal, unseal
from services.chat.downstream import Downstream
from services.chat.orchestrator import ChatOrchestrator

ChatRequestModel = ChatTurnRequest | AnalyseRequest | ConversationQuery | HandoverRequest


class ChatHandlers:
    def __init__(self, orchestrator: ChatOrchestrator, down: Downstream) -> None:
        self.orchestrator = orchestrator
        self.down = down

    async def handle(self, req: ChatRequestModel) -> BaseModel:
        """One chat turn (memory, intent, dispatch, reply), the intent analysis of a text, or
        a conversation's look-up / handover at sign-in."""
        if isinstance(req, ConversationQuery):
            return await self.orchestrator.owned(req.conversation_id, self._caller().subject)
        if isinstance(req, HandoverRequest):
            to = unseal(req.to_principal)
            if to is None:
                raise HandlerError("bad_request", "to_principal is not a principal sealed by us")
            return await self.orchestrator.hand_over(
                req.conversation_id, self._caller().subject, to, req.cart_id
            )
        if isinstance(req, AnalyseRequest):
            who = current_principal()
            result, _ = await self.down.intent(
                IntentRequest(text=req.text, language_hint=req.language),
                key=who.subject if who else "intent",
            )
            return result
        return await self.orchestrator.handle(req, current_principal())

    @staticmethod
    def _caller() -> Principal:
        who = current_principal()
        if who is None:
            raise HandlerError("forbidden", "a conversation belongs to a principal: none was sent")
        return who
