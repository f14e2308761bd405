"""Jinja2 templates per message kind and language, with money and dates in the recipient's locale.

Templates live in `templates/<language>/<kind>.<part>` (parts: `subject.txt`, `txt`, `html`,
`short.txt` for SMS/WhatsApp, `params.txt` the approved WhatsApp template's body parameters,
one per line). A language without the template falls back to English, so adding a
kind needs only the English files to work everywhere. HTML is autoescaped (order lines carry
product titles, which come from the catalog); the plain-text parts are not escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages

from libs.contracts.notifications import Contact
from libs.locale import SHOP_LANGUAGES, format_date, format_money, normalise_language

TEMPLATES = Path(__file__).parent / "templates"
FALLBACK_LANGUAGE = "en"
_DEFAULT_COUNTRY = {"en": "GB", "es": "ES", "fr": "FR"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None
    language: str
    kind: str = ""
    params: tuple[str, ...] = ()  # body parameters of the approved WhatsApp template


def country_of(contact: Contact) -> str | None:
    """The recipient's region: stated country, else the one their phone number belongs to."""
    if contact.country:
        return contact.country.upper()
    if contact.phone:
        try:
            return phonenumbers.region_code_for_number(phonenumbers.parse(contact.phone)) or None
        except phonenumbers.NumberParseException:
            return None
    return None


def language_for(contact: Contact) -> str:
    """Profile language first; else phone → region → the region's first shop language."""
    stated = normalise_language(contact.language)
    if stated:
        return stated
    country = country_of(contact)
    if country:
        for lang in get_official_languages(country, de_facto=True):
            if lang in SHOP_LANGUAGES:
                return lang
    return FALLBACK_LANGUAGE


def locale_for(language: str, country: str | None) -> str:
    """`es` + `MX` -> `es_MX`; a pair CLDR does not know falls back to the language's home."""
    for candidate in (f"{language}_{country}" if country else None,
                      f"{language}_{_DEFAULT_COUNTRY.get(language, 'GB')}"):
        if candidate is None:
            continue
        try:
            Locale.parse(candidate)
            return candidate
        except (UnknownLocaleError, ValueError):
            continue
    return language


class TemplateRenderer:
    def __init__(self, root: Path = TEMPLATES, shop_name: str = "Museo") -> None:
        self.root = root
        self.shop_name = shop_name
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(root)),
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,  # a missing field is a bug, not an empty string
            keep_trailing_newline=False,
        )
        self.env.filters["money"] = _money
        self.env.filters["date"] = _date

    def kinds(self) -> list[str]:
        """Every message kind with an English template (the fallback language)."""
        names = {p.name.split(".")[0] for p in (self.root / FALLBACK_LANGUAGE).glob("*.txt")}
        return sorted(names)

    def languages(self, kind: str) -> list[str]:
        return [lang for lang in SHOP_LANGUAGES if (self.root / lang / f"{kind}.txt").exists()]

    def _template(self, language: str, kind: str, part: str) -> jinja2.Template | None:
        for lang in (language, FALLBACK_LANGUAGE):
            name = f"{lang}/{kind}.{part}"
            if (self.root / name).exists():
                return self.env.get_template(name)
        return None

    def render(self, kind: str, contact: Contact, data: dict[str, Any],
               unsubscribe_url: str | None = None, short: bool = False) -> Rendered:
        """Raise `KeyError` for an unknown kind; a template error propagates (a bug to fix)."""
        if kind not in self.kinds():
            raise KeyError(f"unknown notification kind: {kind}")
        language = language_for(contact)
        if not self.languages(kind) or language not in self.languages(kind):
            language = FALLBACK_LANGUAGE
        locale = locale_for(language, country_of(contact))
        context = {**data, "language": language, "shop_name": self.shop_name,
                   "unsubscribe_url": unsubscribe_url, "_locale": locale}

        def part(name: str) -> str | None:
            tpl = self._template(language, kind, name)
            return tpl.render(context).strip() if tpl else None

        subject = " ".join((part("subject.txt") or kind).split())
        context["subject"] = subject
        text = (part("short.txt") if short else None) or part("txt") or ""
        params = tuple(line.strip() for line in (part("params.txt") or "").splitlines()
                       if line.strip())
        return Rendered(subject=subject, text=text, html=None if short else part("html"),
                        language=language, kind=kind, params=params)


@jinja2.pass_context
def _money(ctx: jinja2.runtime.Context, minor: Any, currency: str) -> str:
    return format_money(int(minor), currency, ctx["_locale"])


@jinja2.pass_context
def _date(ctx: jinja2.runtime.Context, value: Any, fmt: str = "long") -> str:
    """The calendar date only: a time would need the recipient's time zone to be right."""
    return format_date(_when(value).date(), ctx["_locale"], fmt)


def _when(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
