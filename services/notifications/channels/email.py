"""Email over real SMTP (aiosmtplib): a multipart/alternative message, plain text and HTML.

The same client talks to Mailpit in development and tests and to the production relay (host,
port, STARTTLS or implicit TLS, credentials from settings). Every message carries a
`List-Unsubscribe` header and the link in its body (RFC 8058 one-click when the link is HTTPS).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr

import aiosmtplib

from libs.contracts.notifications import Channel, Contact
from services.notifications.channels.base import Accepted, SendError
from services.notifications.templating import Rendered

WIRE = SMTP.clone(max_line_length=998)


class SmtpEmailSender:
    channel: Channel = "email"

    def __init__(self, host: str, port: int, sender: str, *, username: str | None = None,
                 password: str | None = None, start_tls: bool = False, use_tls: bool = False,
                 timeout_s: float = 10.0) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password = username, password
        self.start_tls, self.use_tls, self.timeout_s = start_tls, use_tls, timeout_s

    def can_reach(self, contact: Contact) -> bool:
        return bool(contact.email)

    def build(self, nid: str, contact: Contact, message: Rendered,
              unsubscribe_url: str | None) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = contact.email or ""
        mail["Subject"] = message.subject
        mail["Date"] = format_datetime(datetime.now(UTC))
        mail["Message-ID"] = make_msgid(idstring=nid, domain=self.sender.rpartition("@")[2] or None)
        mail["X-Museo-Notification"] = nid
        if unsubscribe_url:
            mail["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        # quoted-printable: 7-bit clean, so any relay takes it (8BITMIME or not)
        mail.set_content(message.text, cte="quoted-printable")
        if message.html:
            mail.add_alternative(message.html, subtype="html", cte="quoted-printable")
        mail["Content-Language"] = message.language  # after set_content, which drops Content-*
        return mail

    def wire(self, mail: EmailMessage) -> bytes:
        """The message as sent: CRLF, and header lines up to RFC 5322's 998 characters, so a
        long `List-Unsubscribe` URL stays one token (at 78 the email package would rewrite it
        as RFC 2047 encoded-words, which no mail client reads as a URL)."""
        return mail.as_bytes(policy=WIRE)

    async def send(self, nid: str, contact: Contact, message: Rendered,
                   unsubscribe_url: str | None) -> Accepted:
        mail = self.build(nid, contact, message, unsubscribe_url)
        try:
            await aiosmtplib.send(
                self.wire(mail), sender=parseaddr(self.sender)[1],
                recipients=[contact.email or ""], hostname=self.host, port=self.port,
                username=self.username,
                password=self.password, start_tls=self.start_tls, use_tls=self.use_tls,
                timeout=self.timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"recipient refused: {exc}", retryable=False) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise SendError(f"{type(exc).__name__}: {exc}") from exc
        return Accepted(provider="smtp", message_id=str(mail["Message-ID"]))
