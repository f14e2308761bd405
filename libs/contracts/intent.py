"""Intent analysis contracts: requests on `intent.requests`, replies are `IntentResult`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from libs.contracts.topics import INTENT_REQUESTS  # noqa: E402,F401 - the topic next to its models

Language = Literal["en", "es", "fr"]
# "action": no analysis, the shopper tapped a choice (a channel's button, `ChatAction`).
Source = Literal["pattern", "model", "llm", "cache", "fallback", "action"]

INTENTS: tuple[str, ...] = (
    "search_products",
    "product_details",
    "add_to_basket",
    "remove_from_basket",
    "view_basket",
    "checkout",
    "recommendations",
    "product_question",
    "order_status",
    "greeting",
    "help",
    "create_product",
    "update_product",
    "delete_product",
    "import_products",
    "out_of_scope",
)
#: Not a classifier label: the analyser was unsure and `clarification` holds the question to ask.
CLARIFY = "clarify"
ADMIN_INTENTS = frozenset({"create_product", "update_product", "delete_product", "import_products"})
#: Highest confidence an admin intent gets for a shopper's message: above the model threshold
#: (the chat still answers "that is for admins"), below what counts as a confident reading.
SHOPPER_ADMIN_CAP = 0.75


class IntentRequest(BaseModel):
    """One utterance to analyse.

    `context` is optional conversation state, e.g. ``{"last_products": ["p1", "p2"],
    "last_intent": "search_products", "last_entities": {...}, "pending_question": "..."}``.
    """

    text: str = Field(max_length=4000)
    language_hint: str | None = None  # market locale, e.g. "es-ES" or "fr"
    context: dict[str, Any] | None = None
    user_id: str | None = None
    # Who is talking. A shopper's channel (the default: the chat, WhatsApp, /v1/intent) never
    # gets an admin intent above SHOPPER_ADMIN_CAP; "admin" lifts the cap (docs/intent.md).
    audience: Literal["shopper", "admin"] = "shopper"


class Entities(BaseModel):
    """Slots found in the utterance; prices are minor units in `currency`."""

    query: str | None = None
    product_ref: str | None = None  # "second", "last", "it", an id, or a product name
    product_id: str | None = None  # resolved from context by follow-up resolution
    quantity: int | None = None
    category: str | None = None  # canonical: prints, mugs, lights, bags, stationery, ...
    colour: str | None = None  # canonical English colour name
    size: str | None = None  # "50x70 cm", "M", "A3"
    price_min: int | None = None
    price_max: int | None = None
    currency: str | None = None  # ISO 4217
    order_id: str | None = None
    reorder: bool = False  # "my usual", "the same as last time": a buy-again request


class Alternative(BaseModel):
    intent: str
    confidence: float = Field(ge=0.0, le=1.0)


class IntentResult(BaseModel):
    """The analysis. When `clarification` is set the caller asks it instead of acting."""

    intent: str  # one of INTENTS, or CLARIFY
    confidence: float = Field(ge=0.0, le=1.0)
    entities: Entities = Field(default_factory=Entities)
    language: Language = "en"
    source: Source = "model"
    alternatives: list[Alternative] = Field(default_factory=list)
    clarification: str | None = None
    schema_version: int = 1
    # True: answered from the analyser's cache; False: looked up and missed; None: no look-up
    # (follow-ups depend on the exact context and are never cached).
    cached: bool | None = None
