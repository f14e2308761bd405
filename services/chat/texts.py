"""What the shop says, in the three languages it speaks."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hello! I'm the Museo shop assistant. I can find products, fill your basket and give you a payment link.",
        "es": "¡Hola! Soy el asistente de la tienda Museo. Puedo buscar productos, llenar tu cesta y darte un enlace de pago.",
        "fr": "Bonjour ! Je suis l'assistant de la boutique Museo. Je peux trouver des produits, remplir votre panier et vous donner un lien de paiement.",
    },
    "help": {
        "en": 'Try: "show me mugs under £10", "add the second one", "what\'s in my basket?", "checkout", "what is your returns policy?".',
        "es": 'Prueba: "muéstrame tazas por menos de 10 €", "añade el segundo", "¿qué hay en mi cesta?", "pagar", "¿cuál es la política de devoluciones?".',
        "fr": "Essayez : « montre-moi des tasses à moins de 10 € », « ajoute le deuxième », « qu'y a-t-il dans mon panier ? », « payer », « quelle est votre politique de retour ? ».",
    },
    "out_of_scope": {
        "en": "Sorry, I can only help with the Museo shop: products, baskets, orders and shop policies.",
        "es": "Lo siento, solo puedo ayudar con la tienda Museo: productos, cestas, pedidos y políticas.",
        "fr": "Désolé, je ne peux aider que pour la boutique Museo : produits, paniers, commandes et conditions.",
    },
    "not_available": {
        "en": "Sorry, {what} is not available yet. I can search products, manage your basket and answer questions.",
        "es": "Lo siento, {what} aún no está disponible. Puedo buscar productos, gestionar tu cesta y responder preguntas.",
        "fr": "Désolé, {what} n'est pas encore disponible. Je peux chercher des produits, gérer votre panier et répondre à vos questions.",
    },
    "unavailable": {
        "en": "Sorry, that part of the shop is not answering right now. Please try again in a moment.",
        "es": "Lo siento, esa parte de la tienda no responde ahora mismo. Inténtalo de nuevo en un momento.",
        "fr": "Désolé, cette partie de la boutique ne répond pas pour le moment. Réessayez dans un instant.",
    },
    "results": {
        "en": "Here is what I found:",
        "es": "Esto es lo que encontré:",
        "fr": "Voici ce que j'ai trouvé :",
    },
    "no_results": {
        "en": 'I found nothing for "{query}". Try other words?',
        "es": 'No encontré nada para "{query}". ¿Probamos con otras palabras?',
        "fr": "Je n'ai rien trouvé pour « {query} ». Essayons d'autres mots ?",
    },
    "which_product": {
        "en": 'Which product do you mean? Search first, then say e.g. "add the first one".',
        "es": '¿Qué producto? Busca primero y luego di, por ejemplo, "añade el primero".',
        "fr": "Quel produit ? Cherchez d'abord, puis dites par exemple « ajoute le premier ».",
    },
    "added": {
        "en": "Added {qty} × {title} to your basket.",
        "es": "Añadido {qty} × {title} a tu cesta.",
        "fr": "{qty} × {title} ajouté à votre panier.",
    },
    "removed": {
        "en": "Removed {title} from your basket.",
        "es": "Quitado {title} de tu cesta.",
        "fr": "{title} retiré de votre panier.",
    },
    "basket_empty": {
        "en": "Your basket is empty.",
        "es": "Tu cesta está vacía.",
        "fr": "Votre panier est vide.",
    },
    "basket": {
        "en": "Your basket ({n} items), subtotal {total}:",
        "es": "Tu cesta ({n} artículos), subtotal {total}:",
        "fr": "Votre panier ({n} articles), sous-total {total} :",
    },
    "checkout": {
        "en": "Here is your secure payment link (valid 30 minutes): {url}",
        "es": "Aquí tienes tu enlace de pago seguro (válido 30 minutos): {url}",
        "fr": "Voici votre lien de paiement sécurisé (valable 30 minutes) : {url}",
    },
    "admin_only": {
        "en": "Product changes are for shop admins: use the admin API or the admin MCP server with a service account.",
        "es": "Los cambios de productos son para administradores: usa la API de administración o el servidor MCP de administración.",
        "fr": "Les modifications de produits sont réservées aux administrateurs : utilisez l'API d'administration ou le serveur MCP admin.",
    },
    "problem": {
        "en": "I couldn't do that: {reason}",
        "es": "No pude hacerlo: {reason}",
        "fr": "Je n'ai pas pu le faire : {reason}",
    },
    "orders_none": {
        "en": "I can't find any order yet.",
        "es": "Todavía no encuentro ningún pedido.",
        "fr": "Je ne trouve encore aucune commande.",
    },
    "recs": {"en": "You might like:", "es": "Quizá te guste:", "fr": "Vous aimerez peut-être :"},
}

FEATURES = {
    "recommendations": {
        "en": "personal recommendations",
        "es": "las recomendaciones personales",
        "fr": "les recommandations personnelles",
    },
    "order_status": {
        "en": "order tracking",
        "es": "el seguimiento de pedidos",
        "fr": "le suivi des commandes",
    },
    "shop": {"en": "the catalog", "es": "el catálogo", "fr": "le catalogue"},
}


def say(key: str, lang: str, **kw: object) -> str:
    table = TEXTS[key]
    return table.get(lang, table["en"]).format(**kw)


def feature(name: str, lang: str) -> str:
    return FEATURES[name].get(lang, FEATURES[name]["en"])
