"""The committed KafkaTopic manifests are exactly what gen_topics.py makes of ALL_TOPICS."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from libs.contracts.topics import ALL_TOPICS, TopicSpec

ROOT = Path(__file__).resolve().parents[3]
GEN = ROOT / "deploy" / "k8s" / "gen_topics.py"
COMMITTED = ROOT / "deploy" / "k8s" / "base" / "kafka-topics.yaml"


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"k8s_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = load(GEN)


def test_committed_topics_equal_the_generator_output() -> None:
    assert COMMITTED.read_text() == gen.render(ALL_TOPICS), (
        "stale: run .venv/bin/python deploy/k8s/gen_topics.py"
    )


def test_check_mode_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "topics.yaml"
    stale.write_text(gen.render(ALL_TOPICS[:-1]))
    assert gen.main(["--check", "--output", str(stale)]) == 1
    assert gen.main(["--output", str(stale)]) == 0
    assert gen.main(["--check", "--output", str(stale)]) == 0


def test_every_topic_has_one_kafkatopic_with_its_partitions_and_configs() -> None:
    yaml = pytest.importorskip("yaml")
    docs = [d for d in yaml.safe_load_all(COMMITTED.read_text()) if d]
    by_topic = {d["spec"]["topicName"]: d for d in docs}
    assert len(docs) == len(by_topic) == len(ALL_TOPICS)
    for spec in ALL_TOPICS:
        doc = by_topic[spec.name]
        assert doc["kind"] == "KafkaTopic"
        assert doc["metadata"]["labels"]["strimzi.io/cluster"] == "museo-kafka"
        assert doc["spec"]["partitions"] == spec.partitions
        assert doc["spec"].get("config", {}) == spec.configs()
        if spec.compacted:
            assert doc["spec"]["config"]["cleanup.policy"] == "compact"


def test_resource_names_are_valid_kubernetes_names() -> None:
    assert gen.resource_name("user_events.requests") == "user-events.requests"
    for spec in ALL_TOPICS:
        name = gen.resource_name(spec.name)
        assert name == name.lower() and "_" not in name and len(name) <= 253


def test_two_topics_with_the_same_resource_name_are_refused() -> None:
    with pytest.raises(ValueError):
        gen.render([TopicSpec("a_b"), TopicSpec("a-b")])
