"""Every metric an alert rule reads is really exported by a process of the running system.

A rule on a misspelt or never-registered metric matches nothing and never fires, silently; so
the system's processes (each worker, the gateway, the launcher) are scraped and each metric
named in deploy/monitoring/alerts.yml must be declared by one of them. The notifications group
is required once a `notifications` service runs (until then its rule is inert by design).
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import yaml

from tests.e2e.conftest import System

RULES = Path(__file__).resolve().parents[2] / "deploy/monitoring/alerts.yml"
METRIC = re.compile(r"\b((?:museo|kafka)_[a-z0-9_]+)")
SUFFIXES = ("_total", "_count", "_bucket", "_sum", "_created")


def family(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def rule_metrics() -> dict[str, set[str]]:
    """Metric families named in each rule group's expressions."""
    doc = yaml.safe_load(RULES.read_text())
    return {
        group["name"]: {family(m) for rule in group["rules"] for m in METRIC.findall(rule["expr"])}
        for group in doc["groups"]
    }


def exported(text: str) -> set[str]:
    return {family(line.split()[2]) for line in text.splitlines() if line.startswith("# TYPE ")}


def test_rule_metric_names_are_parsed() -> None:
    groups = rule_metrics()
    assert "museo_rpc_seconds" in groups["museo-requests"]
    assert "kafka_consumergroup_lag" in groups["museo-kafka"]
    assert all(groups.values()), "a rule group names no metric"


def test_every_metric_in_an_alert_rule_is_exported(system: System) -> None:
    state = httpx.get(f"{system.launcher_url}/readyz", timeout=10).json()
    urls = [s["metrics"] for s in state["services"].values() if s.get("metrics")]
    urls.append(f"{system.launcher_url}/metrics")
    assert len(urls) >= 3, state
    seen: set[str] = set()
    for url in urls:
        resp = httpx.get(url, timeout=10)
        assert resp.status_code == 200, url
        seen |= exported(resp.text)
    wanted = rule_metrics()
    if "notifications" not in state["services"]:
        wanted.pop("museo-notifications")
    missing = {group: sorted(names - seen) for group, names in wanted.items() if names - seen}
    assert missing == {}, f"alert rules read metrics nobody exports: {missing}"
