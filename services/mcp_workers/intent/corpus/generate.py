"""Regenerate `intents.jsonl` from the hand-written templates and slot values.

    python -m services.mcp_workers.intent.corpus.generate

Deterministic (seeded). Templates come from `templates_{lang}.json` (the original set) and
`templates_extra_{lang}.json` (a second, independently written set of phrasings: telegraphic,
long/polite, questions vs imperatives, other vocabulary, out-of-scope negatives). Each template
is filled with random slot values and lightly perturbed (case, dropped accents/punctuation,
polite openers, typos) until every (language, intent) cell holds
`max(PER_CELL, PER_TEMPLATE * templates)` distinct sentences. `group` names the template a
line came from (`en/checkout/3`, extra ones `en/checkout/x3`), so evaluations can keep whole
templates out of training.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from libs.nlu.text import fold

HERE = Path(__file__).parent
PER_CELL = 60
PER_TEMPLATE = 2
LANGS = ("en", "es", "fr")
PREFIX = {
    "en": ["please ", "hey, ", "hi, ", "ok ", "so ", "um, ", "could you ", "quick question: "],
    "es": ["por favor, ", "oye, ", "hola, ", "vale, ", "a ver, ", "perdona, ", "oye "],
    "fr": ["s'il vous plaît, ", "dis, ", "bonjour, ", "alors ", "euh ", "excusez-moi, "],
}
SUFFIX = {
    "en": [" please", " thanks", " thx", " pls", " thank you!", " asap"],
    "es": [" por favor", " gracias", " porfa", " porfi", ", gracias!"],
    "fr": [" svp", " s'il te plaît", " merci", " stp", ", merci !"],
}
NO_AFFIX = {"greeting", "out_of_scope"}


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.5 else w[:j] + w[j + 1 :]
    return " ".join(words)


def perturb(text: str, lang: str, intent: str, rng: random.Random) -> str:
    if intent not in NO_AFFIX and rng.random() < 0.2:
        text = rng.choice(PREFIX[lang]) + text[0].lower() + text[1:]
    if intent not in NO_AFFIX and rng.random() < 0.15:
        text = re.sub(r"[?.!]+$", "", text) + rng.choice(SUFFIX[lang])
    r = rng.random()
    if r < 0.3:
        text = text.lower()
    elif r < 0.45:
        text = text[0].upper() + text[1:]
    if lang != "en" and rng.random() < 0.25:
        text = fold(text)
    if rng.random() < 0.3:
        text = re.sub(r"\s*[?!.]+$", "", text).replace("¿", "").replace("¡", "")
    if rng.random() < 0.1:
        text = _typo(text, rng)
    return re.sub(r"\s+", " ", text).strip()


def fill(template: str, slots: dict[str, list[str]], rng: random.Random) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(slots[m.group(1)]), template)


def generate(seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    slots = json.loads((HERE / "slots.json").read_text(encoding="utf-8"))
    rows: list[dict[str, str]] = []
    for lang in LANGS:
        templates = json.loads((HERE / f"templates_{lang}.json").read_text(encoding="utf-8"))
        extra = json.loads((HERE / f"templates_extra_{lang}.json").read_text(encoding="utf-8"))
        for intent, original in templates.items():
            items = original + extra.get(intent, [])
            names = [str(i) for i in range(len(original))]
            names += [f"x{i}" for i in range(len(items) - len(original))]
            target = max(PER_CELL, PER_TEMPLATE * len(items))
            seen: set[str] = set()
            attempts = 0
            while len(seen) < target and attempts < target * 40:
                idx = attempts % len(items)
                attempts += 1
                first_pass = attempts <= len(items)
                text = fill(items[idx], slots[lang], rng)
                if not first_pass:
                    text = perturb(text, lang, intent, rng)
                key = fold(text).strip(" ?!.¿¡")
                if key in seen:
                    continue
                seen.add(key)
                rows.append(
                    {
                        "text": text,
                        "intent": intent,
                        "lang": lang,
                        "group": f"{lang}/{intent}/{names[idx]}",
                    }
                )
    return rows


def main() -> None:
    rows = generate()
    with (HERE / "intents.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} lines")


if __name__ == "__main__":
    main()
