"""The gateway's strict JSON reader: hostile documents are refused with a reason, not a 500."""

from __future__ import annotations

import pytest

from services.gateway.jsonbody import BadJson, loads_strict, nesting_depth


def test_plain_documents_parse() -> None:
    assert loads_strict(b'{"a": [1, 2.5, "x\\u00e9"], "b": {"c": null}}') == {
        "a": [1, 2.5, "xé"], "b": {"c": None}}


def test_depth_ignores_brackets_inside_strings() -> None:
    assert nesting_depth('{"a": "[[[[{{{{", "b": ["\\"[["]}') == 2


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"[" * 5000 + b"]" * 5000, "nested deeper"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "nested deeper"),
        (b'{"id": "\\ud800"}', "lone surrogate"),
        (b'{"\\udc00": 1}', "lone surrogate"),
        (b'{"price": NaN}', "NaN is not a JSON number"),
        (b'{"price": -Infinity}', "not a JSON number"),
        (b'{"price": 1e400}', "out of range"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"{nope", "not JSON"),
    ],
)
def test_hostile_documents_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(BadJson, match=reason):
        loads_strict(raw)


def test_a_valid_surrogate_pair_is_fine() -> None:
    assert loads_strict(b'"\\ud83d\\ude00"') == "\U0001f600"
