import pytest

from libs.nlu.lang import detect_language, hint_language
from libs.nlu.text import fold, normalize, tokens


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("hola", "es"), ("merci", "fr"), ("hi", "en"), ("hello", "en"), ("gracias", "es"),
        ("bonjour", "fr"), ("salut", "fr"), ("taza", "es"), ("bougie", "fr"),
        ("where is my order?", "en"), ("¿dónde está mi pedido?", "es"),
        ("donde esta mi pedido", "es"), ("où est ma commande ?", "fr"),
        ("ou est ma commande", "fr"), ("añade el segundo", "es"), ("ajoute-le au panier", "fr"),
        ("¿y en azul?", "es"), ("et en bleu ?", "fr"), ("add the second one", "en"),
        ("je voudrais une affiche de Monet", "fr"), ("quiero una lámina de Monet", "es"),
    ],
)  # fmt: skip
def test_detects_language_of_short_and_long_texts(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_hint_breaks_ties_but_not_clear_evidence() -> None:
    assert detect_language("ok", hint="es-ES") == "es"
    assert detect_language("Monet", hint="fr_FR") == "fr"
    assert detect_language("12345") == "en"
    assert detect_language("where is my order please", hint="fr-FR") == "en"


def test_hint_language_parses_locales() -> None:
    assert hint_language("es-MX") == "es"
    assert hint_language("fr_CA") == "fr"
    assert hint_language("de-DE") is None
    assert hint_language(None) is None


def test_normalisation_folds_accents_and_punctuation() -> None:
    assert fold("Añádelo à LA Cesta") == "anadelo a la cesta"
    assert normalize("¿Y en AZUL?") == "y en azul"
    assert normalize("Ajoute-le au panier !") == "ajoute le au panier"
    assert "l'" in tokens("Ajoute l’affiche")


def test_nlu_package_does_not_import_services() -> None:
    import subprocess
    import sys

    code = "import sys, libs.nlu; print(any(m.startswith('services') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
