"""What the WhatsApp channel says itself (labels of buttons and lists, the polite refusals), in
the shop's three languages. Button and list labels are kept within Meta's limits (20 characters;
24 for a section title); `tests/unit/whatsapp` checks every one of them."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    # the button that opens a product list (≤ 20)
    "list_button": {"en": "See products", "es": "Ver productos", "fr": "Voir les produits"},
    # the section title of the list (≤ 24)
    "list_section": {"en": "Tap one to add it", "es": "Toca uno para añadirlo",
                     "fr": "Touchez pour ajouter"},
    # reply buttons under a basket answer (≤ 20 each)
    "button_basket": {"en": "View basket", "es": "Ver cesta", "fr": "Voir le panier"},
    "button_checkout": {"en": "Checkout", "es": "Pagar", "fr": "Payer"},
    "button_remove": {"en": "Remove last item", "es": "Quitar el último", "fr": "Retirer le dernier"},
    # the payment link (URL button ≤ 20)
    "pay_button": {"en": "Pay now", "es": "Pagar ahora", "fr": "Payer maintenant"},
    "pay_body": {
        "en": "Your basket is ready. Tap the button to pay securely (the link is valid for 30 minutes).",
        "es": "Tu cesta está lista. Toca el botón para pagar de forma segura (el enlace es válido 30 minutos).",
        "fr": "Votre panier est prêt. Touchez le bouton pour payer en toute sécurité (le lien est valable 30 minutes).",
    },
    "unsupported": {
        "en": "Sorry, I can only read text messages for now. Please write what you are looking for, e.g. \"heart mugs\".",
        "es": "Lo siento, de momento solo puedo leer mensajes de texto. Escríbeme lo que buscas, por ejemplo \"tazas de corazón\".",
        "fr": "Désolé, je ne sais lire que les messages texte pour l'instant. Écrivez-moi ce que vous cherchez, par exemple « tasses cœur ».",
    },
    "unavailable": {
        "en": "Sorry, the shop is not answering right now. Please try again in a moment.",
        "es": "Lo siento, la tienda no responde ahora mismo. Inténtalo de nuevo en un momento.",
        "fr": "Désolé, la boutique ne répond pas pour le moment. Réessayez dans un instant.",
    },
}


def say(key: str, lang: str) -> str:
    table = TEXTS[key]
    return table.get(lang, table["en"])
