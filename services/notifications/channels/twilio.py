"""SMS through Twilio's Messages API: form POST of To/From/Body/StatusCallback, HTTP Basic auth.

Twilio answers 201 with the Message resource (`sid`, `status: queued`) and later POSTs status
callbacks (signed, checked by the gateway) to `StatusCallback`. 4xx answers are final (a bad
number stays bad); 429 and 5xx are worth retrying.
"""

from __future__ import annotations

import httpx

from libs.contracts.notifications import Channel, Contact
from services.notifications.channels.base import Accepted, SendError
from services.notifications.templating import Rendered


class TwilioSmsSender:
    channel: Channel = "sms"
    provider = "twilio"

    def __init__(self, http: httpx.AsyncClient, base_url: str, account_sid: str,
                 auth_token: str, sender: str, status_callback: str | None) -> None:
        self.http, self.base_url = http, base_url.rstrip("/")
        self.account_sid, self.auth_token = account_sid, auth_token
        self.sender, self.status_callback = sender, status_callback

    def can_reach(self, contact: Contact) -> bool:
        return bool(contact.phone)

    async def send(self, nid: str, contact: Contact, message: Rendered,
                   unsubscribe_url: str | None) -> Accepted:
        form = {"To": contact.phone or "", "From": self.sender, "Body": message.text}
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        try:
            resp = await self.http.post(url, data=form, auth=(self.account_sid, self.auth_token))
        except httpx.HTTPError as exc:
            raise SendError(f"twilio unreachable: {type(exc).__name__}") from exc
        if resp.status_code == 201:
            return Accepted(self.provider, str(resp.json()["sid"]))
        raise SendError(_twilio_error(resp), retryable=resp.status_code == 429
                        or resp.status_code >= 500)


def _twilio_error(resp: httpx.Response) -> str:
    try:
        body = resp.json()
        return f"twilio {resp.status_code} code {body.get('code')}: {body.get('message')}"
    except ValueError:
        return f"twilio {resp.status_code}"
