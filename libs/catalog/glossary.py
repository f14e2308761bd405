"""A small en -> es/fr keyword glossary for gift-ware.

The demo catalog has English titles only. This glossary gives Spanish and French titles to the
products whose words it knows, and lets search map a Spanish or French query word ("tazas",
"bougie") back to the English catalog term. It is deliberately small: a shop with real
translations ships them in `Product.title.es/fr` and search indexes those directly.
"""

from __future__ import annotations

from functools import lru_cache

from libs.catalog.text import fold, stem

# en word -> (es, fr)
GLOSSARY: dict[str, tuple[str, str]] = {
    "mug": ("taza", "tasse"), "cup": ("taza", "tasse"), "bag": ("bolsa", "sac"),
    "heart": ("corazón", "cœur"), "candle": ("vela", "bougie"), "light": ("luz", "lumière"),
    "lights": ("luces", "lumières"), "card": ("tarjeta", "carte"),
    "christmas": ("navidad", "noël"), "box": ("caja", "boîte"), "plate": ("plato", "assiette"),
    "bowl": ("cuenco", "bol"), "frame": ("marco", "cadre"), "sign": ("cartel", "panneau"),
    "notebook": ("cuaderno", "carnet"), "pen": ("bolígrafo", "stylo"),
    "pencil": ("lápiz", "crayon"), "poster": ("póster", "affiche"), "print": ("lámina", "estampe"),
    "paper": ("papel", "papier"), "wrap": ("envoltorio", "emballage"), "tea": ("té", "thé"),
    "cake": ("pastel", "gâteau"), "flower": ("flor", "fleur"), "bird": ("pájaro", "oiseau"),
    "star": ("estrella", "étoile"), "tree": ("árbol", "arbre"), "garden": ("jardín", "jardin"),
    "kitchen": ("cocina", "cuisine"), "doormat": ("felpudo", "paillasson"),
    "umbrella": ("paraguas", "parapluie"), "clock": ("reloj", "horloge"),
    "mirror": ("espejo", "miroir"), "necklace": ("collar", "collier"),
    "bracelet": ("pulsera", "bracelet"), "earrings": ("pendientes", "boucles"),
    "ring": ("anillo", "bague"), "toy": ("juguete", "jouet"), "doll": ("muñeca", "poupée"),
    "glass": ("vidrio", "verre"), "ceramic": ("cerámica", "céramique"),
    "wooden": ("madera", "bois"), "set": ("juego", "lot"), "holder": ("soporte", "support"),
    "decoration": ("decoración", "décoration"), "ornament": ("adorno", "ornement"),
    "cushion": ("cojín", "coussin"), "cover": ("funda", "housse"), "towel": ("toalla", "torchon"),
    "apron": ("delantal", "tablier"), "lantern": ("farol", "lanterne"),
    "hanging": ("colgante", "suspendu"), "bottle": ("botella", "bouteille"),
    "jar": ("tarro", "bocal"), "basket": ("cesta", "panier"), "lunch": ("almuerzo", "déjeuner"),
    "jewellery": ("joyería", "bijoux"), "garland": ("guirnalda", "guirlande"),
    "bunting": ("banderines", "fanions"), "tin": ("lata", "boîte"), "napkins": ("servilletas",
    "serviettes"), "red": ("rojo", "rouge"), "pink": ("rosa", "rose"), "blue": ("azul", "bleu"),
    "green": ("verde", "vert"), "white": ("blanco", "blanc"), "black": ("negro", "noir"),
    "yellow": ("amarillo", "jaune"), "purple": ("morado", "violet"), "gold": ("dorado", "doré"),
    "silver": ("plateado", "argenté"), "small": ("pequeño", "petit"), "large": ("grande", "grand"),
    "jumbo": ("gigante", "géant"), "childrens": ("infantil", "enfant"), "retro": ("retro", "rétro"),
    "vintage": ("vintage", "vintage"), "birthday": ("cumpleaños", "anniversaire"),
    "wall": ("pared", "mural"), "key": ("llave", "clé"), "spoon": ("cuchara", "cuillère"),
}

CATEGORY_LABELS: dict[str, tuple[str, str, str]] = {
    "prints": ("prints posters", "láminas pósters", "affiches estampes"),
    "mugs": ("mugs cups", "tazas", "tasses"),
    "lights": ("lights lighting", "luces iluminación", "lumières éclairage"),
    "bags": ("bags", "bolsas", "sacs"),
    "stationery": ("stationery", "papelería", "papeterie"),
    "ornaments": ("ornaments decorations", "adornos decoración", "ornements décorations"),
    "cards": ("cards", "tarjetas", "cartes"),
    "candles": ("candles", "velas", "bougies"),
    "textiles": ("textiles", "textiles", "textiles"),
    "toys": ("toys games", "juguetes juegos", "jouets jeux"),
    "kitchen": ("kitchen tableware", "cocina vajilla", "cuisine vaisselle"),
    "home": ("home decor", "hogar decoración", "maison décoration"),
    "garden": ("garden outdoor", "jardín exterior", "jardin extérieur"),
    "jewellery": ("jewellery jewelry", "joyería", "bijoux"),
    "other": ("gifts", "regalos", "cadeaux"),
}


def translate_word(word: str, lang: str) -> str | None:
    """The es/fr word for an English word (plural "-s" tolerated), or None if unknown."""
    if lang not in ("es", "fr"):
        return None
    key = word.lower()
    entry = GLOSSARY.get(key) or (GLOSSARY.get(key[:-1]) if key.endswith("s") else None)
    if entry is None:
        return None
    return entry[0] if lang == "es" else entry[1]


def translate_title(title: str, lang: str) -> str | None:
    """Word-by-word title translation; None when no word is known (keep the English title)."""
    words = title.split()
    out = [translate_word(w, lang) for w in words]
    if not any(out):
        return None
    return " ".join((t.capitalize() if i == 0 else t) if t else w for i, (w, t) in
                    enumerate(zip(words, out, strict=True)))


@lru_cache(maxsize=4)
def reverse_stems(lang: str) -> dict[str, str]:
    """Stemmed, folded es/fr word -> English word, for query-time translation."""
    index = 0 if lang == "es" else 1
    out: dict[str, str] = {}
    for en, pair in GLOSSARY.items():
        for part in fold(pair[index]).split():
            out.setdefault(stem(part, lang), en)
    for en_label, *labels in CATEGORY_LABELS.values():
        for en_word, other in zip(en_label.split(), labels[index].split(), strict=False):
            out.setdefault(stem(fold(other), lang), en_word)
    return out
