"""Bulk price changes in words (en/es/fr): what they select and the prices before and after."""

from __future__ import annotations

import pytest

from libs.contracts.catalog import LocalizedText, Product, Variant
from services.mcp_workers.admin.nl_bulk import parse_bulk_price, plan
from services.mcp_workers.admin.nl_product import parse_product_command


def product(pid: str, title: str, category: str, *prices: int, es: str | None = None) -> Product:
    return Product(id=pid, handle=pid, title=LocalizedText(en=title, es=es), category=category,
                   variants=[Variant(sku=f"{pid}-{i}", price=p) for i, p in enumerate(prices)])


CATALOG = [
    product("p1", "Water Lilies by Monet", "prints", 2000, 3599, es="Nenúfares de Monet"),
    product("p2", "Impression, Sunrise (Monet)", "prints", 1999),
    product("p3", "The Starry Night", "prints", 2990),
    product("m1", "Monet Garden Mug", "mugs", 850),
]


def changes(text: str) -> list[tuple[str, int, int]]:
    draft = parse_bulk_price(text)
    assert draft is not None, text
    operation = plan(draft, CATALOG)
    assert operation is not None, draft.missing
    return [(c.sku, c.before, c.after) for c in operation.changes]


@pytest.mark.parametrize("text", [
    "lower all Monet prints by 10%",
    "Lower all the Monet prints by 10 %.",
    "baja todas las láminas de Monet un 10%",
    "rebaja todas las laminas de Monet un 10 por ciento",
    "baisse toutes les estampes de Monet de 10%",
])
def test_ten_percent_off_every_monet_print_in_each_language(text: str) -> None:
    assert changes(text) == [("p1-0", 2000, 1800), ("p1-1", 3599, 3239), ("p2-0", 1999, 1799)]


def test_rounding_is_half_up_at_the_minor_unit() -> None:
    # 1999 * 0.9 = 1799.1 -> 1799; 3599 * 0.9 = 3239.1 -> 3239; 2990 * 1.05 = 3139.5 -> 3140
    assert changes("raise all The Starry Night prints by 5%") == [("p3-0", 2990, 3140)]


def test_absolute_amounts_in_the_shop_currency() -> None:
    assert changes("lower all mugs by 2 GBP") == [("m1-0", 850, 650)]
    assert changes("sube todas las tazas un 1,50 £") == [("m1-0", 850, 1000)]
    assert changes("augmente tous les mugs de 2 livres") == [("m1-0", 850, 1050)]


def test_draft_says_what_it_understood() -> None:
    draft = parse_bulk_price("lower all Monet prints by 10%")
    assert draft is not None
    assert (draft.language, draft.direction, draft.percent, draft.category, draft.words) == (
        "en", -1, "10", "prints", ["monet"])
    assert draft.describe() == "-10%"
    spanish = parse_bulk_price("sube todas las tazas un 2 GBP")
    assert spanish is not None and spanish.describe() == "+2.00 GBP"


@pytest.mark.parametrize(("text", "missing"), [
    ("lower all Monet prints by 150%", "percentage"),
    ("lower all Picasso prints by 10%", "none match"),
    ("lower all mugs by 2 EUR", "prices are in GBP"),
    ("lower all mugs by 2", "unit"),
])
def test_what_cannot_be_planned_says_why(text: str, missing: str) -> None:
    draft = parse_bulk_price(text)
    assert draft is not None
    assert plan(draft, CATALOG) is None
    assert any(missing in m for m in draft.missing), draft.missing


def test_a_price_that_would_reach_zero_is_left_out() -> None:
    draft = parse_bulk_price("lower all mugs by 10 GBP")
    assert draft is not None and plan(draft, CATALOG) is None
    assert draft.ambiguous == ["m1-0: would cost nothing or less; left as is"]


def test_other_sentences_are_not_bulk_changes() -> None:
    for text in ("add a 50x70 cm poster of The Starry Night at 29.90 GBP in prints",
                 "change the price of MUG-1 to 9.99 GBP", "delete the-starry-night"):
        assert parse_bulk_price(text) is None
    assert parse_product_command("change the price of MUG-1 to 9.99 GBP").action == "update"
