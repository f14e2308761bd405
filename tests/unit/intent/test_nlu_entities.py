import pytest

from libs.nlu.entities import extract_entities, extract_query


@pytest.mark.parametrize(
    ("text", "quantity"),
    [("add two mugs", 2), ("quiero dos tazas", 2), ("ajoute deux bougies", 2), ("3 prints", 3),
     ("a couple of candles", 2), ("add the mug", None), ("posters under 20 euros", None),
     ("entre 10 y 30 €", None), ("print 50x70 cm", None), ("order #10234", None)],
)  # fmt: skip
def test_quantity(text: str, quantity: int | None) -> None:
    assert extract_entities(text).quantity == quantity


@pytest.mark.parametrize(
    ("text", "colour"),
    [("blue mugs", "blue"), ("tazas rojas", "red"), ("une affiche bleue", "blue"),
     ("en verde", "green"), ("noir", "black"), ("a mug", None)],
)  # fmt: skip
def test_colour_is_canonical_english(text: str, colour: str | None) -> None:
    assert extract_entities(text).colour == colour


@pytest.mark.parametrize(
    ("text", "lo", "hi", "cur"),
    [("posters under 20 euros", None, 2000, "EUR"), ("entre 10 y 30 €", 1000, 3000, "EUR"),
     ("moins de 15 €", None, 1500, "EUR"), ("between £10 and £25", 1000, 2500, "GBP"),
     ("less than $30", None, 3000, "USD"), ("desde 15 euros", 1500, None, "EUR"),
     ("mugs for less than 12.50 EUR", None, 1250, "EUR"), ("how much is it in euros?", None, None,
     "EUR"), ("blue mugs", None, None, None)],
)  # fmt: skip
def test_price_range_in_minor_units(
    text: str, lo: int | None, hi: int | None, cur: str | None
) -> None:
    e = extract_entities(text)
    assert (e.price_min, e.price_max, e.currency) == (lo, hi, cur)


@pytest.mark.parametrize(
    ("text", "category"),
    [("Starry Night poster", "prints"), ("una taza", "mugs"), ("bougies parfumées", "candles"),
     ("tote bag", "bags"), ("cuaderno", "stationery"), ("cartes postales", "cards"),
     ("lampe Tiffany", "lights"), ("christmas ornaments", "ornaments"), ("jigsaw", "toys"),
     ("scarf", "textiles"), ("delantal", "kitchen"), ("vase", "home")],
)  # fmt: skip
def test_category_words_map_to_canonical_categories(text: str, category: str) -> None:
    assert extract_entities(text).category == category


def test_sizes_and_ids() -> None:
    assert extract_entities("the print in 50x70 cm").size == "50x70 cm"
    assert extract_entities("t-shirt size M").size == "M"
    assert extract_entities("poster A3").size == "a3"
    assert extract_entities("where is order #10234").order_id == "10234"
    assert extract_entities("estado del pedido MUS-4821").order_id == "mus-4821"
    assert extract_entities("details of sku-123").product_ref == "sku-123"


@pytest.mark.parametrize(
    ("text", "query"),
    [("do you have blue mugs under 20 euros?", "blue mugs"), ("show me everything by Monet", "monet"),
     ("busco velas de lavanda por menos de 15 €", "velas lavanda"),
     ("je cherche des affiches 50x70 cm entre 10 et 30 €", "affiches"), ("hello", None)],
)  # fmt: skip
def test_search_query_drops_prices_sizes_and_function_words(text: str, query: str | None) -> None:
    assert extract_query(text) == query
