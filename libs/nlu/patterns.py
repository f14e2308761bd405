"""The pattern stage: high-precision regexes per intent and language over normalised text.

Each rule carries a confidence measured against the labelled corpus (see the unit tests);
`match_patterns` returns None when nothing matches, so the model decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from libs.contracts.intent import IntentResult
from libs.nlu.entities import extract_entities
from libs.nlu.lang import as_language, detect_language
from libs.nlu.text import normalize


@dataclass(frozen=True)
class Rule:
    intent: str
    regex: re.Pattern[str]
    confidence: float


_BASKET = r"(?:basket|cart|trolley|bag)"
_CESTA = r"(?:carrito|cesta|carro)"
_CATALOG = r"(?:catalog|catalogue|shop|store|inventory|catalogo|tienda|inventario|boutique)"

_RULES_SRC: list[tuple[str, float, str]] = [
    # greetings and help: whole utterance only
    (
        "greeting",
        0.97,
        r"^(?:hi+|hello+|hey+|hiya|howdy|yo|good (?:morning|afternoon|evening)|"
        r"hola+|buenas|buenos dias|buenas (?:tardes|noches)|hola que tal|que tal|"
        r"bonjour|salut|bonsoir|coucou|allo|bonjour a tous)(?: there| all| everyone| team| museo)?$",
    ),
    (
        "help",
        0.95,
        r"^(?:help|help me|help please|please help|what can you do|how does this work|"
        r"what can i (?:do|ask)(?: here)?|ayuda|ayudame|ayuda por favor|que puedes hacer|"
        r"como funciona(?: esto)?|aide|aidez moi|aide moi|que peux tu faire|que pouvez vous faire|"
        r"comment ca marche)$",
    ),
    # admin
    (
        "import_products",
        0.93,
        r"\b(?:import|bulk upload|bulk import|importa\w*|carga masiva|"
        r"importe\w*|importation)\b.*\b(?:products?|catalog\w*|csv|spreadsheet|xlsx|excel|feed|"
        r"file|productos|archivo|hoja|produits|fichier|tableur)\b",
    ),
    (
        "delete_product",
        0.93,
        rf"\b(?:delete|remove|elimina\w*|borra\w*|quita\w*|retira\w*|"
        rf"supprim\w*|retire\w*|enleve\w*)\b.*\b(?:from|del|de la|du|de l')\s?(?:the |our |el |"
        rf"la |le |notre )?{_CATALOG}\b",
    ),
    (
        "create_product",
        0.93,
        r"\b(?:create|add|crea\w*|da de alta|dar de alta|anad\w*|agreg\w*|"
        r"cree\w*|creer|ajout\w*)\b.*\b(?:new product|producto nuevo|nuevo producto|"
        r"nouveau produit|produit nouveau|new item|new listing)\b",
    ),
    (
        "create_product",
        0.92,
        rf"\b(?:add|anad\w*|agreg\w*|ajout\w*)\b.*\b(?:to the|al|au|a la)"
        rf" {_CATALOG}\b",
    ),
    (
        "update_product",
        0.9,
        r"\b(?:change|update|set|edit|cambia\w*|actualiza\w*|modifica\w*|"
        r"modifie\w*|mets a jour|mettre a jour|met a jour)\b.*\b(?:price|stock|description|title|"
        r"precio|existencias|descripcion|titulo|prix|titre)\b.*\b(?:to|a|en|por|de)\b",
    ),
    # a product asked about by its reference (the catalog's stock codes: 22423, 85123A); the
    # model had no such phrasing and read "details of product reference 22423" as an admin
    # intent (issue 12)
    (
        "product_details",
        0.9,
        r"^(?:(?:the )?(?:details?|info(?:rmation)?|specs?|description) (?:of|on|for|about)|"
        r"tell me (?:more )?about|show me|(?:los )?detalles? (?:del?|sobre)|"
        r"(?:la )?informacion (?:del?|sobre)|hablame (?:del?|sobre)|ensename|"
        r"(?:les )?details? (?:du|de|sur)|(?:les )?infos? (?:du|de|sur)|parlez? moi (?:du|de)|"
        r"montrez? moi)\s+(?:the |el |la |le |l')?(?:product |item |article |articulo |producto |"
        r"produit |reference |ref |referencia )?(?:reference |ref |referencia |no |n )?"
        r"(?:#\s?)?\d{4,6}[a-z]?$",
    ),
    # buy again: "order my usual", "lo de siempre", "comme d'habitude"
    (
        "recommendations",
        0.9,
        r"\b(?:(?:order|get|buy|want|need) (?:me )?(?:my|the) usual|(?:my|the) usual order|"
        r"(?:re-?order|buy again|order again)\b.*\b(?:usual|last time|same)|"
        r"(?:pide|pideme|quiero|dame) lo (?:de siempre|habitual)|lo de siempre|"
        r"(?:comme d'?habitude|ma commande habituelle|la meme chose que la derniere fois))\b",
    ),
    # basket
    (
        "remove_from_basket",
        0.93,
        rf"\b(?:remove|delete|take|drop|quita\w*|elimina\w*|borra\w*|"
        rf"saca\w*|retire\w*|retir\w*|enleve\w*|supprime\w*|ote\w*)\b.*\b(?:from|out of|del|de la|"
        rf"de mi|du|de mon|de ma)\s?(?:my |the |el |la |mi |le )?(?:{_BASKET}|{_CESTA}|panier)\b",
    ),
    (
        "add_to_basket",
        0.93,
        rf"\b(?:add|put|pop|throw|stick|anad\w*|agreg\w*|mete\w*|pon\w*|"
        rf"ajout\w*|met\w*|mettez)\b.*\b(?:to|in|into|al|a la|en (?:el|la|mi)|au|dans (?:le|mon|"
        rf"ma))\s?(?:my |the |mi )?(?:{_BASKET}|{_CESTA}|panier)\b",
    ),
    (
        "view_basket",
        0.95,
        rf"^(?:(?:my |the )?{_BASKET}|(?:mi |el )?{_CESTA}|(?:mon |le )?panier)"
        rf"$|\b(?:what'?s|what is|whats) in (?:my|the) {_BASKET}\b|\b(?:show|see|view|open|check)"
        rf" (?:me )?(?:my|the) {_BASKET}\b|\bque (?:hay|tengo) en (?:mi|el|la) {_CESTA}\b|"
        rf"\b(?:ver|muestrame|ensename|mostrar) (?:mi|el|la) {_CESTA}\b|\bqu'(?:est ce qu'il y a|"
        r"y a t il) dans (?:mon|le) panier\b|\b(?:voir|montre moi|affiche|afficher) (?:mon|le) "
        r"panier\b",
    ),
    (
        "checkout",
        0.94,
        r"^(?:checkout|check out|pay|pay now|pagar|finalizar compra|payer|"
        r"passer commande)$|\b(?:proceed|go) to (?:the )?(?:checkout|payment)\b|\b(?:i'?d like|"
        r"i want|ready|let me|i would like) to (?:pay|check ?out)\b|\b(?:quiero|quisiera|voy a) "
        r"(?:pagar|finalizar (?:la )?compra|tramitar (?:el )?pedido)\b|\b(?:ir|pasar) (?:a|al) "
        r"(?:pago|caja)\b|\b(?:je veux|je voudrais|je souhaite) (?:payer|passer (?:la )?commande|"
        r"finaliser)\b|\b(?:passer|aller) (?:a la caisse|au paiement)\b",
    ),
    (
        "order_status",
        0.94,
        r"\bwhere(?:'?s| is) my (?:order|parcel|package|delivery)\b|"
        r"\btrack(?:ing)? (?:my )?(?:order|parcel|package)\b|\b(?:status of (?:my )?order|order "
        r"status)\b|\bdonde (?:esta|estan) mis? (?:pedido|paquete|compra)s?\b|\b(?:estado|"
        r"seguimiento) (?:de|del) (?:mi )?pedido\b|\brastrear (?:mi )?pedido\b|\bou (?:est|en est)"
        r" ma (?:commande|colis|livraison)\b|\b(?:suivi|statut|suivre) (?:de )?(?:ma )?commande\b",
    ),
]
RULES: list[Rule] = [Rule(i, re.compile(rx), c) for i, c, rx in _RULES_SRC]


def match_patterns(
    text: str, language: str | None = None, hint: str | None = None
) -> IntentResult | None:
    """First matching rule as an `IntentResult` (source "pattern"), or None."""
    norm = normalize(text)
    if not norm or len(norm) > 300:
        return None
    for rule in RULES:
        if rule.regex.search(norm):
            lang = language or detect_language(text, hint)
            return IntentResult(
                intent=rule.intent,
                confidence=rule.confidence,
                entities=extract_entities(text),
                language=as_language(lang),
                source="pattern",
            )
    return None
