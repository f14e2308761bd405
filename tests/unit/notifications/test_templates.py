"""Templates: language from profile or phone region, CLDR money and dates, fallback, escaping."""

from __future__ import annotations

import pytest

from libs.contracts.notifications import Contact
from services.notifications.templating import TemplateRenderer, language_for, locale_for

ORDER = {
    "order_id": "ord_42", "created_at": "2026-12-02T10:00:00+00:00", "currency": "EUR",
    "subtotal": 123450, "shipping": 0, "tax": 0, "total": 123450,
    "lines": [{"quantity": 2, "title": "Heart <script>", "line_total": 123450}],
}


@pytest.fixture(scope="module")
def renderer() -> TemplateRenderer:
    return TemplateRenderer()


@pytest.mark.parametrize(("contact", "language"), [
    (Contact(language="fr-CA", phone="+34612345678"), "fr"),  # the profile wins
    (Contact(phone="+34612345678"), "es"),  # phone -> ES -> es
    (Contact(phone="+33612345678"), "fr"),
    (Contact(country="MX"), "es"),
    (Contact(country="DE"), "en"),  # no shop language spoken there: the fallback
    (Contact(email="a@example.com"), "en"),
    (Contact(phone="not a number"), "en"),
])
def test_language_comes_from_profile_else_phone_region(contact: Contact, language: str) -> None:
    assert language_for(contact) == language


def test_locale_pairs_language_and_region_when_cldr_knows_it() -> None:
    assert locale_for("es", "MX") == "es_MX"
    assert locale_for("fr", None) == "fr_FR"
    assert locale_for("es", "JP") == "es_ES"


def test_spanish_confirmation_has_euro_amounts_and_spanish_date(renderer: TemplateRenderer) -> None:
    out = renderer.render("order_confirmation", Contact(phone="+34612345678"), ORDER,
                          "https://shop.example/u/x")
    assert out.language == "es"
    assert out.subject == "Tu pedido ord_42 está confirmado"
    assert "1.234,50\u00a0€" in out.text and "2 de diciembre de 2026" in out.text
    assert "Darse de baja: https://shop.example/u/x" in out.text
    assert out.html is not None and 'href="https://shop.example/u/x"' in out.html


def test_french_and_english_format_money_their_own_way(renderer: TemplateRenderer) -> None:
    fr = renderer.render("order_confirmation", Contact(country="FR"), ORDER)
    en = renderer.render("order_confirmation", Contact(country="GB", language="en"),
                         {**ORDER, "currency": "GBP"})
    assert "1\u00a0234,50\u00a0€" in fr.text and fr.subject.startswith("Votre commande")
    assert "£1,234.50" in en.text and "2 December 2026" in en.text


def test_html_part_escapes_catalog_text_but_plain_text_keeps_it(renderer: TemplateRenderer) -> None:
    out = renderer.render("order_confirmation", Contact(country="GB"), ORDER)
    assert out.html is not None and "Heart &lt;script&gt;" in out.html
    assert "<script>" not in out.html
    assert "Heart <script>" in out.text


def test_unknown_kind_and_missing_field_are_errors(renderer: TemplateRenderer) -> None:
    with pytest.raises(KeyError):
        renderer.render("no_such_kind", Contact(country="GB"), ORDER)
    with pytest.raises(Exception, match="total"):
        renderer.render("order_confirmation", Contact(country="GB"),
                        {k: v for k, v in ORDER.items() if k != "total"})


def test_every_kind_has_every_shop_language(renderer: TemplateRenderer) -> None:
    for kind in renderer.kinds():
        assert renderer.languages(kind) == ["en", "es", "fr"], kind


SHIPMENT = {"order_id": "ord_42", "carrier": "Correos", "tracking_number": None,
            "tracking_url": "https://t.example/?a=1&b=<2>", "shipped_at": "2026-12-03T09:00:00+00:00"}


def test_shipping_update_in_spanish_links_the_tracking_page(renderer: TemplateRenderer) -> None:
    out = renderer.render("shipping_update", Contact(country="ES"), SHIPMENT, "https://u/x")
    assert out.subject == "Tu pedido ord_42 está en camino"
    assert "salió el 3 de diciembre de 2026 con Correos" in out.text
    assert "Número de seguimiento" not in out.text  # none given
    assert out.html is not None and 'href="https://t.example/?a=1&amp;b=&lt;2&gt;"' in out.html
    sms = renderer.render("shipping_update", Contact(phone="+33612345678"), SHIPMENT, short=True)
    assert sms.text.startswith("Museo : votre commande ord_42 est partie avec Correos")
    assert sms.params == ("ord_42", "Correos", "https://t.example/?a=1&b=<2>")


def test_abandoned_cart_reminder_lists_the_basket_and_texts_say_how_to_stop(
        renderer: TemplateRenderer) -> None:
    cart = {"lines": ORDER["lines"], "total": 123450, "currency": "EUR",
            "shop_url": "https://shop.example/chat"}
    email = renderer.render("abandoned_cart", Contact(country="FR"), cart)
    assert email.subject == "Vous avez oublié quelque chose dans votre panier"
    assert "1\u00a0234,50\u00a0€" in email.text and "https://shop.example/chat" in email.text
    sms = renderer.render("abandoned_cart", Contact(phone="+34612345678"), cart, short=True)
    assert "Responde STOP" in sms.text and "1.234,50\u00a0€" in sms.text
