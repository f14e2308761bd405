"""deploy/k8s: manifests parse, match the launcher's services, and are wired consistently."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

from deploy.local.launcher import SERVICES  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy" / "k8s"
BASE = K8S / "base"
YAML_FILES = sorted(K8S.rglob("*.yaml"))
PROBE_SCRIPT = "/app/deploy/k8s/probe.py"


def docs_in(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def base_resources() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    return [doc for name in kustomization["resources"] for doc in docs_in(BASE / name)]


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [d for d in base_resources() if d["kind"] == kind]


def containers() -> list[tuple[str, dict[str, Any]]]:
    return [
        (d["metadata"]["name"], c)
        for d in of_kind("Deployment") + of_kind("StatefulSet")
        for c in d["spec"]["template"]["spec"]["containers"]
    ]


def test_there_are_manifests() -> None:
    assert len(YAML_FILES) >= 10


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(K8S)))
def test_every_yaml_file_parses(path: Path) -> None:
    for doc in docs_in(path):
        assert isinstance(doc, dict)
        assert "kind" in doc


def test_every_kustomize_resource_exists() -> None:
    for kustomization in K8S.rglob("kustomization.yaml"):
        for name in yaml.safe_load(kustomization.read_text()).get("resources", []):
            assert (kustomization.parent / name).exists(), f"{kustomization}: {name}"


def test_the_base_sets_no_namespace_and_the_dev_overlay_does() -> None:
    assert "namespace" not in yaml.safe_load((BASE / "kustomization.yaml").read_text())
    assert all("namespace" not in d["metadata"] for d in base_resources())
    dev = yaml.safe_load((K8S / "overlays" / "dev" / "kustomization.yaml").read_text())
    assert dev["namespace"]


@pytest.mark.parametrize("spec", SERVICES, ids=lambda s: s.name)
def test_every_launcher_service_has_a_deployment_running_its_module(spec: Any) -> None:
    commands = [c.get("command", []) + c.get("args", []) for _, c in containers()]
    assert ["python", "-m", spec.module] in commands


def declared_ports(container: dict[str, Any]) -> tuple[set[str], set[int]]:
    ports = container.get("ports", [])
    return {p["name"] for p in ports if "name" in p}, {p["containerPort"] for p in ports}


def probes(container: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (kind, container[kind])
        for kind in ("startupProbe", "livenessProbe", "readinessProbe")
        if kind in container
    ]


@pytest.mark.parametrize(
    "name,container", containers(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_probes_point_at_ports_the_container_declares(name: str, container: dict[str, Any]) -> None:
    names, numbers = declared_ports(container)
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    assert {"livenessProbe", "readinessProbe"} <= {k for k, _ in probes(container)}, name
    for kind, probe in probes(container):
        handler = probe.get("httpGet") or probe.get("tcpSocket")
        if handler is not None:
            port = handler["port"]
            assert port in names or port in numbers, f"{name} {kind}: port {port}"
        elif PROBE_SCRIPT in probe["exec"]["command"]:
            # the exec probe reads MUSEO_METRICS_PORT: it must be a declared port
            assert int(env["MUSEO_METRICS_PORT"]) in numbers, f"{name} {kind}"


@pytest.mark.parametrize("spec", [s for s in SERVICES if s.metrics_port], ids=lambda s: s.name)
def test_worker_readiness_checks_its_own_service_name(spec: Any) -> None:
    (container,) = [c for _, c in containers() if c.get("command") == ["python", "-m", spec.module]]
    command = container["readinessProbe"]["exec"]["command"]
    assert command[-2:] == ["ready", spec.name]


def test_every_pod_runs_as_non_root_with_a_read_only_root() -> None:
    for workload in of_kind("Deployment") + of_kind("StatefulSet"):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        for c in pod["containers"]:
            assert c["securityContext"]["readOnlyRootFilesystem"] is True
            assert c["securityContext"]["allowPrivilegeEscalation"] is False
            assert c["resources"]["requests"] and c["resources"]["limits"]


def test_every_mounted_volume_is_declared() -> None:
    for workload in of_kind("Deployment") + of_kind("StatefulSet"):
        spec = workload["spec"]
        volumes = {v["name"] for v in spec["template"]["spec"].get("volumes", [])}
        volumes |= {t["metadata"]["name"] for t in spec.get("volumeClaimTemplates", [])}
        for c in spec["template"]["spec"]["containers"]:
            for mount in c.get("volumeMounts", []):
                assert mount["name"] in volumes, workload["metadata"]["name"]


def secret_env(container: dict[str, Any]) -> set[str]:
    return {e["name"] for e in container.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})}


def test_every_env_var_read_from_a_secret_is_documented_in_the_readme() -> None:
    readme = (K8S / "README.md").read_text()
    referenced = set().union(*(secret_env(c) for _, c in containers()))
    assert {"MUSEO_CHECKOUT_SECRET", "MUSEO_SESSION_SECRET"} <= referenced
    undocumented = sorted(v for v in referenced if not re.search(rf"`{v}`", readme))
    assert undocumented == []


def test_no_secret_value_is_committed() -> None:
    for path in YAML_FILES:
        for doc in docs_in(path):
            assert doc["kind"] != "Secret", f"{path}: commit no Secret, document it"


def test_autoscalers_and_the_disruption_budget_target_existing_workloads() -> None:
    deployments = {d["metadata"]["name"]: d for d in of_kind("Deployment")}
    targets = {h["spec"]["scaleTargetRef"]["name"] for h in of_kind("HorizontalPodAutoscaler")}
    assert targets == {"museo-gateway", "museo-recommend"}
    for name in targets:
        assert "replicas" not in deployments[name]["spec"], f"{name}: the HPA owns replicas"
    (pdb,) = of_kind("PodDisruptionBudget")
    labels = deployments["museo-gateway"]["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_the_gateway_and_mcp_workers_share_the_rwx_claim() -> None:
    (claim,) = of_kind("PersistentVolumeClaim")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    for name in ("museo-gateway", "museo-mcp-workers"):
        (d,) = [d for d in of_kind("Deployment") if d["metadata"]["name"] == name]
        claims = [
            v["persistentVolumeClaim"]["claimName"]
            for v in d["spec"]["template"]["spec"]["volumes"]
            if "persistentVolumeClaim" in v
        ]
        assert claims == [claim["metadata"]["name"]]
        env = {
            e["name"]: e.get("value", "")
            for e in d["spec"]["template"]["spec"]["containers"][0]["env"]
        }
        assert env["MUSEO_SPOOL_DIR"].startswith("/var/lib/museo-shared/")


def test_redis_keeps_an_append_only_file_on_a_volume() -> None:
    (redis,) = of_kind("StatefulSet")
    args = redis["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--appendonly") + 1] == "yes"
    assert redis["spec"]["volumeClaimTemplates"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_the_dev_overlay_renders_with_kustomize() -> None:
    out = subprocess.run(
        ["kubectl", "kustomize", str(K8S / "overlays" / "dev")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    rendered = [d for d in yaml.safe_load_all(out.stdout) if d]
    namespaced = [d for d in rendered if d["kind"] != "Namespace"]
    assert {d["metadata"].get("namespace") for d in namespaced} == {"museo-dev"}
