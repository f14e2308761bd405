"""deploy/k8s, rendered as a cluster would get it (base and dev overlay), validated offline:
strict Kubernetes schemas, probes and resources on every container, Redis behind a password."""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest

pytest.importorskip("kubernetes_validate")

from deploy.k8s import validate as v  # noqa: E402

Doc = dict[str, Any]


@functools.cache
def rendered(which: str) -> tuple[Doc, ...]:
    return tuple(v.render(v.KUSTOMIZATIONS[which]))


def docs(which: str) -> list[Doc]:
    return copy.deepcopy(list(rendered(which)))


def one(items: list[Doc], kind: str, name: str) -> Doc:
    (found,) = [d for d in items if d["kind"] == kind and d["metadata"]["name"] == name]
    return found


@pytest.mark.parametrize("which", sorted(v.KUSTOMIZATIONS))
def test_every_object_is_valid_against_the_pinned_kubernetes_schemas(which: str) -> None:
    items = docs(which)
    kinds = {d["kind"] for d in items}
    assert {"Deployment", "StatefulSet", "Service", "ConfigMap", "HorizontalPodAutoscaler",
            "PodDisruptionBudget"} <= kinds
    assert v.schema_problems(items) == []


@pytest.mark.parametrize("which", sorted(v.KUSTOMIZATIONS))
def test_every_container_has_probes_and_resources(which: str) -> None:
    assert v.container_problems(docs(which)) == []


@pytest.mark.parametrize("which", sorted(v.KUSTOMIZATIONS))
def test_the_strimzi_resources_pass_their_structural_check(which: str) -> None:
    items = docs(which)
    assert {"Kafka", "KafkaNodePool", "KafkaTopic"} <= {d["kind"] for d in items}
    assert v.strimzi_problems(items) == []


def test_a_misspelt_field_and_a_wrong_type_are_caught() -> None:
    items = docs("dev")
    typo, wrong_type = one(items, "Deployment", "museo-gateway"), one(items, "Service",
                                                                         "museo-gateway")
    container = typo["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")  # a typo kubectl would drop
    wrong_type["spec"]["ports"][0]["port"] = "http"
    (typo_found,) = v.schema_problems([typo])
    assert "readinesProbe" in typo_found
    (type_found,) = v.schema_problems([wrong_type])
    assert "spec.ports.0.port" in type_found


def test_a_kind_without_a_schema_is_an_error_unless_it_is_strimzis() -> None:
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert v.schema_problems([unknown]) == [
        f"Widget/w: no schema for example.com/v1 in Kubernetes {v.KUBERNETES_VERSION}"]


def test_missing_probes_and_resources_are_reported_for_containers_and_init_containers() -> None:
    items = docs("base")
    chat = one(items, "Deployment", "museo-chat")
    pod = chat["spec"]["template"]["spec"]
    del pod["containers"][0]["livenessProbe"]
    del pod["containers"][0]["resources"]["limits"]["memory"]
    pod["initContainers"] = [{"name": "wait", "image": "busybox", "resources": {}}]
    assert sorted(v.container_problems([chat])) == sorted([
        "Deployment/museo-chat container chat: no livenessProbe",
        "Deployment/museo-chat container chat: no limits.memory",
        *[f"Deployment/museo-chat initContainer wait: no {k}.{r}"
          for k in ("requests", "limits") for r in ("cpu", "memory")],
    ])


def test_a_job_needs_resources_but_no_probes() -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "seed"},
           "spec": {"template": {"spec": {"containers": [{"name": "seed", "image": "x"}]}}}}
    assert v.container_problems([job]) == [
        f"Job/seed container seed: no {k}.{r}" for k in ("requests", "limits")
        for r in ("cpu", "memory")]


def test_strimzi_resources_without_resources_or_with_unknown_fields_are_reported() -> None:
    items = docs("base")
    kafka = one(items, "Kafka", "museo-kafka")
    del kafka["spec"]["entityOperator"]["topicOperator"]["resources"]
    pool = next(d for d in items if d["kind"] == "KafkaNodePool")
    pool["spec"]["replica"] = 3
    topic = next(d for d in items if d["kind"] == "KafkaTopic")
    topic["spec"]["partitions"] = 0
    found = v.strimzi_problems([kafka, pool, topic])
    assert "Kafka/museo-kafka topicOperator: no limits.memory" in found
    assert f"KafkaNodePool/{pool['metadata']['name']}: unknown spec field replica" in found
    assert any("spec.partitions must be a positive integer" in p for p in found)


# ------------------------------------------------------------ Redis requires a password


def containers(items: list[Doc]) -> list[tuple[str, Doc]]:
    return [(d["metadata"]["name"], c) for d in items if (pod := v.pod_spec(d))
            for c in pod["containers"]]


SECRET_REF = {"secretKeyRef": {"name": "museo-secrets", "key": "MUSEO_REDIS_PASSWORD"}}


@pytest.mark.parametrize("which", sorted(v.KUSTOMIZATIONS))
def test_every_service_reaches_redis_with_the_password_from_the_secret(which: str) -> None:
    items = docs(which)
    config = next(d for d in items if d["kind"] == "ConfigMap"
                  and d["metadata"]["name"].startswith("museo-config"))
    assert "REDIS_URL" not in config["data"]  # a passwordless URL must not reach any pod
    services = [(n, c) for n, c in containers(items) if c.get("command", [])[:2] == ["python", "-m"]]
    assert len(services) >= 8
    for name, c in services:
        env = [e["name"] for e in c["env"]]
        assert env.index("MUSEO_REDIS_PASSWORD") < env.index("REDIS_URL"), name  # $(..) order
        values = {e["name"]: e for e in c["env"]}
        assert values["MUSEO_REDIS_PASSWORD"]["valueFrom"] == SECRET_REF, name
        assert values["REDIS_URL"]["value"] == \
            "redis://:$(MUSEO_REDIS_PASSWORD)@museo-redis:6379/0", name


def test_redis_requires_the_password_and_keeps_protected_mode_on() -> None:
    redis = one(docs("base"), "StatefulSet", "museo-redis")
    (c,) = redis["spec"]["template"]["spec"]["containers"]
    args = c["args"]
    assert args[args.index("--requirepass") + 1] == "$(MUSEO_REDIS_PASSWORD)"
    assert "--protected-mode" not in args  # on by default; "no" would open it up
    env = {e["name"]: e for e in c["env"]}
    assert env["MUSEO_REDIS_PASSWORD"]["valueFrom"] == SECRET_REF
    assert env["REDISCLI_AUTH"]["valueFrom"] == SECRET_REF
    for probe in ("livenessProbe", "readinessProbe"):
        # redis-cli exits 0 on a NOAUTH reply: only PONG means the password works
        assert "PONG" in " ".join(c[probe]["exec"]["command"])
