"""docs/whatsapp.md cannot drift: its simulator commands run against the simulator app, and
every setting it names is read by the code."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from fastapi.testclient import TestClient

from deploy.local.provider_sim.app import SimConfig, create_app

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "whatsapp.md"


def commands() -> list[list[str]]:
    [bash] = re.findall(r"```bash\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    joined = bash.replace("\\\n", " ")
    return [shlex.split(line.split("|")[0].split("#")[0]) for line in joined.splitlines()
            if line.strip().startswith("curl")]


def test_the_simulator_commands_work() -> None:
    sim = TestClient(create_app(SimConfig("AC" + "0" * 32, "t", "a", "s")))
    runs = commands()
    assert len(runs) == 3
    for argv in runs:
        url = next(a for a in argv if "localhost:8089" in a)
        path = url.split("localhost:8089", 1)[1]
        if "-d" in argv:
            body = json.loads(argv[argv.index("-d") + 1])
            resp = sim.post(path, json=body)
        else:
            resp = sim.get(path)
        assert resp.status_code == 200, (argv, resp.text)
    sent = sim.get("/_sim/messages").json()
    assert sent["messages"] == []  # nothing was answered: no shop behind this simulator


def test_every_setting_named_is_read_by_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    names = set(re.findall(r"`(MUSEO_[A-Z0-9_]+)`", text))
    code = "\n".join(p.read_text() for folder in ("services", "libs", "deploy")
                     for p in (ROOT / folder).rglob("*.py"))
    # an environment variable read as such, or a settings field (MUSEO_ prefix, lower case)
    missing = sorted(n for n in names
                     if n not in code and f"    {n.removeprefix('MUSEO_').lower()}:" not in code)
    assert len(names) >= 8 and missing == []
