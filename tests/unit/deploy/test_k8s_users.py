"""The Kafka users and ACLs on Kubernetes are the local 3-broker mode's: one access table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

from deploy.k8s import gen_users  # noqa: E402
from deploy.local.launcher import SERVICES  # noqa: E402
from libs.contracts import topics as t  # noqa: E402
from libs.contracts.access import ACCESS, all_grants, writers  # noqa: E402

BASE = Path(__file__).resolve().parents[3] / "deploy" / "k8s" / "base"


def docs(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((BASE / name).read_text()) if d]


def test_the_committed_kafka_users_are_generated_from_the_access_table() -> None:
    assert gen_users.main(["--check"]) == 0


def test_each_kafka_user_has_exactly_the_acls_the_local_cluster_creates() -> None:
    on_k8s = set()
    for user in docs("kafka-users.yaml"):
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        for acl in user["spec"]["authorization"]["acls"]:
            res = acl["resource"]
            for op in acl["operations"]:
                on_k8s.add((user["metadata"]["name"], res["type"], res["name"],
                            res["patternType"] == "prefix", op))
    local = {(gen_users.k8s_user(g.user), g.resource, g.name, g.prefixed, g.operation)
             for g in all_grants()}
    assert on_k8s == local


def test_every_service_has_a_user_and_its_deployment_connects_as_it() -> None:
    assert {a.user for a in ACCESS} == {s.name for s in SERVICES}
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    assert "kafka-users.yaml" in kustomization["resources"]
    env: dict[str, dict[str, Any]] = {}
    for patch in kustomization["patches"]:
        target = patch["target"]["name"]
        for op in yaml.safe_load(patch["patch"]):
            env.setdefault(target, {})[op["value"]["name"]] = op["value"]
    deployments = {d["metadata"]["name"] for f in BASE.glob("*.yaml") for d in docs(f.name)
                   if d.get("kind") == "Deployment"}
    for access in ACCESS:
        name = gen_users.k8s_user(access.user)
        assert name in deployments
        assert env[name]["MUSEO_KAFKA_SASL_USERNAME"]["value"] == name
        secret = env[name]["MUSEO_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]
        assert secret == {"name": name, "key": "password"}  # Strimzi's Secret of that user


def test_only_the_gateway_writes_the_facts_it_verifies_and_it_may_write_every_request() -> None:
    for topic in (t.PRIVACY_REQUESTS, t.NOTIFICATIONS_CALLBACKS, t.WHATSAPP_INBOUND,
                  t.USER_EVENTS_REQUESTS, t.ADMIN_REQUESTS):
        assert writers(topic) == {"gateway"}, topic
    assert all("gateway" in writers(topic) for topic in t.REQUEST_TOPICS)
    assert writers(t.CATALOG_PRODUCTS) == {"mcp_workers"}


def test_kafka_on_k8s_keeps_three_replicas_and_two_in_sync() -> None:
    pool, kafka = docs("kafka.yaml")
    assert pool["spec"]["replicas"] == 3
    config = kafka["spec"]["kafka"]["config"]
    assert (config["default.replication.factor"], config["min.insync.replicas"]) == (3, 2)
    assert config["offsets.topic.replication.factor"] == 3
    assert kafka["spec"]["kafka"]["authorization"]["type"] == "simple"
    assert all(d["spec"]["replicas"] == 3 for d in docs("kafka-topics.yaml"))
