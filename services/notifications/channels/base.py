"""What every channel adapter does: send one rendered message, say who accepted it, or fail.

A `SendError` says whether trying again can help (`retryable`): a refused address will be refused
again, a timeout or a 5xx may not be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from libs.contracts.notifications import Channel, Contact
from services.notifications.templating import Rendered


class SendError(Exception):
    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class Accepted:
    provider: str
    message_id: str | None


class ChannelSender(Protocol):
    channel: Channel

    def can_reach(self, contact: Contact) -> bool: ...

    async def send(self, nid: str, contact: Contact, message: Rendered,
                   unsubscribe_url: str | None) -> Accepted: ...
