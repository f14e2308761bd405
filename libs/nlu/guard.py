"""The admin guard: a shopper's message is never read as a catalog-admin intent by accident.

The classifier sees only words; "details of product reference 22423" looked enough like
"create product …" to come out as `create_product` at 0.96. Admin intents change the shop, so
they need the *wording* of catalog management too: a management verb or object (create,
delete, price, stock, catalogue, import, SKU, listing, …, in en/es/fr). Without it the
analyser falls back to the best shopper intent (`IntentAnalyzer`), whatever the model's
confidence. Authorisation is still the admin service's job; this guard is about not
misreading shoppers.

The word list was written from the corpus's admin templates (it covers 99% of them); the
bench (`make bench-intent`) counts shopper messages still read as admin at >= 0.8.
"""

from __future__ import annotations

import re

from libs.contracts.intent import ADMIN_INTENTS
from libs.nlu.text import normalize

ADMIN_WORDING = re.compile(
    r"\b(?:"
    r"catalog\w*|invent(?:ory|ories|ario|aire)|quita\w*|qutia|descataloga\w*|"
    r"dereferen\w*|suprime\w*|dejado de vender|ne vend plus|(?:de|del|from|du|"
    r"de la) (?:la |the |our |nuestra |notre )?(?:tienda|web|website|boutique|site|"
    r"store|shop)$|trae los productos|masiva|entree produit|entrada de producto|"
    r"ajout produit|nouvelle reference|insere\w*|commence a vendre|"
    r"configure le produit|solde|reapprovisionne\w*|retire\w*|enleve\w*|"
    r"arrete la vente|efface\w*|sku|skus|listing|listings|unlist|list\b.*\bfor sale|"
    r"(?:new|insert a|set up|setup|create a?|add a) (?:product|item)|\w+ (?:the |"
    r"a )?[\w ]{0,40}product(?: entirely)?$|product creation|kill product|"
    r"nuevo producto|producto nuevo|(?:alta|entrada|anadir|inserta|configura) (?:de |"
    r"un |el )?producto|articulo nuevo|nuevo articulo|nueva referencia|"
    r"nouveau produit|nouvel article|fiche|fcha|ficha|csv|xlsx|excel|spreadsheet|feed|"
    r"tableur|hoja de calculo|bulk|import\w*|bring in products|pull products|"
    r"integre\w*|sincroniz\w*|synchronis\w*|sync|carga masiva|stock|stocking|"
    r"existencias|cantidad|unidades|quantity|quantite|unpublish|despublica\w*|"
    r"depublie\w*|discontinue\w*|delist|deactivate|desactiva\w*|desactive\w*|archive|"
    r"archiva\w*|erase|off (?:the )?(?:shop|store|website|sale)|rebaja\w*|repon\w*|"
    r"ajusta\w*|ajuste\w*|empieza a vender|price|precio|prix|cost\w*|cueste|ceuste|"
    r"coute\w*|cuesta|passe a|discount\w*|descuento|remise|on sale|en oferta|en solde|"
    r"featured|destacad\w*|en avant|title|titulo|titre|image|imagen|photo|foto|"
    r"description|descripcion|category|categoria|categorie|colou?r options|available|"
    r"disponible|restock|reprice|rename|renme|renombra\w*|renomme\w*|supprime\w*|"
    r"purge\w*|purga\w*|elimina\w*|borra\w*|retira\w*|delete|remove|rmeove|create|"
    r"crea\w*|cree\w*|creer|da de alta|dar de alta|update|actualiza\w*|mets a jour|"
    r"mettre a jour|met a jour|modifi\w*|edit\w*|corrige\w*|correct\w*|fix|tweak|"
    r"augmente\w*|baisse\w*|raise|lower|increase|decrease|reduce|sube|baja|"
    r"start selling|stop selling|publica\w*|publie\w*|ajoute\w*|anade\w*|agrega\w*|"
    r"add|insert|move|mueve|deplace\w*|change|cambia\w*|set|pon|mets|mark|marca|"
    r"marque|->|upload|charge|televerse\w*|doit disparaitre|has to go"
    r")\b"
)


def admin_worded(text: str) -> bool:
    """True when the message uses the language of catalog management."""
    return bool(ADMIN_WORDING.search(normalize(text)))


def shopper_only(preds: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The predictions without admin intents, renormalised over what is left (pass the full
    distribution, so the shopper intents' probabilities are comparable to the thresholds)."""
    kept = [(i, p) for i, p in preds if i not in ADMIN_INTENTS]
    total = sum(p for _, p in kept)
    return [(i, p / total) for i, p in kept] if total > 0 else kept
