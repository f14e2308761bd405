"""Chat turn: conversation memory -> market -> intent -> the service for that intent -> reply.

The gateway orchestrates but owns no business state: conversations live in Redis, every
business answer comes from a service over Kafka. When intent analysis is down or slow the
breaker opens and the in-process pattern stage answers (`fallback_used`).
"""

from __future__ import annotations

import logging
import uuid

from libs.contracts.chat import ChatMessage, ChatReply
from libs.contracts.intent import CLARIFY, IntentRequest
from libs.conversation.store import Conversation, ConversationStore
from libs.locale.language import normalise_language
from services.gateway.chat.actions import ACTIONS, Outcome, Turn, not_available
from services.gateway.chat.downstream import Downstream, ToolProblem, Unavailable
from services.gateway.chat.signals import Publish, emit, turn_event
from services.gateway.chat.texts import say

log = logging.getLogger(__name__)
FEATURE_OF = {"recommendations": "recommendations", "order_status": "order_status"}


class ChatOrchestrator:
    def __init__(
        self, store: ConversationStore, down: Downstream, publish: Publish | None = None
    ) -> None:
        self.store = store
        self.down = down
        self.publish = publish

    async def _conversation(self, msg: ChatMessage, owner: str, user_id: str | None
                            ) -> Conversation:
        """The caller's conversation: `owner` is the verified principal's subject. Another
        owner's conversation id is never resumed (nor overwritten): a fresh one starts."""
        conv = None
        cid = msg.conversation_id
        if cid:
            conv = await self.store.load(cid)
            if conv is not None and conv.owner != owner:
                conv, cid = None, None
        if conv is None and user_id:
            conv = await self.store.for_user(user_id)  # a returning customer's context
        if conv is None:
            conv = Conversation(id=cid or uuid.uuid4().hex, user_id=user_id, owner=owner)
        return conv

    async def _market(self, conv: Conversation, msg: ChatMessage) -> dict[str, object] | None:
        if conv.country and not (msg.country or msg.phone):
            return None
        reply = await self.down.market(msg.country, msg.phone, msg.language)
        if reply is None:
            return None
        conv.country = reply.market.country
        conv.language = conv.language or reply.market.shop_language
        return reply.market.model_dump()

    async def handle(self, msg: ChatMessage, owner: str, user_id: str | None = None) -> ChatReply:
        """One turn for the verified `owner` (`user_id`: set for signed-in customers)."""
        conv = await self._conversation(msg, owner, user_id)
        market = await self._market(conv, msg)
        hint = msg.language or conv.language
        req = IntentRequest(
            text=msg.text, language_hint=hint, context=conv.context(), user_id=user_id
        )
        result, fallback_used = await self.down.intent(req, key=conv.id)
        lang = result.language
        conv.language = normalise_language(msg.language) or lang
        conv.add_turn("user", msg.text, result.intent)
        outcome = await self._act(Turn(conv, result, lang, self.down))
        conv.last_intent = result.intent
        conv.last_entities = result.entities.model_dump(exclude_none=True)
        conv.pending_question = result.clarification
        conv.add_turn("assistant", outcome.text)
        await self.store.save(conv)
        await emit(self.publish, turn_event(conv, result, outcome.products))
        return ChatReply(
            conversation_id=conv.id,
            text=outcome.text,
            intent=result,
            fallback_used=fallback_used,
            products=outcome.products,
            cart=outcome.cart,
            checkout_url=outcome.checkout_url,
            data=outcome.data,
            market=market,
        )

    async def _act(self, turn: Turn) -> Outcome:
        result = turn.result
        if result.intent == CLARIFY or result.clarification:
            return Outcome(result.clarification or say("help", turn.lang))
        action = ACTIONS.get(result.intent)
        if action is None:
            return not_available(FEATURE_OF.get(result.intent, "shop"), turn.lang)
        try:
            return await action(turn)
        except Unavailable as exc:
            log.warning("downstream unavailable: %s", exc.service)
            if exc.service in ("recommend",):
                return not_available("recommendations", turn.lang)
            return Outcome(say("unavailable", turn.lang))
        except ToolProblem as exc:
            return Outcome(say("problem", turn.lang, reason=str(exc)))
