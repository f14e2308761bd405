"""The `notifications.requests` conversation (request/reply): delivery status, the templates the
service has, a rendered preview of one, and the unsubscribe link's two steps.

One topic carries every question; `query` names which (a request without it is a status query,
as before this field existed), and each has its own reply model. Callers: the gateway's admin
routes and unsubscribe pages, and the notifications MCP server.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, Tag

from libs.contracts.base import Message
from libs.contracts.notifications import Channel, StatusQuery, StatusReply
from libs.contracts.topics import NOTIFICATIONS_REQUESTS  # noqa: F401 - the topic of these

__all__ = [
    "NotificationsQuery", "PreviewQuery", "PreviewReply", "StatusQuery", "StatusReply",
    "TemplateInfo", "TemplatesQuery", "TemplatesReply", "UnsubscribeQuery", "UnsubscribeReply",
]

Kind = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z_]+$")]


class TemplatesQuery(Message):
    query: Literal["templates"] = "templates"


class TemplateInfo(BaseModel):
    kind: str
    languages: list[str] = Field(description="languages written; others fall back to English")
    transactional: bool = Field(description="False: marketing (consent, quiet hours apply)")
    parts: list[str] = Field(description="subject, text, html, short (SMS/WhatsApp), params")


class TemplatesReply(Message):
    templates: list[TemplateInfo]


class PreviewQuery(Message):
    """Render template `kind` with the service's sample data, as a recipient would get it."""

    query: Literal["preview"] = "preview"
    kind: Kind
    language: str | None = Field(default=None, max_length=16, description="en, es or fr")
    market: str | None = Field(default=None, max_length=8, description="region: UK, EU, US")
    country: str | None = Field(default=None, min_length=2, max_length=2,
                                description="ISO 3166-1 alpha-2; sets the money/date locale")
    channel: Channel = "email"


class PreviewReply(Message):
    kind: str
    channel: Channel
    language: str
    locale: str
    subject: str
    text: str
    html: str | None = None
    params: list[str] = Field(default_factory=list)


class UnsubscribeQuery(Message):
    """An email's unsubscribe link: `confirm=False` only reads it (the page shown on GET),
    `confirm=True` records the opt-out (the page's button, or the RFC 8058 one-click POST)."""

    query: Literal["unsubscribe"] = "unsubscribe"
    token: str = Field(min_length=10, max_length=2000)
    confirm: bool = False


class UnsubscribeReply(Message):
    valid: bool
    channel: Channel | None = None
    address: str | None = Field(default=None, description="masked, e.g. l***@example.com")
    language: str = "en"
    done: bool = False


def _query_tag(value: Any) -> str:
    query = value.get("query") if isinstance(value, dict) else getattr(value, "query", None)
    return str(query or "status")


NotificationsQuery = Annotated[
    Annotated[StatusQuery, Tag("status")]
    | Annotated[TemplatesQuery, Tag("templates")]
    | Annotated[PreviewQuery, Tag("preview")]
    | Annotated[UnsubscribeQuery, Tag("unsubscribe")],
    Discriminator(_query_tag),
]
