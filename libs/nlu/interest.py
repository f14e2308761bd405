"""Gift requests: what the recipient is into is the query, not the gift words.

"a gift for my mum who loves Monet" has one useful word for the catalog: Monet. The plain
query extraction kept "gift mum who loves monet", and the recommender's interest score then
spread its weight over "gift", "mum" and "love", words many products carry. A gift request
is read deliberately (docs/intent.md): `recommendations` (or `search_products`) with the
*interest* as `entities.query` — the words after "who loves / que adora / qui aime …", else
the query without the gift and recipient words — so the recommendations are seeded by it
and the chat can fall back to a catalog search for it.
"""

from __future__ import annotations

import re

from libs.nlu.entities import extract_query
from libs.nlu.text import normalize

GIFT = re.compile(
    r"\b(?:gifts?|present|presents|regalos?|regalar|obsequios?|cadeaux?|offrir|"
    r"birthday|cumpleanos|anniversaire|christmas|navidad|noel|stocking filler)\b"
)
# The recipient's interest: whatever follows these, to the end of the sentence.
_LOVES = re.compile(
    r"\b(?:who|that|she|he|they)?\s*(?:loves?|likes?|adores?|enjoys?|is (?:into|mad about|"
    r"crazy about|a fan of|obsessed with|passionate about)|(?:que|quien|a quien|al que|a la que)"
    r"\s+(?:le |les )?(?:adora|ama|encanta|encantan|gusta|gustan|apasiona|es fan de|"
    r"es fanatica? de)|fan de|amante de|apasionad[oa] (?:de|por)|aficionad[oa] a|"
    r"qui (?:adore|aime|est fan de|est passionnee? (?:de|par)|raffole de)|"
    r"passionnee? (?:de|par)|amoureux de|amoureuse de)\s+(?P<interest>.+)$"
)
_NOT_INTEREST = frozenset(
    str.split(
        "gift gifts present presents idea ideas something nice birthday christmas for "
        "mum mom mother dad father sister brother friend boss teacher girlfriend boyfriend "
        "wife husband grandmother grandma grandfather grandpa son daughter aunt uncle "
        "colleague partner who loves likes lover year old "
        "regalo regalos regalar obsequio idea ideas cumpleanos navidad para "
        "madre mama padre papa hermana hermano amigo amiga jefe jefa profesor profesora "
        "novia novio mujer marido abuela abuelo hijo hija tia tio companero companera pareja "
        "adora ama encanta encantan gusta gustan apasiona anos "
        "cadeau cadeaux offrir idee idees anniversaire noel pour "
        "mere maman pere soeur frere ami amie patron patronne prof professeur copine copain "
        "femme mari grand-mere grand-pere fils fille tante oncle collegue adore aime ans"
    )
)


def is_gift(text: str) -> bool:
    return bool(GIFT.search(normalize(text)))


def gift_interest(text: str) -> str | None:
    """The recipient's interest in a gift request ("monet"), or None when none was said."""
    norm = normalize(text)
    loves = _LOVES.search(norm)
    query = extract_query(loves.group("interest") if loves else norm) or ""
    words = [w for w in query.split() if w not in _NOT_INTEREST and len(w) > 1]
    return " ".join(words) or None


def stated_query(text: str) -> str | None:
    """The query of a search or recommendation request: the interest for a gift or for
    someone "who loves …", else the search words (`extract_query`)."""
    if is_gift(text) or _LOVES.search(normalize(text)):
        return gift_interest(text)
    return extract_query(text)
