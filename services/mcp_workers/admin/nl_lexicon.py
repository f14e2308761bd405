"""Words and patterns for `nl_product` (en/es/fr), kept apart so they can grow without logic.

Matching is done on text with the original case kept (titles such as "The Starry Night" must
survive), so every pattern is case-insensitive.
"""

from __future__ import annotations

import re

CREATE_VERBS = {
    "en": ("add", "create", "new"),
    "es": ("añade", "añadir", "agrega", "agregar", "crea", "crear", "nuevo", "nueva"),
    "fr": ("ajoute", "ajouter", "ajoutez", "crée", "créer", "creer", "créez", "nouveau"),
}
ARTICLES = {
    "en": ("a", "an", "one"),
    "es": ("un", "una", "unos", "unas"),
    "fr": ("un", "une", "des"),
}
_I = re.IGNORECASE

UPDATE_PATTERNS = [
    (
        "en",
        re.compile(
            r"^(?:change|set|update|make)\s+(?:the\s+)?(?P<field>price|stock|inventory)"
            r"\s+(?:of|for|on)\s+(?P<target>.+?)\s+(?:to|at)\s+(?P<value>.+)$",
            _I,
        ),
    ),
    (
        "es",
        re.compile(
            r"^(?:cambia|cambiar|pon|poner|actualiza|actualizar|modifica|modificar)\s+"
            r"(?:el\s+)?(?P<field>precio|stock|inventario)\s+(?:de|del)\s+"
            r"(?P<target>.+?)\s+(?:a|en)\s+(?P<value>.+)$",
            _I,
        ),
    ),
    (
        "fr",
        re.compile(
            r"^(?:change|changer|changez|modifie|modifier|modifiez|mets|mettre|"
            r"mettez)\s+(?:le\s+)?(?P<field>prix|stock)\s+(?:de|du|des)\s+"
            r"(?P<target>.+?)\s+(?:à|a)\s+(?P<value>.+)$",
            _I,
        ),
    ),
]
DELETE_PATTERNS = [
    ("en", re.compile(r"^(?:delete|remove)\s+(?:the\s+)?(?:product\s+)?(?P<target>.+)$", _I)),
    (
        "es",
        re.compile(
            r"^(?:elimina|eliminar|borra|borrar|quita|quitar)\s+(?:el\s+)?"
            r"(?:producto\s+)?(?P<target>.+)$",
            _I,
        ),
    ),
    (
        "fr",
        re.compile(
            r"^(?:supprime|supprimer|supprimez|retire|retirer|efface|effacer)\s+"
            r"(?:le\s+)?(?:produit\s+)?(?P<target>.+)$",
            _I,
        ),
    ),
]
PRICE_FIELDS = {"price", "precio", "prix"}

CURRENCY_WORDS = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "libra": "GBP",
    "libras": "GBP",
    "livre": "GBP",
    "livres": "GBP",
    "$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "dólar": "USD",
    "dólares": "USD",
    "dolares": "USD",
}
_CUR = r"(?:[€£$]|\b(?:eur|gbp|usd|euros?|pounds?|libras?|livres?|dollars?|dólar(?:es)?|dolares)\b)"
MONEY = re.compile(
    r"(?:\b(?P<prep>at|for|a|à|por|pour|price|precio|prix)\s+)?"
    rf"(?P<pre>{_CUR})?\s*(?P<amount>\d+(?:[.,]\d+)*)(?!\s*[x×]\s*\d)\s*(?P<post>{_CUR})?",
    _I,
)
SIZE = re.compile(
    r"\b(?P<w>\d+(?:[.,]\d+)?)\s*[x×]\s*(?P<h>\d+(?:[.,]\d+)?)\s*"
    r"(?P<unit>cm|mm|in|m)?\b",
    _I,
)
SIZE_WORD = re.compile(r"\b(?:size|talla|tamaño|taille)\s+(?P<size>XXS|XS|S|M|L|XL|XXL|\d+)\b", _I)
CAPACITY = re.compile(r"\b(?P<n>\d+)\s*(?P<unit>ml|cl|l|oz)\b", _I)
STOCK = re.compile(
    r"\b(?:with\s+|con\s+|avec\s+)?(?P<n>\d+)\s+(?:in stock|units|unidades|"
    r"en stock|unités|unites|pcs)\b",
    _I,
)
CATEGORY = re.compile(
    r"\s+(?:in|into|under|en|dans)\s+(?:the\s+|la\s+|le\s+|les\s+|el\s+|los\s+|las\s+)?"
    r"(?:(?:category|categoría|categoria|catégorie|categorie|rayon|sección|seccion)\s+)?"
    r"(?P<cat>[\w'-]+(?:\s+[\w'-]+)?)\s*$",
    _I,
)
OF = {
    "en": re.compile(r"\s+of\s+", _I),
    "es": re.compile(r"\s+(de(?:l)?)\s+", _I),
    "fr": re.compile(r"\s+(de la|de l'|du|des|de|d')\s*", _I),
}

# Product nouns (es/fr/en) -> (English noun, category).
NOUNS = {
    "poster": ("poster", "prints"),
    "print": ("print", "prints"),
    "póster": ("poster", "prints"),
    "lámina": ("print", "prints"),
    "affiche": ("poster", "prints"),
    "reproduction": ("print", "prints"),
    "mug": ("mug", "mugs"),
    "taza": ("mug", "mugs"),
    "tasse": ("mug", "mugs"),
    "candle": ("candle", "candles"),
    "vela": ("candle", "candles"),
    "bougie": ("candle", "candles"),
    "scented candle": ("scented candle", "candles"),
    "vela perfumada": ("scented candle", "candles"),
    "bougie parfumée": ("scented candle", "candles"),
    "t-shirt": ("t-shirt", "apparel"),
    "camiseta": ("t-shirt", "apparel"),
    "tee-shirt": ("t-shirt", "apparel"),
    "tote bag": ("tote bag", "bags"),
    "bolsa": ("tote bag", "bags"),
    "sac": ("tote bag", "bags"),
    "book": ("book", "books"),
    "libro": ("book", "books"),
    "livre": ("book", "books"),
    "magnet": ("magnet", "gifts"),
    "imán": ("magnet", "gifts"),
    "aimant": ("magnet", "gifts"),
    "postcard": ("postcard", "stationery"),
    "postal": ("postcard", "stationery"),
    "carte postale": ("postcard", "stationery"),
}
# Category words in es/fr -> canonical catalog category.
CATEGORIES = {
    "prints": "prints",
    "posters": "prints",
    "láminas": "prints",
    "laminas": "prints",
    "affiches": "prints",
    "estampes": "prints",
    "mugs": "mugs",
    "tazas": "mugs",
    "tasses": "mugs",
    "candles": "candles",
    "velas": "candles",
    "bougies": "candles",
    "books": "books",
    "libros": "books",
    "livres": "books",
    "apparel": "apparel",
    "ropa": "apparel",
    "vêtements": "apparel",
    "bags": "bags",
    "bolsas": "bags",
    "sacs": "bags",
    "gifts": "gifts",
    "regalos": "gifts",
    "cadeaux": "gifts",
    "stationery": "stationery",
    "papelería": "stationery",
    "papeterie": "stationery",
    "jewellery": "jewellery",
    "joyería": "jewellery",
    "bijoux": "jewellery",
    "home": "home",
    "hogar": "home",
    "maison": "home",
}
