"""Chat turn: conversation memory -> market -> intent -> the service for that intent -> reply.

The chat service owns conversation memory (Redis) and the dispatch; every business answer
comes from the service that owns it, over Kafka. When intent analysis is down or slow the
breaker opens and the in-process pattern stage answers (`fallback_used`).

Who speaks is the verified principal (`current_principal()`), never a body field: its subject
owns the conversation and the baskets made in it; another owner's conversation id is never
resumed nor overwritten (a fresh conversation starts). Turns of one conversation run one at a time
(requests are keyed by conversation, so one instance sees them all), because a turn is a
read-modify-write of the conversation document.
"""

from __future__ import annotations

import logging
import uuid

from prometheus_client import Counter

from libs.contracts.chat import ChatAction, ChatMessage, ChatReply, ConversationInfo
from libs.contracts.intent import CLARIFY, Entities, IntentRequest, IntentResult
from libs.contracts.principal import Principal
from libs.locale.language import normalise_language
from services.chat.actions import ACTIONS, Outcome, Turn, not_available
from services.chat.downstream import Downstream, ToolProblem, Unavailable
from services.chat.locks import KeyedLocks
from services.chat.recs import recommendations
from services.chat.signals import Publish, emit, turn_event
from services.chat.store import Conversation, ConversationStore
from services.chat.texts import say

log = logging.getLogger(__name__)
# The intent mix of the admin page's live panel (and of any Prometheus dashboard).
TURNS = Counter("museo_chat_turns_total", "Chat turns by intent and language", ["intent", "language"])
FEATURE_OF = {"recommendations": "recommendations", "order_status": "order_status"}
ACTIONS.setdefault("recommendations", recommendations)


def user_id_of(principal: Principal) -> str | None:
    """The profile / conversation key of a signed-in principal (None for anonymous ones)."""
    return principal.subject if principal.kind in ("customer", "channel") else None


def speaker(msg: ChatMessage, principal: Principal | None) -> tuple[str | None, str | None]:
    """(owner, user id) of a turn. With a principal, only the principal counts; without one
    (a caller that sent none) the pre-principal behaviour: the body's user id, else anonymous."""
    if principal is not None:
        return principal.subject, user_id_of(principal)
    return (f"user:{msg.user_id}" if msg.user_id else None), msg.user_id


def action_intent(action: ChatAction, language: str | None) -> IntentResult:
    """A tapped choice as the analysis it stands for: certain, nothing left to resolve."""
    entities = Entities(product_id=action.product_id, quantity=action.quantity)
    return IntentResult(intent=action.intent, confidence=1.0, entities=entities,
                        language=normalise_language(language) or "en", source="action")


class ChatOrchestrator:
    def __init__(
        self, store: ConversationStore, down: Downstream, publish: Publish | None = None
    ) -> None:
        self.store = store
        self.down = down
        self.publish = publish
        self.locks = KeyedLocks()

    async def _conversation(
        self, msg: ChatMessage, owner: str | None, user_id: str | None
    ) -> Conversation:
        conv = None
        cid = msg.conversation_id
        if cid:
            conv = await self.store.load(cid)
            if conv is not None and owner is not None and conv.owner != owner:
                conv, cid = None, None  # someone else's: neither resumed nor overwritten
        if conv is None and user_id:
            conv = await self.store.for_user(user_id)  # a returning customer's context
        if conv is None:
            cid = cid or uuid.uuid4().hex
            conv = Conversation(id=cid, user_id=user_id, owner=owner or f"anon:{cid}")
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

    async def handle(self, msg: ChatMessage, principal: Principal | None = None) -> ChatReply:
        if msg.conversation_id is None:
            return await self._handle(msg, principal)
        async with self.locks.hold(msg.conversation_id):
            return await self._handle(msg, principal)

    async def owned(self, conversation_id: str, owner: str) -> ConversationInfo:
        conv = await self.store.load(conversation_id)
        if conv is None or conv.owner != owner:
            return ConversationInfo()
        return ConversationInfo(conversation_id=conv.id, cart_id=conv.cart_id)

    async def hand_over(
        self, conversation_id: str, owner: str, to: Principal, cart_id: str | None
    ) -> ConversationInfo:
        """Give `owner`'s conversation (and the carried cart) to `to` (sign-in)."""
        async with self.locks.hold(conversation_id):
            conv = await self.store.load(conversation_id)
            if conv is None or conv.owner != owner:
                return ConversationInfo()
            conv.owner, conv.user_id, conv.cart_id = to.subject, user_id_of(to), cart_id
            await self.store.save(conv)
            return ConversationInfo(conversation_id=conv.id, cart_id=conv.cart_id)

    async def _handle(self, msg: ChatMessage, principal: Principal | None) -> ChatReply:
        owner, user_id = speaker(msg, principal)
        conv = await self._conversation(msg, owner, user_id)
        market = await self._market(conv, msg)
        hint = msg.language or conv.language
        req = IntentRequest(
            text=msg.text, language_hint=hint, context=conv.context(), user_id=conv.user_id
        )
        action: ChatAction | None = getattr(msg, "action", None)
        if action is not None:
            result, fallback_used = action_intent(action, hint), False
        else:
            result, fallback_used = await self.down.intent(req, key=conv.id)
        lang = result.language
        conv.language = normalise_language(msg.language) or lang
        conv.add_turn("user", msg.text, result.intent)
        outcome = await self._act(Turn(conv, result, lang, self.down))
        TURNS.labels(result.intent, lang).inc()
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
