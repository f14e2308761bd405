"""The fenced code blocks of README.md and docs/*.md, and what a test does with each.

Every block runs by default (tests/e2e/test_docs_snippets.py): a new snippet is executed unless
the doc says otherwise, visibly, with an HTML comment on the line before its fence:

    <!-- not-run: why -->      never run (blocks, needs production keys, a diagram, ...)
    <!-- output -->            the expected output of the block before it (`…` = anything)
    <!-- output: make run -->  lines the launcher prints (checked against the live banner)
    <!-- ws-session -->        a WebSocket transcript: `→` frames are sent, `←` frames must come

The plain functions here (extraction, port rewriting, frame matching) are unit-tested without a
running system (tests/unit/test_docs_snippets_rules.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*(not-run|output|ws-session)\s*(?::\s*(.*?))?\s*-->\s*$")
SHELL = {"bash", "sh", "shell", "console"}
JSON = {"json"}
PYTHON = {"python", "py"}
NODE = {"js", "javascript"}
NO_TOOLCHAIN = {"kotlin": "no Kotlin compiler or Android SDK here",
                "swift": "no Swift toolchain here"}
RUNNABLE = SHELL | JSON | PYTHON | NODE
ELLIPSIS = "…"


@dataclass(frozen=True)
class Snippet:
    doc: str  # path relative to the repository root
    line: int  # line of the opening fence, 1-based
    language: str
    body: str
    marker: str | None = None  # not-run, output, ws-session
    note: str = ""  # the marker's text after the colon

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"

    def refusal(self) -> str | None:
        """Why the test cannot handle this block, or None: an unmarked block must be runnable."""
        if self.marker == "not-run" and not self.note:
            return f"{self.id}: a not-run marker must say why"
        if self.marker or self.language in RUNNABLE or self.language in NO_TOOLCHAIN:
            return None
        kind = f"a `{self.language}` block" if self.language else "a block without a language"
        return (f"{self.id}: {kind} cannot be run here; give it a runnable language or put "
                "`<!-- not-run: why -->` (or `<!-- output -->`) on the line before its fence")


def docs() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def extract(path: Path) -> list[Snippet]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Snippet] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, language = m.group(1), m.group(2), m.group(3).lower()
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        body = "\n".join(ln[len(indent):] if ln.startswith(indent) else ln.lstrip()
                         for ln in lines[i + 1:end])
        before = next((ln for ln in reversed(lines[:i]) if ln.strip()), "")
        mark = MARKER.match(before)
        found.append(Snippet(str(path.relative_to(ROOT)), i + 1, language, body + "\n",
                             mark.group(1) if mark else None,
                             (mark.group(2) or "") if mark else ""))
        i = end + 1
    return found


def all_snippets() -> list[Snippet]:
    return [s for path in docs() for s in extract(path)]


def previous(snippet: Snippet, snippets: list[Snippet]) -> Snippet | None:
    """The block an `<!-- output -->` block belongs to: the one before it in the same doc."""
    same = [s for s in snippets if s.doc == snippet.doc and s.line < snippet.line]
    return same[-1] if same else None


# Ports as the docs show them (make run's defaults) -> the variable the test system sets.
DOC_PORTS = {"3300": "MUSEO_PORT", "8025": "MUSEO_MAILPIT_HTTP_PORT", "8089": "MUSEO_SIM_PORT",
             "9300": "MUSEO_LAUNCHER_PORT"}


def rewrite(text: str, env: dict[str, str]) -> str:
    """The docs' local URLs and data paths, pointed at a system on other ports and folders."""
    ports = {doc: env[var] for doc, var in DOC_PORTS.items() if var in env}
    if "MUSEO_METRICS_BASE_PORT" in env:  # workers from base (9301), gateway ops at base + 6
        base = int(env["MUSEO_METRICS_BASE_PORT"])
        ports.update({str(9301 + k): str(base + k) for k in range(7)})
    for doc, port in ports.items():
        text = re.sub(rf"\b(localhost|127\.0\.0\.1):{doc}\b", rf"\g<1>:{port}", text)
    if "MUSEO_AUTH_STATE_DIR" in env:
        text = text.replace(".local/data/auth/", env["MUSEO_AUTH_STATE_DIR"].rstrip("/") + "/")
    if "MUSEO_DATA_DIR" in env:
        text = text.replace(".local/data/", env["MUSEO_DATA_DIR"].rstrip("/") + "/")
    return text


def contains_lines(expected: str, actual: str) -> str | None:
    """Each non-blank expected line, in order, within the actual text (`…` = anything);
    the first line not found, or None."""
    pos = 0
    for line in (ln.strip() for ln in expected.splitlines()):
        if not line:
            continue
        parts = [re.escape(p) for p in re.split(r"\s+", line.replace(ELLIPSIS, "\0"))]
        pattern = r"\s+".join(parts).replace("\0", ".*?")
        m = re.compile(pattern).search(actual, pos)
        if not m:
            return line
        pos = m.end()
    return None


def loads_abridged(text: str) -> Any:
    """JSON as the docs abridge it: a bare `…` in an object stands for more members, in an
    array for more elements; `…` inside a string for any characters."""
    out: list[str] = []
    stack: list[str] = []
    in_string = escaped = False
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append(ch)
        elif ch in "}]" and stack:
            stack.pop()
        elif ch == ELLIPSIS:
            last = "".join(out).rstrip()[-1:]
            member = stack and stack[-1] == "{" and last != ":"
            out.append('"…": "…"' if member else '"…"')
            continue
        out.append(ch)
    return json.loads("".join(out))


def mismatch(expected: Any, actual: Any, where: str = "$") -> str | None:
    """Where a live JSON value differs from the documented one, or None. Strings are exact
    (`…` = any characters); a documented number is a sample: any number (or null) matches;
    objects have exactly the documented keys unless `…` stands for more; arrays have the
    documented elements (in any order) and, unless `…` stands for more, no others."""
    if expected == ELLIPSIS:
        return None
    if isinstance(expected, str):
        if isinstance(actual, str):
            pattern = ".*".join(re.escape(p) for p in expected.split(ELLIPSIS))
            if re.fullmatch(pattern, actual, re.DOTALL):
                return None
        return f"{where}: documented {expected!r}, got {actual!r}"
    if isinstance(expected, bool) or expected is None:
        return None if actual is expected else f"{where}: documented {expected}, got {actual!r}"
    if isinstance(expected, int | float):
        ok = actual is None or (isinstance(actual, int | float) and not isinstance(actual, bool))
        return None if ok else f"{where}: documented a number, got {actual!r}"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}: documented an object, got {actual!r}"
        keys = set(expected) - {ELLIPSIS}
        if missing := keys - set(actual):
            return f"{where}: missing {sorted(missing)}"
        if ELLIPSIS not in expected and (extra := set(actual) - keys):
            return f"{where}: undocumented {sorted(extra)}"
        return next((m for k in sorted(keys) if (m := mismatch(expected[k], actual[k],
                                                              f"{where}.{k}"))), None)
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{where}: documented an array, got {actual!r}"
        wanted = [e for e in expected if e != ELLIPSIS]
        if ELLIPSIS not in expected and len(wanted) != len(actual):
            return f"{where}: documented {len(wanted)} elements, got {len(actual)}"
        for i, e in enumerate(wanted):
            if all(mismatch(e, a) for a in actual):
                return f"{where}[{i}]: no element like {e!r} in {actual!r}"
        return None
    return f"{where}: cannot compare {expected!r}"


@dataclass(frozen=True)
class Step:
    send: str | None  # a frame to send (raw text, perhaps not JSON), or None for "expect"
    expect: Any = None


def ws_session(body: str) -> list[Step]:
    """A `<!-- ws-session -->` transcript: `→ frame` sends, `← frame` expects; a `←` frame
    continues on the lines after it until the next arrow."""
    steps: list[Step] = []
    pending: list[str] | None = None

    def flush() -> None:
        if pending is not None:
            steps.append(Step(None, loads_abridged("\n".join(pending))))

    for line in body.splitlines():
        if line.startswith("→"):
            flush()
            pending = None
            frame = line[1:].strip()
            if frame != "(connect)":
                steps.append(Step(frame))
        elif line.startswith("←"):
            flush()
            pending = [line[1:].strip()]
        elif pending is not None and line.strip():
            pending.append(line)
    flush()
    return steps
