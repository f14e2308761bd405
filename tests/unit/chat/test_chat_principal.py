"""The chat service takes who speaks from the verified principal, and serialises a conversation."""

from __future__ import annotations

import asyncio

from libs.contracts.chat import ChatMessage
from libs.contracts.principal import Principal
from services.chat.locks import KeyedLocks
from services.chat.orchestrator import ChatOrchestrator, speaker
from tests.unit.chat.test_orchestrator import MemoryStore, Scripted

ALICE = Principal(subject="customer:alice", kind="customer")
MALLORY = Principal(subject="anon:mallory", kind="anonymous")


def test_the_principal_beats_a_user_id_in_the_body() -> None:
    msg = ChatMessage(text="hi", user_id="bob")
    assert speaker(msg, ALICE) == ("customer:alice", "customer:alice")
    assert speaker(msg, MALLORY) == ("anon:mallory", None)
    assert speaker(msg, None) == ("user:bob", "bob"), "no principal: the old behaviour"
    assert speaker(ChatMessage(text="hi"), None) == (None, None)


async def test_baskets_belong_to_the_principal() -> None:
    down = Scripted()
    orch = ChatOrchestrator(MemoryStore(), down)  # type: ignore[arg-type]
    await orch.handle(ChatMessage(text="show me mugs", conversation_id="c1", user_id="bob"), ALICE)
    await orch.handle(ChatMessage(text="add the first one", conversation_id="c1"), ALICE)
    assert [c[2] for c in down.calls if c[0] == "add_lines"] == ["customer:alice"]


async def test_another_owners_conversation_id_starts_a_fresh_conversation() -> None:
    store = MemoryStore()
    orch = ChatOrchestrator(store, Scripted())  # type: ignore[arg-type]
    first = await orch.handle(ChatMessage(text="show me mugs", conversation_id="c1"), ALICE)
    stolen = await orch.handle(ChatMessage(text="show me mugs", conversation_id="c1"), MALLORY)
    assert stolen.conversation_id != first.conversation_id
    kept = await store.load("c1")
    assert kept is not None and kept.owner == "customer:alice" and len(kept.turns) == 2


async def test_handover_only_by_the_owner_and_to_the_sealed_principal() -> None:
    store = MemoryStore()
    orch = ChatOrchestrator(store, Scripted())  # type: ignore[arg-type]
    await orch.handle(ChatMessage(text="show me mugs", conversation_id="c1"), MALLORY)
    assert (await orch.owned("c1", "customer:alice")).conversation_id is None
    assert (await orch.hand_over("c1", "customer:alice", ALICE, None)).conversation_id is None
    info = await orch.hand_over("c1", MALLORY.subject, ALICE, "cart_new")
    assert (info.conversation_id, info.cart_id) == ("c1", "cart_new")
    moved = await store.load("c1")
    assert moved is not None and (moved.owner, moved.user_id) == (ALICE.subject, ALICE.subject)
    assert (await orch.owned("c1", MALLORY.subject)).conversation_id is None


class SlowStore(MemoryStore):
    """Yields between load and save, where concurrent turns would overwrite each other."""

    async def load(self, cid: str):  # type: ignore[no-untyped-def]
        conv = await super().load(cid)
        await asyncio.sleep(0.01)
        return conv


async def test_concurrent_turns_of_one_conversation_lose_no_turn() -> None:
    store = SlowStore()
    orch = ChatOrchestrator(store, Scripted())  # type: ignore[arg-type]
    texts = [f"show me mugs {i}" for i in range(8)]
    await asyncio.gather(
        *(orch.handle(ChatMessage(text=t, conversation_id="c1"), MALLORY) for t in texts)
    )
    users = [t.text for t in store.convs["c1"].turns if t.role == "user"]
    assert sorted(users) == sorted(texts)
    assert len(orch.locks) == 0, "locks are dropped once nobody waits"


async def test_keyed_locks_only_serialise_the_same_key() -> None:
    locks = KeyedLocks()
    order: list[str] = []

    async def work(key: str, tag: str, delay: float) -> None:
        async with locks.hold(key):
            order.append(f"{tag}+")
            await asyncio.sleep(delay)
            order.append(f"{tag}-")

    await asyncio.gather(work("a", "a1", 0.02), work("a", "a2", 0.0), work("b", "b1", 0.0))
    assert order.index("a1-") < order.index("a2+"), "same key: one at a time"
    assert order.index("b1+") < order.index("a1-"), "another key does not wait"
