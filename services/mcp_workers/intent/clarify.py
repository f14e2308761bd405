"""Clarification questions in the user's language, for when the analyser should not guess."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "search_products": "search for products", "product_details": "see a product's details",
        "add_to_basket": "add something to your basket",
        "remove_from_basket": "remove something from your basket",
        "view_basket": "see your basket", "checkout": "pay for your order",
        "recommendations": "get gift ideas", "product_question": "ask about a product or delivery",
        "order_status": "check an order", "greeting": "say hello", "help": "know what I can do",
        "create_product": "create a product", "update_product": "change a product",
        "delete_product": "delete a product", "import_products": "import products",
    },
    "es": {
        "search_products": "buscar productos", "product_details": "ver los detalles de un producto",
        "add_to_basket": "añadir algo a tu cesta", "remove_from_basket": "quitar algo de tu cesta",
        "view_basket": "ver tu cesta", "checkout": "pagar tu pedido",
        "recommendations": "ideas de regalo",
        "product_question": "preguntar por un producto o el envío",
        "order_status": "consultar un pedido", "greeting": "saludar",
        "help": "saber qué puedo hacer",
        "create_product": "crear un producto", "update_product": "modificar un producto",
        "delete_product": "eliminar un producto", "import_products": "importar productos",
    },
    "fr": {
        "search_products": "chercher des produits",
        "product_details": "voir le détail d'un produit",
        "add_to_basket": "ajouter un article au panier",
        "remove_from_basket": "retirer un article du panier",
        "view_basket": "voir votre panier", "checkout": "payer votre commande",
        "recommendations": "des idées cadeaux",
        "product_question": "une question sur un produit ou la livraison",
        "order_status": "suivre une commande", "greeting": "dire bonjour",
        "help": "savoir ce que je peux faire", "create_product": "créer un produit",
        "update_product": "modifier un produit", "delete_product": "supprimer un produit",
        "import_products": "importer des produits",
    },
}  # fmt: skip
_TWO = {
    "en": "Sorry, I'm not sure I understood. Do you want to {a} or {b}?",
    "es": "Perdona, no estoy seguro de haberte entendido. ¿Quieres {a} o {b}?",
    "fr": "Désolé, je ne suis pas sûr d'avoir compris. Voulez-vous {a} ou {b} ?",
}
_OPEN = {
    "en": "Sorry, I didn't understand. Could you say it another way?",
    "es": "Perdona, no te he entendido. ¿Puedes decirlo de otra forma?",
    "fr": "Désolé, je n'ai pas compris. Pouvez-vous le dire autrement ?",
}


def clarification_question(language: str, candidates: list[str]) -> str:
    """Ask between the two best in-scope candidates, or ask to rephrase."""
    lang = language if language in LABELS else "en"
    options = [LABELS[lang][c] for c in candidates if c in LABELS[lang]][:2]
    if len(options) == 2:
        return _TWO[lang].format(a=options[0], b=options[1])
    return _OPEN[lang]
