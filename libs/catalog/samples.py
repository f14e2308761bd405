"""A tiny hand-written catalog for unit tests and examples across services.

Small enough to reason about in an assertion, varied enough to cover the paths: multi-variant
products, es/fr titles, an out-of-stock product, a region-limited one and a per-order limit.
"""

from __future__ import annotations

from libs.contracts.catalog import LocalizedText, Product, Variant


def _product(
    pid: str, name: str, category: str, variants: list[Variant], **extra: object
) -> Product:
    fields: dict[str, object] = {
        "id": pid, "handle": name.lower().replace(" ", "-"), "title": LocalizedText(en=name),
        "category": category, "vendor": "Museo", "variants": variants,
    }
    return Product.model_validate(fields | extra)


def sample_products() -> list[Product]:
    return [
        _product("P1", "White Hanging Heart T-light Holder", "candles",
                 [Variant(sku="H-1", price=295, stock=40)], tags=["heart", "white"],
                 title=LocalizedText(en="White Hanging Heart T-light Holder",
                                     es="Portavelas corazón blanco", fr="Bougeoir cœur blanc"),
                 markets=["UK", "EU"]),
        _product("P2", "Spotty Ceramic Mug", "mugs",
                 [Variant(sku="M-RED", options={"colour": "red"}, price=250, stock=10),
                  Variant(sku="M-BLUE", options={"colour": "blue"}, price=275, stock=0)],
                 tags=["ceramic", "spotty"]),
        _product("P3", "Jumbo Bag Red Retrospot", "bags",
                 [Variant(sku="B-1", options={"size": "jumbo"}, price=195, stock=100,
                          max_per_order=5)], tags=["red"],
                 description=LocalizedText(en="A big shopping bag with red spots.")),
        _product("P4", "Vintage Paris Poster", "prints",
                 [Variant(sku="PR-1", options={"size": "50x70 cm"}, price=1250, stock=0)],
                 tags=["vintage"]),
        _product("P5", "Heart Of Wicker Small", "home",
                 [Variant(sku="W-1", price=165, stock=3)], tags=["heart"]),
        _product("P6", "Christmas Star Lights", "lights",
                 [Variant(sku="L-1", price=495, stock=12)], tags=["christmas", "star"],
                 title=LocalizedText(en="Christmas Star Lights", es="Luces estrella de Navidad",
                                     fr="Lumières étoile de Noël")),
    ]
