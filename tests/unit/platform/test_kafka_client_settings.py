"""Every Kafka client authenticates from one settings model; unset means the PLAINTEXT default."""

from __future__ import annotations

import pytest
from faststream.security import SASLScram512

from deploy.local.kafka_acls import CreateAcls, CreateAclsRequest_v3
from libs.contracts.access import Grant
from libs.messaging.broker import broker_security, make_broker, make_producer
from libs.settings import KafkaClientSettings, ServiceSettings, kafka_client_kwargs


async def test_without_a_user_clients_stay_plaintext(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("MUSEO_KAFKA_SASL_USERNAME", "MUSEO_KAFKA_SASL_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    assert kafka_client_kwargs() == {}
    assert broker_security(ServiceSettings()) is None
    assert make_producer("127.0.0.1:1").client._security_protocol == "PLAINTEXT"


async def test_a_user_in_the_environment_reaches_every_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSEO_KAFKA_SASL_USERNAME", "chat")
    monkeypatch.setenv("MUSEO_KAFKA_SASL_PASSWORD", "s3cret")
    assert kafka_client_kwargs() == {
        "security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "chat", "sasl_plain_password": "s3cret"}
    settings = ServiceSettings(kafka_bootstrap_servers="a:1,b:2")
    security = broker_security(settings)
    assert isinstance(security, SASLScram512) and security.username == "chat"
    built = make_broker(settings).config.broker_config.builder.keywords  # FastStream's kwargs
    assert built["bootstrap_servers"] == ["a:1", "b:2"]  # split: not one host named "a:1,b:2"
    client = make_producer("127.0.0.1:1").client
    assert (client._security_protocol, client._sasl_plain_username) == ("SASL_PLAINTEXT", "chat")
    assert "s3cret" not in repr(KafkaClientSettings())  # a SecretStr, never logged


def test_an_unknown_mechanism_is_refused_not_ignored() -> None:
    with pytest.raises(ValueError, match="MUSEO_KAFKA_SASL_MECHANISM"):
        broker_security(KafkaClientSettings(kafka_sasl_username="x", kafka_sasl_mechanism="MD5"))


def test_create_acls_encodes_every_grant_in_one_flexible_request() -> None:
    grants = [Grant("chat", "topic", "chat.requests", False, "Read"),
              Grant("chat", "topic", "gateway.replies.chat-", True, "Create")]
    struct = CreateAcls(grants).build(CreateAclsRequest_v3)
    assert struct.creations == [(2, "chat.requests", 3, "User:chat", "*", 3, 3, {}),
                                (2, "gateway.replies.chat-", 4, "User:chat", "*", 5, 3, {})]
    assert struct.encode()  # encodes with compact strings and tagged fields
