"""Keyword rules that turn a gift-ware description into a category, tags and variant options.

The source data has no categories, so they are derived from words in the description, first
rule wins (order matters: "T-LIGHT HOLDER" is a candle accessory before it is a light).
"""

from __future__ import annotations

import re


def _split(text: str) -> list[str]:
    """Word lists are kept as readable strings."""
    return text.split()


CATEGORY_RULES: list[tuple[str, frozenset[str]]] = [
    ("candles", frozenset(_split("CANDLE CANDLES T-LIGHT T-LIGHTS TEALIGHT TEALIGHTS INCENSE"))),
    ("lights", frozenset(_split("LIGHT LIGHTS LAMP LAMPS LANTERN LANTERNS LED NIGHTLIGHT"))),
    ("mugs", frozenset(_split("MUG MUGS CUP CUPS BEAKER BEAKERS TEACUP"))),
    ("cards", frozenset(_split("CARD CARDS POSTCARD POSTCARDS INVITES"))),
    ("prints", frozenset(_split("PRINT PRINTS POSTER POSTERS SIGN SIGNS PICTURE PLAQUE ART"))),
    ("bags", frozenset(_split("BAG BAGS TOTE SHOPPER PURSE HANDBAG RUCKSACK BACKPACK"))),
    ("stationery", frozenset(
        _split(
            "NOTEBOOK NOTEBOOKS PEN PENS PENCIL PENCILS ERASER STICKER STICKERS WRAP PAPER "
        "ENVELOPES "
        "TAPE CRAYONS CALENDAR DIARY JOURNAL BOOK BOOKMARK STATIONERY NOTEPAD MEMO"))),
    ("jewellery", frozenset(
        _split(
            "NECKLACE NECKLACES BRACELET EARRINGS BROOCH JEWELLERY JEWEL HAIRCLIP HAIRBAND "
        "DIAMANTE BEADED"))),
    ("ornaments", frozenset(
        _split(
            "ORNAMENT ORNAMENTS DECORATION DECORATIONS BAUBLE BAUBLES GARLAND BUNTING WREATH "
        "ANGEL FIGURE"))),
    ("textiles", frozenset(
        _split(
            "CUSHION TOWEL TOWELS APRON BLANKET THROW SCARF DOILIES FABRIC QUILT GLOVES HAT SOCKS "
        "SLIPPERS COSY"))),
    ("toys", frozenset(
        _split(
            "TOY TOYS GAME GAMES DOLL DOLLY PUZZLE JIGSAW SKIPPING HARMONICA PLAYHOUSE TEDDY "
        "SOLDIER SOLDIERS DOMINOES SPINNING"))),
    ("kitchen", frozenset(
        _split(
            "PLATE PLATES BOWL BOWLS JUG TEAPOT SPOON SPOONS CUTLERY NAPKINS COASTER COASTERS TRAY "
        "CAKE CAKESTAND BAKING LUNCH BOTTLE JAR TIN TINS KITCHEN RECIPE OVEN TUMBLER EGG "
        "BISCUIT COFFEE STRAWS CASES CHOPSTICKS"))),
    ("garden", frozenset(
        _split(
            "GARDEN PLANT PLANTER WATERING BIRDHOUSE FEEDER DOORMAT PARASOL HAMMOCK PICNIC SEED "
        "SEEDS POTS TROWEL"))),
    ("home", frozenset(
        _split(
            "CLOCK MIRROR HOOK HOOKS DRAWER BOX BOXES STORAGE CABINET SHELF BASKET DOORSTOP VASE "
        "PHOTO HOLDER WALL KEY TISSUES FRAME UMBRELLA CHEST TIDY"))),
]

COLOURS = (
    _split(
        "RED PINK BLUE GREEN WHITE BLACK YELLOW PURPLE ORANGE GOLD SILVER IVORY CREAM BROWN GREY "
    "LILAC TURQUOISE")
)
SIZES = ("MINI", "SMALL", "MEDIUM", "LARGE", "JUMBO", "GIANT")
TAG_WORDS = frozenset(
    _split(
        "CHRISTMAS VINTAGE RETRO HEART HEARTS FLOWER FLORAL BIRD BIRDS STAR STARS WOODLAND "
    "SPACEBOY PAISLEY SPOTTY POLKADOT STRAWBERRY EASTER BIRTHDAY CHILDRENS LOVE WEDDING "
    "CERAMIC GLASS WOODEN WOOD METAL ENAMEL FELT ZINC COTTON REGENCY ROSE ROSES SKULL "
    "BUTTERFLY OWL CAT DOG PARTY FAIRY ANTIQUE LACE GINGHAM")
) | frozenset(COLOURS)

_WORD_RE = re.compile(r"[A-Z0-9][A-Z0-9'\-]*")


def words(description: str) -> list[str]:
    """Upper-case words, keeping hyphenated forms ("T-LIGHT") and adding their parts."""
    out: list[str] = []
    for word in _WORD_RE.findall(description.upper()):
        out.append(word)
        if "-" in word:
            out.extend(p for p in word.split("-") if p)
    return out


def categorize(description: str) -> str:
    found = set(words(description))
    for category, keys in CATEGORY_RULES:
        if found & keys:
            return category
    return "other"


def tags_for(description: str) -> list[str]:
    return sorted({w.lower() for w in words(description) if w in TAG_WORDS})


def options_for(description: str) -> dict[str, str]:
    """Variant options the description states: a colour and/or a size."""
    found = words(description)
    options: dict[str, str] = {}
    colour = next((w for w in found if w in COLOURS), None)
    size = next((w for w in found if w in SIZES), None)
    if colour:
        options["colour"] = colour.lower()
    if size:
        options["size"] = size.lower()
    return options
