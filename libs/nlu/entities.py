"""Entity extraction for en/es/fr: quantity, colour, size, price range, currency, category."""

from __future__ import annotations

import re

from libs.contracts.intent import Entities
from libs.nlu.lang import STOPWORDS
from libs.nlu.text import normalize

NUMBER_WORDS: dict[str, int] = {
    "one": 1, "a couple of": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "dozen": 12, "a dozen": 12,
    "un": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
    "ocho": 8, "nueve": 9, "diez": 10, "docena": 12,
    "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "douzaine": 12,
}  # fmt: skip
COLOURS: dict[str, str] = {
    "blue": "blue", "azul": "blue", "bleu": "blue", "bleue": "blue", "azules": "blue",
    "red": "red", "rojo": "red", "roja": "red", "rojos": "red", "rouge": "red",
    "green": "green", "verde": "green", "vert": "green", "verte": "green",
    "black": "black", "negro": "black", "negra": "black", "noir": "black", "noire": "black",
    "white": "white", "blanco": "white", "blanca": "white", "blanc": "white", "blanche": "white",
    "yellow": "yellow", "amarillo": "yellow", "amarilla": "yellow", "jaune": "yellow",
    "pink": "pink", "rosa": "pink", "rose": "pink", "purple": "purple", "morado": "purple",
    "violeta": "purple", "violet": "purple", "orange": "orange", "naranja": "orange",
    "grey": "grey", "gray": "grey", "gris": "grey", "gold": "gold", "dorado": "gold",
    "dore": "gold", "silver": "silver", "plateado": "silver", "argent": "silver",
    "brown": "brown", "marron": "brown", "beige": "beige",
}  # fmt: skip
CATEGORIES: dict[str, str] = {
    "print": "prints", "poster": "prints", "affiche": "prints", "lamina": "prints",
    "reproduction": "prints", "reproduccion": "prints", "cuadro": "prints", "tableau": "prints",
    "mug": "mugs", "cup": "mugs", "taza": "mugs", "tasse": "mugs",
    "lamp": "lights", "light": "lights", "lampara": "lights", "luz": "lights", "luces": "lights",
    "lampe": "lights", "lumiere": "lights", "luminaire": "lights",
    "bag": "bags", "tote": "bags", "bolsa": "bags", "bolso": "bags", "sac": "bags",
    "notebook": "stationery", "pencil": "stationery", "pen": "stationery", "journal": "stationery",
    "stationery": "stationery", "cuaderno": "stationery", "libreta": "stationery",
    "papeleria": "stationery", "lapiz": "stationery", "carnet": "stationery",
    "papeterie": "stationery", "crayon": "stationery", "stylo": "stationery",
    "ornament": "ornaments", "bauble": "ornaments", "adorno": "ornaments",
    "ornement": "ornaments", "decoration": "ornaments", "figurine": "ornaments",
    "card": "cards", "postcard": "cards", "tarjeta": "cards", "postal": "cards",
    "postales": "cards", "carte": "cards",
    "candle": "candles", "vela": "candles", "bougie": "candles",
    "scarf": "textiles", "shirt": "textiles", "tshirt": "textiles", "sock": "textiles",
    "towel": "textiles", "cushion": "textiles", "panuelo": "textiles", "camiseta": "textiles",
    "calcetin": "textiles", "cojin": "textiles", "foulard": "textiles", "echarpe": "textiles",
    "coussin": "textiles", "chaussette": "textiles", "torchon": "textiles",
    "toy": "toys", "puzzle": "toys", "jigsaw": "toys", "puzle": "toys", "juguete": "toys",
    "jouet": "toys", "peluche": "toys",
    "kitchen": "kitchen", "apron": "kitchen", "cocina": "kitchen", "delantal": "kitchen",
    "cuisine": "kitchen", "tablier": "kitchen", "plate": "kitchen", "plato": "kitchen",
    "home": "home", "hogar": "home", "maison": "home", "vase": "home", "jarron": "home",
    "clock": "home", "reloj": "home", "horloge": "home",
}  # fmt: skip
_CUR = r"(€|euros?|eur|£|gbp|pounds?|libras?|livres?|\$|usd|dollars?|dolares?|dollares?)"
_NUM = r"(\d+(?:[.,]\d{1,2})?)"
_MAX = (
    r"(?:under|below|less than|cheaper than|max|up to|at most|menos de|por debajo de|"
    r"hasta|maximo|moins de|en dessous de|jusqu'a|au plus|pas plus de)"
)
_MIN = (
    r"(?:over|above|more than|at least|min|mas de|por encima de|desde|al menos|"
    r"plus de|au dessus de|au moins|a partir de)"
)
_BETWEEN = r"(?:between|from|entre|de)"
_AND = r"(?:and|to|-|y|a|et)"
_SIZE = re.compile(
    r"\b(\d{1,3}\s?x\s?\d{1,3}(?:\s?(?:cm|mm|in))?|a[2-5]|xxl|xl|xs|"
    r"(?:size|talla|taille)\s+(?:s|m|l|xl|xs|\d{2}))\b"
)
_QTY_WORD = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))


def currency_of(token: str | None) -> str | None:
    if not token:
        return None
    t = token.lower()
    if t in {"€", "eur"} or t.startswith("euro"):
        return "EUR"
    if t in {"£", "gbp"} or t.startswith(("pound", "libra", "livre")):
        return "GBP"
    if t in {"$", "usd"} or t.startswith(("dollar", "dolar")):
        return "USD"
    return None


def _minor(num: str) -> int:
    return round(float(num.replace(",", ".")) * 100)


def _amount(pattern: str) -> str:
    """Amount with currency before or after: "20 euros", "£15", "15€"."""
    return rf"(?:{_CUR}\s?{_NUM}|{_NUM}\s?{_CUR}?)"


def extract_prices(norm: str) -> tuple[int | None, int | None, str | None]:
    """(price_min, price_max, currency) in minor units from normalised text."""
    amt = _amount("")
    between = re.search(rf"\b{_BETWEEN}\s+{amt}\s+{_AND}\s+{amt}", norm)
    if between:
        g = between.groups()
        lo, hi = g[1] or g[2], g[5] or g[6]
        cur = currency_of(g[0] or g[3] or g[4] or g[7])
        if cur or g[3] or g[7] or "precio" in norm or "price" in norm or "prix" in norm:
            return _minor(lo), _minor(hi), cur
    lo_v = hi_v = None
    cur = None
    for kind, rx in (("max", _MAX), ("min", _MIN)):
        m = re.search(rf"\b{rx}\s+{amt}", norm)
        if not m:
            continue
        c1, n1, n2, c2 = m.groups()
        has_money = c1 or c2 or re.search(r"\b(price|precio|prix|cost|euro)", norm)
        if not has_money:
            continue
        value = _minor(n1 or n2)
        cur = cur or currency_of(c1 or c2)
        if kind == "max":
            hi_v = value
        else:
            lo_v = value
    if cur is None:
        m = re.search(rf"{_CUR}\s?\d|\d\s?{_CUR}", norm)
        cur = currency_of(m.group(1) or m.group(2)) if m else None
        if cur is None:
            m2 = re.search(rf"\bin\s+{_CUR}|\ben\s+{_CUR}", norm)
            cur = currency_of(m2.group(1) or m2.group(2)) if m2 else None
    return lo_v, hi_v, cur


def extract_quantity(norm: str) -> int | None:
    """Quantity from digits or number words, ignoring sizes, prices and order numbers."""
    cleaned = _SIZE.sub(" ", norm)
    cleaned = re.sub(rf"\b{_BETWEEN}\s+\S+\s+{_AND}\s+{_NUM}", " ", cleaned)
    cleaned = re.sub(rf"\b(?:{_MAX}|{_MIN})\s+{_NUM}", " ", cleaned)
    cleaned = re.sub(rf"{_CUR}\s?{_NUM}|{_NUM}\s?{_CUR}", " ", cleaned)
    cleaned = re.sub(r"#\s?\d+|\b\d{4,}\b|\b[a-z]+-\d+\b", " ", cleaned)
    m = re.search(r"\b(\d{1,3})\b(?!\s?(?:%|cm|mm))", cleaned)
    if m:
        return int(m.group(1))
    m = re.search(rf"\b({_QTY_WORD})\b\s+(?!one\b|of them\b)\w", cleaned)
    if m and m.group(1) not in {"un", "une", "una", "one"}:
        return NUMBER_WORDS[m.group(1)]
    return None


def _lookup(words: list[str], table: dict[str, str]) -> str | None:
    for w in words:
        for cand in (w, w[:-1] if w.endswith("s") else w, w[:-2] if w.endswith("es") else w):
            if cand in table:
                return table[cand]
    return None


_FILLER = frozenset(
    str.split(
        "everything by search browse list looking look sell got anything something items "
        "stock please thanks "
        "recommend recommendations recommendation suggest suggestions ideas idea "
        "recomienda recomiendas recomiendame recomendacion recomendaciones sugiere sugerencias "
        "conseille conseillez conseiller recommande recommandez recommandations suggestions "
        "vendeis teneis tenes busca buscando ensename muestrame quiero algo lista vendez avez "
        "cherche montre montrez moi voudrais quelque chose svp stp porfa favor"
    )
)


def extract_query(text: str) -> str | None:
    """Search words left once prices, sizes, numbers and function words are removed."""
    norm = normalize(text)
    norm = re.sub(
        rf"\b(?:{_MAX}|{_MIN}|{_BETWEEN})\s+{_amount('')}(?:\s+{_AND}\s+"
        rf"{_amount('')})?",
        " ",
        norm,
    )
    norm = _SIZE.sub(" ", norm)
    words = [
        w
        for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)?", norm)
        if w not in STOPWORDS and w not in _FILLER and w not in NUMBER_WORDS and not w.isdigit()
    ]
    return " ".join(words) or None


def _clean_size(raw: str) -> str:
    value = re.sub(r"^(?:size|talla|taille)\s+", "", raw)
    return value.upper() if value.isalpha() else value


# "Order my usual" in en/es/fr: the buy-again kind of recommendations.
REORDER = re.compile(
    r"\b(?:my usual|the usual(?: order|$)|same (?:as|again|order)|as (?:usual|always|last time)|re-?order|"
    r"buy (?:it |them )?again|order (?:it |them )?again|lo (?:de )?(?:siempre|habitual|mismo)|"
    r"como siempre|(?:volver a|vuelve a|repetir (?:el|mi)) (?:pedir|comprar|pedido)|otra vez lo|"
    r"comme d'?habitude|(?:la|le) meme (?:chose|commande)|habituel(?:le)?|recommander|"
    r"racheter)\b"
)


def extract_entities(text: str) -> Entities:
    """All entities found in `text` (any of the three languages)."""
    norm = normalize(text)
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)?", norm)
    lo, hi, cur = extract_prices(norm)
    size = _SIZE.search(norm)
    order = re.search(
        r"(?:#\s?|\b(?:order|pedido|commande)\s+(?:n[o°]?\s?)?)([a-z]*-?\d{4,})", norm
    )
    pid = re.search(r"\b((?:p|prod|sku)[-_]\w*\d\w*)\b", norm)
    code = re.search(  # a catalog stock code after "product / item / reference": 85123A
        r"\b(?:product|item|article|articulo|producto|produit|reference|ref|referencia)\s+"
        r"(?:reference |ref |referencia )?#?(\d{4,6}[a-z]?)\b", norm)
    return Entities(
        quantity=extract_quantity(norm),
        colour=_lookup(words, COLOURS),
        category=_lookup(words, CATEGORIES),
        size=_clean_size(size.group(1)) if size else None,
        price_min=lo,
        price_max=hi,
        currency=cur,
        order_id=order.group(1) if order else None,
        product_ref=pid.group(1) if pid else (code.group(1).upper() if code else None),
        reorder=bool(REORDER.search(norm)),
    )
