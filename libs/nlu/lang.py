"""Language detection restricted to en/es/fr, robust on very short texts."""

from __future__ import annotations

from typing import cast

from libs.contracts.intent import Language
from libs.nlu.text import fold, tokens

LANGS = ("en", "es", "fr")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_STOP: dict[str, frozenset[str]] = {
    "en": _set(
        "the a an and or of to in on for with is are was it this that my me i you your we do "
        "does have has can could would please what where when how which show find add remove "
        "want need some any one two three there here from be not no yes thanks thank hi hello "
        "hey much many cart basket order buy see more about tell give get like looking under "
        "over than it's i'm i'd what's don't im dont good morning evening night bye "
    ),
    "es": _set(
        "el la los las un una unos unas y o de del al en con por para es son esta este esto mi "
        "mis me yo tu tus su quiero quisiera puedo puedes hay que qué como cómo donde dónde "
        "cuando cuanto cuánto cuanta cuesta muestrame muéstrame busco buscar añade añadir "
        "agrega quita quitar elimina carrito cesta pedido comprar pagar gracias hola buenos "
        "buenas dias días tardes noches ver mas más sobre dime tienes tienen algo favor menos "
        "entre azul rojo negro blanco verde también tambien pero si sí no muy lo le se uno dos "
        "tres ayuda ayudame ayúdame necesito mío mio ¿ ¡ nuevo nueva producto productos "
        "catalogo catálogo "
    ),
    "fr": _set(
        "le la les un une des et ou de du au aux en avec pour par est sont ce cet cette ces mon "
        "ma mes moi je tu te vous votre vos nous son sa ses que qui quoi comment où quand "
        "combien coute coûte montre montrez cherche ajoute ajouter ajoutez retire retirer "
        "supprime supprimer panier commande acheter payer merci bonjour bonsoir salut voir plus "
        "sur dis avez quelque chose moins entre bleu rouge noir blanc vert aussi mais oui non "
        "tres très il elle ça ca voudrais veux peux pouvez aide aidez besoin l' d' j' qu' c' n' "
        "s' m' y a ai est-ce nouveau nouvelle produit produits catalogue "
    ),
}
STOPWORDS: frozenset[str] = frozenset().union(*_STOP.values())
_CHARS = {"es": "ñ¿¡áíóú", "fr": "çèêàâùûîïœëô"}
_SHORT = {
    "en": {"hi", "hello", "hey", "thanks", "help", "checkout", "basket", "cart", "yes"},
    "es": {
        "hola",
        "gracias",
        "ayuda",
        "carrito",
        "cesta",
        "vale",
        "adios",
        "buenas",
        "pagar",
        "taza",
        "tazas",
        "vela",
        "velas",
        "lamina",
        "bolsa",
        "postal",
        "gafas",
    },
    "fr": {
        "bonjour",
        "salut",
        "merci",
        "aide",
        "panier",
        "bonsoir",
        "coucou",
        "oui",
        "payer",
        "bougie",
        "bougies",
        "tasse",
        "affiche",
        "carte",
        "sac",
        "lampe",
    },
}


def hint_language(hint: str | None) -> str | None:
    """Language from a locale hint such as "es-ES", "fr_CA" or "en"; None when unsupported."""
    if not hint:
        return None
    code = hint.replace("_", "-").split("-")[0].lower()
    return code if code in LANGS else None


def language_scores(text: str, hint: str | None = None) -> dict[str, float]:
    """Unnormalised evidence per language (stopwords, telltale characters, hint prior)."""
    toks = tokens(text)
    lowered = text.lower()
    scores = {lang: 0.0 for lang in LANGS}
    for tok in toks:
        for lang in LANGS:
            if tok in _STOP[lang] or fold(tok) in _STOP[lang]:
                scores[lang] += 1.0
            if tok in _SHORT[lang]:
                scores[lang] += 2.0
    for lang, chars in _CHARS.items():
        scores[lang] += 1.5 * sum(lowered.count(c) for c in chars)
    if any(t.endswith("'") for t in toks):
        scores["fr"] += 1.0
    if any(t.endswith(("cion", "ción")) for t in toks):
        scores["es"] += 1.0
    preferred = hint_language(hint)
    if preferred:
        scores[preferred] += 0.75  # tie-breaker, never beats two real clues
    return scores


def as_language(code: str | None) -> Language:
    """`code` as a supported language, English when unsupported."""
    return cast(Language, code if code in LANGS else "en")


def detect_language(text: str, hint: str | None = None) -> Language:
    """Best of en/es/fr; falls back to the hint, then English, when there is no evidence."""
    scores = language_scores(text, hint)
    best = max(LANGS, key=lambda lang: (scores[lang], lang == "en"))
    if scores[best] == 0.0:
        return as_language(hint_language(hint))
    return as_language(best)
