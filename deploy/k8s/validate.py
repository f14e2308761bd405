"""Validate deploy/k8s offline, beyond "kustomize renders": schemas, probes and resources.

    python deploy/k8s/validate.py [base|dev ...]    # exit 1 and list the problems, if any

`kubectl kustomize` renders each kustomization (kubectl embeds kustomize; without kubectl,
kustomize is built once from the Go module proxy, deploy/local/tools.py). Then:

- every object of a built-in kind is validated against the JSON schema of a pinned Kubernetes
  release, strictly (an unknown or misspelt field is an error), from the schemas bundled in the
  `kubernetes-validate` package: no network, no cluster;
- the Strimzi custom resources (Kafka, KafkaNodePool, KafkaTopic, KafkaUser) have no schema
  here: Strimzi ships its CRDs only in its release archives and Helm chart, which these machines
  cannot fetch (the `io.strimzi:api` jar on Maven Central holds Java classes, no CRD YAML). They
  get a structural check of the fields we use instead; a kind we know nothing about is an error;
- every container and init container of a workload has liveness and readiness probes (a Job's
  pods, which end by design, are exempt) and CPU and memory requests and limits; Strimzi's
  broker pools and operators, whose probes the operator sets itself, must set resources.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

K8S = Path(__file__).resolve().parent
KUSTOMIZATIONS = {"base": K8S / "base", "dev": K8S / "overlays" / "dev"}
# The Kubernetes release the manifests are checked against (the README's minimum).
KUBERNETES_VERSION = "1.32.0"

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}
# Pods that run to completion: a liveness/readiness probe means nothing there.
RUN_TO_COMPLETION = {"Job", "CronJob"}
# Strimzi kinds, and the spec fields (v1beta2) each may hold: not schema-validated (see above).
STRIMZI_SPEC_FIELDS = {
    "Kafka": {"kafka", "zookeeper", "entityOperator", "clusterCa", "clientsCa", "cruiseControl",
              "jmxTrans", "kafkaExporter", "maintenanceTimeWindows"},
    "KafkaNodePool": {"replicas", "storage", "roles", "resources", "jvmOptions", "template"},
    "KafkaTopic": {"topicName", "partitions", "replicas", "config"},
    "KafkaUser": {"authentication", "authorization", "quotas", "template"},
}
Doc = dict[str, Any]


def render(path: Path) -> list[Doc]:
    import yaml

    kubectl = shutil.which("kubectl")
    if kubectl:
        cmd = [kubectl, "kustomize", str(path)]
    else:
        from deploy.local.tools import KUSTOMIZE, ensure

        cmd = [str(ensure(KUSTOMIZE)), "build", str(path)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr.strip()}")
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def name_of(doc: Doc) -> str:
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


def schema_problems(docs: list[Doc], version: str = KUBERNETES_VERSION) -> list[str]:
    import kubernetes_validate as kv

    problems = []
    for doc in docs:
        try:
            kv.validate(doc, version, strict=True)
        except kv.SchemaNotFoundError:
            if doc.get("apiVersion", "").split("/")[0] != "kafka.strimzi.io":
                problems.append(f"{name_of(doc)}: no schema for {doc.get('apiVersion')} in "
                                f"Kubernetes {version}")
        except kv.ValidationError as exc:
            where = ".".join(str(p) for p in exc.path)
            problems.append(f"{name_of(doc)}: {where}: {exc.message}")
    return problems


def pod_spec(doc: Doc) -> Doc | None:
    spec = doc.get("spec", {})
    if doc.get("kind") == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    return spec.get("template", {}).get("spec") if doc.get("kind") in WORKLOADS else None


def resource_problems(where: str, resources: Doc | None) -> list[str]:
    resources = resources or {}
    return [f"{where}: no {kind}.{what}" for kind in ("requests", "limits")
            for what in ("cpu", "memory") if what not in (resources.get(kind) or {})]


def container_problems(docs: list[Doc]) -> list[str]:
    """Probes and resources of every container and init container of every workload."""
    problems = []
    for doc in docs:
        pod = pod_spec(doc)
        if pod is None:
            continue
        for field in ("initContainers", "containers"):
            for c in pod.get(field) or []:
                where = f"{name_of(doc)} {field[:-1]} {c.get('name')}"
                problems += resource_problems(where, c.get("resources"))
                # An init container runs to completion before the pod starts: Kubernetes
                # rejects liveness/readiness probes on it (a restartable sidecar may have them).
                if field == "initContainers" and c.get("restartPolicy") != "Always":
                    continue
                if doc["kind"] in RUN_TO_COMPLETION:
                    continue
                problems += [f"{where}: no {probe}" for probe in ("livenessProbe", "readinessProbe")
                             if probe not in c]
    return problems


def strimzi_problems(docs: list[Doc]) -> list[str]:
    """The structural check the Strimzi resources get in place of their CRD schemas."""
    problems = []
    clusters = {d["metadata"]["name"] for d in docs if d.get("kind") == "Kafka"}
    for doc in docs:
        if doc.get("apiVersion", "").split("/")[0] != "kafka.strimzi.io":
            continue
        kind, spec = doc.get("kind", ""), doc.get("spec") or {}
        if doc["apiVersion"] not in ("kafka.strimzi.io/v1beta2", "kafka.strimzi.io/v1"):
            problems.append(f"{name_of(doc)}: unknown apiVersion {doc['apiVersion']}")
        if kind not in STRIMZI_SPEC_FIELDS:
            problems.append(f"{name_of(doc)}: a Strimzi kind this check does not know")
            continue
        problems += [f"{name_of(doc)}: unknown spec field {f}"
                     for f in sorted(set(spec) - STRIMZI_SPEC_FIELDS[kind])]
        if kind != "Kafka" and doc["metadata"].get("labels", {}).get(
                "strimzi.io/cluster") not in clusters:
            problems.append(f"{name_of(doc)}: label strimzi.io/cluster names no Kafka resource")
        if kind == "KafkaTopic":
            for count in ("partitions", "replicas"):
                if not (isinstance(spec.get(count), int) and spec[count] >= 1):
                    problems.append(f"{name_of(doc)}: spec.{count} must be a positive integer")
        if kind == "KafkaNodePool":
            problems += resource_problems(f"{name_of(doc)} (broker pods)", spec.get("resources"))
            if not set(spec.get("roles") or []) <= {"broker", "controller"}:
                problems.append(f"{name_of(doc)}: roles {spec.get('roles')}")
        if kind == "Kafka":
            for operator, body in (spec.get("entityOperator") or {}).items():
                if operator in ("topicOperator", "userOperator"):
                    problems += resource_problems(f"{name_of(doc)} {operator}",
                                                  (body or {}).get("resources"))
    return problems


def problems(docs: list[Doc]) -> list[str]:
    return schema_problems(docs) + container_problems(docs) + strimzi_problems(docs)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python deploy/k8s/validate.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("which", nargs="*", help=f"of {sorted(KUSTOMIZATIONS)} (default: all)")
    chosen = p.parse_args(argv).which or list(KUSTOMIZATIONS)
    if unknown := set(chosen) - set(KUSTOMIZATIONS):
        p.error(f"unknown {sorted(unknown)}")
    found = 0
    for which in chosen:
        docs = render(KUSTOMIZATIONS[which])
        listed = problems(docs)
        found += len(listed)
        print(f"{which}: {len(docs)} objects, {len(listed)} problems "
              f"(Kubernetes {KUBERNETES_VERSION} schemas)")
        for line in listed:
            print(f"  {line}")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
