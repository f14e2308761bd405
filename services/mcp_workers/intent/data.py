"""Corpus loading and the deterministic held-out split."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

CORPUS_PATH = Path(__file__).parent / "corpus" / "intents.jsonl"
HELDOUT_PERCENT = 20


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    lang: str
    group: str = ""


def load_corpus(path: Path = CORPUS_PATH) -> list[Example]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            rows.append(Example(d["text"], d["intent"], d["lang"], d.get("group", "")))
    return rows


def is_heldout(example: Example) -> bool:
    """Held out when the hash of the text falls in the first `HELDOUT_PERCENT` buckets."""
    digest = hashlib.sha256(example.text.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELDOUT_PERCENT


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(train, heldout); texts in both would be a leak, so duplicates stay held out."""
    heldout = [e for e in examples if is_heldout(e)]
    held_texts = {e.text.lower() for e in heldout}
    train = [e for e in examples if not is_heldout(e) and e.text.lower() not in held_texts]
    return train, heldout
