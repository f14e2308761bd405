"""The rules tests/e2e/test_docs_snippets.py applies to the docs' blocks, without a system:
every block is runnable or visibly marked, and the helpers that point the docs at a test
system and compare live frames with documented ones can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docsnippets import (
    Snippet,
    all_snippets,
    contains_lines,
    extract,
    loads_abridged,
    mismatch,
    rewrite,
    ws_session,
)


def test_every_block_in_the_docs_is_runnable_or_marked() -> None:
    snippets = all_snippets()
    assert len(snippets) >= 20
    assert [r for s in snippets if (r := s.refusal())] == []
    languages = {s.language for s in snippets if s.marker is None}
    assert {"bash", "json", "python", "js"} <= languages


def test_an_unmarked_block_without_a_runnable_language_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("# x\n\n```\nmake run\n```\n\n<!-- not-run: blocks -->\n"
                                   "```bash\nmake run\n```\n\n<!-- not-run: -->\n```\nx\n```\n")
    got = [Snippet(s.doc.replace(str(tmp_path), "x"), s.line, s.language, s.body, s.marker,
                   s.note) for s in _extract_outside_repo(tmp_path / "x.md")]
    assert "without a language" in (got[0].refusal() or "")
    assert got[1].refusal() is None and got[1].note == "blocks"
    assert "must say why" in (got[2].refusal() or "")


def _extract_outside_repo(path: Path) -> list[Snippet]:
    import tests.docsnippets as mod

    saved = mod.ROOT
    mod.ROOT = path.parent
    try:
        return extract(path)
    finally:
        mod.ROOT = saved


def test_rewrite_points_doc_urls_and_paths_at_the_test_system() -> None:
    env = {"MUSEO_PORT": "41000", "MUSEO_SIM_PORT": "41001", "MUSEO_METRICS_BASE_PORT": "42001",
           "MUSEO_DATA_DIR": "/d", "MUSEO_AUTH_STATE_DIR": "/a"}
    text = ("curl localhost:3300/x http://127.0.0.1:3300/ 127.0.0.1:9307 localhost:8089 "
            "localhost:33000 .local/data/auth/k.secret .local/data/whatsapp-verify.token")
    assert rewrite(text, env) == ("curl localhost:41000/x http://127.0.0.1:41000/ "
                                  "127.0.0.1:42007 localhost:41001 localhost:33000 "
                                  "/a/k.secret /d/whatsapp-verify.token")


def test_contains_lines_in_order_with_ellipsis() -> None:
    out = "  WhatsApp  webhook http://x/webhooks/whatsapp   verify token: 9ab3\n  more\n"
    assert contains_lines("WhatsApp webhook http://x/webhooks/whatsapp verify token: …", out) is None
    assert contains_lines("more\nWhatsApp", out) == "WhatsApp"
    assert contains_lines("42", "41\n") == "42"


def test_abridged_json_and_matching() -> None:
    doc = loads_abridged('{"type": "reply", "n": 7, "data": {"country": "FR", …}, '
                         '"types": ["ping", …], "msg": "bad; …"}')
    live = {"type": "reply", "n": 3, "data": {"country": "FR", "currency": "EUR"},
            "types": ["chat", "ping"], "msg": "bad; really"}
    assert mismatch(doc, live) is None
    assert mismatch(doc, {**live, "type": "error"}) == "$.type: documented 'reply', got 'error'"
    assert "undocumented" in (mismatch({"a": 1}, {"a": 1, "b": 2}) or "")
    assert "elements" in (mismatch(["ping"], ["ping", "chat"]) or "")
    assert "no element" in (mismatch(doc, {**live, "types": ["chat"]}) or "")
    assert mismatch(True, False) is not None


def test_ws_session_steps() -> None:
    steps = ws_session('→ (connect)\n← {"type": "welcome",\n   "x": …}\n→ not json\n'
                       '← {"type": "error"}\n')
    assert [s.send for s in steps] == [None, "not json", None]
    assert steps[0].expect == {"type": "welcome", "x": "…"}


@pytest.mark.parametrize("snippet", [s for s in all_snippets() if s.language == "json"
                                     and s.marker is None], ids=lambda s: s.id)
def test_json_blocks_parse(snippet: Snippet) -> None:
    import json

    json.loads(snippet.body)
