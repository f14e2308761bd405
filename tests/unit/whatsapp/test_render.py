"""Chat replies rendered as WhatsApp messages stay within Meta's limits (the simulator's rules,
written from Meta's pages, accept them), and tapped ids map back to chat actions."""

from __future__ import annotations

from typing import Any

import pytest

from deploy.local.provider_sim.meta_rules import Invalid, check
from libs.contracts.chat import ChatAction, ChatReply
from libs.contracts.intent import IntentResult
from services.whatsapp.render import action_of, clip, render
from services.whatsapp.texts import TEXTS

TO = "34612345678"


def reply(language: str = "es", **fields: Any) -> ChatReply:
    intent = IntentResult(intent="search_products", confidence=0.9, language=language)  # type: ignore[arg-type]
    return ChatReply(conversation_id="c1", text=fields.pop("text", "Esto es lo que encontré:\n1. x"),
                     intent=intent, **fields)


def products(n: int, title: str = "Vela perfumada de lavanda en tarro de cristal grande") -> list[dict[str, Any]]:
    return [{"id": f"p{i}", "title": f"{title} {i}", "price_formatted": f"{i},99 €"} for i in range(n)]


def test_search_results_become_a_list_of_at_most_ten_rows_with_short_titles() -> None:
    [msg] = render(TO, reply(products=products(14)))
    assert check(msg) == "Esto es lo que encontré:"  # the simulator takes it
    interactive = msg["interactive"]
    assert (msg["type"], interactive["type"], msg["to"]) == ("interactive", "list", TO)
    rows = interactive["action"]["sections"][0]["rows"]
    assert len(rows) == 10
    assert all(len(r["title"]) <= 24 and len(r["description"]) <= 72 for r in rows)
    assert rows[0]["id"] == "add:p0" and rows[0]["title"].endswith("…")
    assert rows[0]["description"].startswith("0,99 € · Vela perfumada")
    assert interactive["action"]["button"] == "Ver productos"


def test_duplicate_or_idless_products_are_not_rows() -> None:
    items = [{"id": "a", "title": "A"}, {"id": "a", "title": "A again"}, {"title": "no id"}]
    [msg] = render(TO, reply(products=items))
    assert [r["id"] for r in msg["interactive"]["action"]["sections"][0]["rows"]] == ["add:a"]
    assert "description" not in msg["interactive"]["action"]["sections"][0]["rows"][0]


def test_a_basket_answer_gets_three_reply_buttons() -> None:
    cart = {"id": "k1", "lines": [{"product_id": "p1"}]}
    [msg] = render(TO, reply(text="Añadido 1 × Taza a tu cesta.", cart=cart, language="es"))
    check(msg)
    buttons = msg["interactive"]["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == ["basket", "checkout", "remove"]
    assert [b["reply"]["title"] for b in buttons] == ["Ver cesta", "Pagar", "Quitar el último"]


def test_the_payment_link_is_a_cta_url_button() -> None:
    url = "http://127.0.0.1:3300/checkout/abc"
    [msg] = render(TO, reply(language="fr", checkout_url=url, cart={"lines": [{}]}))
    check(msg)
    params = msg["interactive"]["action"]["parameters"]
    assert msg["interactive"]["type"] == "cta_url"
    assert params == {"display_text": "Payer maintenant", "url": url}


def test_anything_else_is_text_cut_to_4096() -> None:
    [msg] = render(TO, reply(text="x" * 5000, language="en"))
    assert msg["type"] == "text" and len(msg["text"]["body"]) == 4096
    assert check(msg).endswith("…")


def test_every_label_fits_its_limit_in_every_language() -> None:
    limits = {"list_button": 20, "list_section": 24, "button_basket": 20, "button_checkout": 20,
              "button_remove": 20, "pay_button": 20}
    for key, limit in limits.items():
        assert set(TEXTS[key]) == {"en", "es", "fr"}
        assert all(1 <= len(v) <= limit for v in TEXTS[key].values()), key


def test_clip_keeps_short_text_and_marks_a_cut() -> None:
    assert clip("Taza", 24) == "Taza"
    assert clip("a" * 30, 24) == "a" * 23 + "…"


@pytest.mark.parametrize(("reply_id", "expected"), [
    ("add:p-123", ChatAction(intent="add_to_basket", product_id="p-123")),
    ("basket", ChatAction(intent="view_basket")),
    ("checkout", ChatAction(intent="checkout")),
    ("remove", ChatAction(intent="remove_from_basket")),
    ("add:", None), ("delete_everything", None), (None, None), ("add:" + "x" * 65, None),
])
def test_tapped_ids_map_back_to_chat_actions(reply_id: str | None,
                                             expected: ChatAction | None) -> None:
    assert action_of(reply_id) == expected


def test_the_simulator_refuses_what_meta_refuses() -> None:
    [msg] = render(TO, reply(products=products(2)))
    msg["interactive"]["action"]["sections"][0]["rows"][0]["title"] = "x" * 25
    with pytest.raises(Invalid, match="title'] length invalid.*Max length: 24"):
        check(msg)
    cart = {"lines": [{}]}
    [buttons] = render(TO, reply(cart=cart))
    buttons["interactive"]["action"]["buttons"].append(
        {"type": "reply", "reply": {"id": "four", "title": "Four"}})
    with pytest.raises(Invalid, match="1 to 3 buttons"):
        check(buttons)
    [cta] = render(TO, reply(checkout_url="ftp://x"))
    with pytest.raises(Invalid, match="http"):
        check(cta)
