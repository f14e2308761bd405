"""Consent rules, quiet hours in the recipient's zone, and unsubscribe tokens (no broker)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from libs.contracts.notifications import Contact, ProviderCallback
from libs.contracts.privacy import ConsentSettings
from services.notifications.callbacks import twilio_keyword
from services.notifications.consent import ChannelPolicy, Choices, channel_refusal, keyword
from services.notifications.quiet import QuietHours, zone_for
from services.notifications.unsubscribe import UnsubscribeClaims, UnsubscribeTokens, mask


@pytest.mark.parametrize(("body", "action"), [
    ("STOP", "stop"), (" stop\n", "stop"), ("Unsubscribe", "stop"), ("StopAll", "stop"),
    ("START", "start"), ("unstop", "start"), ("yes", "start"),
    ("stop please", None), ("HELP", None), ("", None),
])
def test_only_a_whole_keyword_counts_as_twilio_matches_it(body: str, action: str | None) -> None:
    assert keyword(body) == action


def test_inbound_stop_names_the_number_and_channel_status_callbacks_never_do() -> None:
    inbound = ProviderCallback(provider="twilio", payload={
        "MessageSid": "SM1", "From": "+12025550100", "Body": "Stop", "SmsStatus": "received"})
    advanced = ProviderCallback(provider="twilio", payload={
        "MessageSid": "SM2", "From": "whatsapp:+34612345678", "Body": "baja",
        "OptOutType": "STOP"})
    status = ProviderCallback(provider="twilio", payload={
        "MessageSid": "SM3", "MessageStatus": "delivered", "From": "+1", "Body": "STOP"})
    word = twilio_keyword(inbound)
    assert word is not None and (word.channel, word.phone, word.action) == (
        "sms", "+12025550100", "stop")
    word = twilio_keyword(advanced)  # Advanced Opt-Out named a localised keyword
    assert word is not None and (word.channel, word.phone) == ("whatsapp", "+34612345678")
    assert twilio_keyword(status) is None


def test_market_policy_falls_back_to_the_default_and_whatsapp_is_opt_in() -> None:
    policy = ChannelPolicy({"EU": {"sms": "opt_in"}, "*": {"email": "opt_out"}})
    assert policy.of("eu", "sms") == "opt_in"
    assert policy.of("UK", "sms") == "opt_out"
    assert policy.of(None, "whatsapp") == "opt_in"


def test_the_markets_own_choice_wins_over_the_all_markets_one() -> None:
    records = {"*": ConsentSettings(marketing=True, channels={"sms": True, "email": True}),
               "EU": ConsentSettings(channels={"sms": False})}
    eu, uk = Choices.merge(records, "EU"), Choices.merge(records, "UK")
    assert (eu.marketing, dict(eu.channels)) == (True, {"sms": False, "email": True})
    assert (uk.marketing, dict(uk.channels)) == (True, {"sms": True, "email": True})


@pytest.mark.parametrize(("policy", "choice", "opted_out", "talking", "refusal"), [
    ("opt_out", None, False, False, None),
    ("opt_out", False, False, False, "opted_out"),
    ("opt_out", True, True, False, "opted_out"),  # STOP wins over an older yes
    ("opt_in", None, False, False, "needs_opt_in"),
    ("opt_in", True, False, False, None),
    ("opt_in", None, False, True, None),  # they wrote in the last 24 h: an answer is fine
])
def test_channel_refusals(policy: str, choice: bool | None, opted_out: bool, talking: bool,
                          refusal: str | None) -> None:
    assert channel_refusal(policy, choice, opted_out, talking) == refusal  # type: ignore[arg-type]


def test_quiet_hours_wrap_midnight_and_end_in_the_recipients_zone() -> None:
    quiet = QuietHours.parse("21:00-08:00")
    assert quiet is not None and QuietHours.parse("off") is None
    madrid = ZoneInfo("Europe/Madrid")
    late = datetime(2026, 12, 2, 22, 30, tzinfo=UTC)  # 23:30 in Madrid (CET, UTC+1)
    assert quiet.until(late, madrid) == datetime(2026, 12, 3, 8, 0, tzinfo=madrid)
    early = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)  # 06:00 in Madrid
    assert quiet.until(early, madrid) == datetime(2026, 12, 3, 8, 0, tzinfo=madrid)
    assert quiet.until(datetime(2026, 12, 3, 12, 0, tzinfo=UTC), madrid) is None
    # the same instant is daytime in New York (17:30)
    assert quiet.until(late, ZoneInfo("America/New_York")) is None
    assert QuietHours(time(13), time(14)).quiet_at(time(13, 30))
    with pytest.raises(ValueError, match="21:00-08:00"):
        QuietHours.parse("late")


@pytest.mark.parametrize(("contact", "zone"), [
    (Contact(timezone="Asia/Tokyo", phone="+34612345678"), "Asia/Tokyo"),
    (Contact(phone="+12025550100"), "America/New_York"),
    (Contact(phone="+13105550100"), "America/Los_Angeles"),
    (Contact(phone="+34612345678"), "Europe/Madrid"),  # mainland over the Canaries
    (Contact(country="FR"), "Europe/Paris"),
    (Contact(country="US"), "America/New_York"),
    (Contact(email="a@example.com"), "UTC"),
    (Contact(timezone="Not/AZone"), "UTC"),
])
def test_the_recipients_zone(contact: Contact, zone: str) -> None:
    assert str(zone_for(contact)) == zone


def test_unsubscribe_tokens_verify_and_carry_no_address() -> None:
    tokens = UnsubscribeTokens(b"k" * 32, "https://shop.example/")
    claims = UnsubscribeClaims(s="customer:lucia", c="email", h="ab" * 16,
                               m=mask("lucia@example.com"), l="es")
    url = tokens.url(claims)
    token = url.rsplit("/", 1)[1]
    assert url.startswith("https://shop.example/unsubscribe/") and "lucia@" not in url
    assert tokens.verify(token) == claims
    payload, mac = token.split(".")
    assert tokens.verify(payload[:-2] + "xx." + mac) is None
    assert UnsubscribeTokens(b"other" * 8, "https://x").verify(token) is None
    assert tokens.verify("garbage") is None
    assert mask("lucia@example.com") == "l***@example.com"
    assert mask("+34612345678") == "+34*******78"
