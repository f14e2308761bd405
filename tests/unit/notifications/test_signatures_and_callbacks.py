"""Vendor signatures against the vendors' documented examples, and callback parsing."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from libs.contracts.notifications import Contact, ProviderCallback
from libs.webhook_signatures import meta_signature, meta_valid, twilio_signature, twilio_valid
from services.notifications.callbacks import parse
from services.notifications.channels.email import SmtpEmailSender
from services.notifications.templating import Rendered

# Twilio's request-validation example (URL with query, five POST fields, auth token 12345).
TWILIO_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
                 "From": "+12349013030", "To": "+18005551212"}


def test_twilio_signature_matches_the_documented_example() -> None:
    assert twilio_signature("12345", TWILIO_URL, TWILIO_PARAMS) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert twilio_valid("12345", TWILIO_URL, list(TWILIO_PARAMS.items()),
                        "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not twilio_valid("12345", TWILIO_URL + "&x=1", TWILIO_PARAMS,
                            "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not twilio_valid("12345", TWILIO_URL, TWILIO_PARAMS, None)


def test_meta_signature_is_sha256_hmac_of_the_raw_body() -> None:
    body = b'{"object":"whatsapp_business_account"}'
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert meta_signature("s3cret", body) == expected
    assert meta_valid("s3cret", body, expected)
    assert not meta_valid("s3cret", body + b" ", expected)  # re-serialised JSON fails
    assert not meta_valid("s3cret", body, "")


def test_meta_statuses_and_inbound_messages_are_read_from_the_webhook() -> None:
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp", "metadata": {"phone_number_id": "9"},
            "statuses": [
                {"id": "wamid.A", "status": "read", "timestamp": "1764669600",
                 "recipient_id": "34600"},
                {"id": "wamid.B", "status": "failed", "timestamp": "1764669601",
                 "recipient_id": "34601", "errors": [{"code": 131047,
                                                      "title": "Re-engagement message"}]},
                {"id": "wamid.C", "status": "deleted", "timestamp": "1"},  # unknown: skipped
            ],
            "messages": [{"from": "34602", "id": "wamid.X", "timestamp": "1764669602",
                          "type": "text", "text": {"body": "hola"}}]}}]}]}
    statuses, inbound = parse(ProviderCallback(provider="whatsapp", payload=payload))
    assert [(s.message_id, s.state) for s in statuses] == [("wamid.A", "read"),
                                                           ("wamid.B", "failed")]
    assert statuses[0].at == datetime(2025, 12, 2, 10, 0, tzinfo=UTC)
    assert statuses[1].error == "whatsapp error 131047: Re-engagement message"
    assert [i.wa_id for i in inbound] == ["34602"]


def test_twilio_callbacks_have_no_time_and_unknown_states_are_skipped() -> None:
    [st], _ = parse(ProviderCallback(provider="twilio", payload={
        "MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30003"}))
    assert (st.state, st.at, st.error) == ("undelivered", None, "twilio error 30003")
    assert parse(ProviderCallback(provider="twilio", payload={
        "MessageSid": "SM1", "MessageStatus": "sending"})) == ([], [])


def test_email_is_multipart_with_unsubscribe_headers() -> None:
    sender = SmtpEmailSender("127.0.0.1", 1025, "Museo <shop@museo.example>")
    mail = sender.build("ntf_1", Contact(email="ana@example.es"),
                        Rendered("Asunto", "texto", "<p>html</p>", "es"),
                        "https://shop.example/u/t")
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    assert mail["List-Unsubscribe"] == "<https://shop.example/u/t>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["To"] == "ana@example.es" and mail["Content-Language"] == "es"


def test_a_long_unsubscribe_url_stays_one_readable_header_on_the_wire() -> None:
    sender = SmtpEmailSender("127.0.0.1", 1025, "Museo <shop@museo.example>")
    url = "https://shop.example/unsubscribe/" + "eyJzIjoiY3VzdG9tZXI6" * 12 + ".XzgcQ3Oeonug"
    wire = sender.wire(sender.build("ntf_1", Contact(email="ana@example.es"),
                                    Rendered("Tu pedido está confirmado", "texto", None, "es"),
                                    url))
    assert f"List-Unsubscribe: <{url}>\r\n".encode() in wire
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in wire
    assert b"=?utf-8?" in wire  # the non-ASCII subject is still encoded as it must be
    assert wire.isascii()  # 7-bit clean: any relay takes it
