"""The briefing's languages: gettext catalogues (`weaklink/locale/LANG/LC_MESSAGES/weaklink.po`) read with Babel.

English is the source language (the message ids); every other language is a `.po` catalogue, compiled in memory
when first used, so adding a language is adding a catalogue (docs/briefing.md). Every message is a Python
format string with named placeholders (`%(name)s`, a literal percent sign written `%%`), the same convention
as Jinja2's new-style gettext, so a translation can put the values in its own word order.

`_()` and `ngettext()` translate into the language chosen with `using(lang)` for the current context.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from gettext import NullTranslations
from importlib import resources

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from weaklink.errors import InvalidArgument

DOMAIN = "weaklink"
SOURCE_LANGUAGE = "en"
_current: ContextVar[str] = ContextVar("weaklink_brief_lang", default=SOURCE_LANGUAGE)


def _catalogue_file(lang: str):
    return resources.files("weaklink").joinpath("locale", lang, "LC_MESSAGES", f"{DOMAIN}.po")


def available() -> list[str]:
    """The briefing's languages: English and every language with a catalogue."""
    folder = resources.files("weaklink").joinpath("locale")
    found = sorted(p.name for p in folder.iterdir() if p.is_dir() and _catalogue_file(p.name).is_file()) \
        if folder.is_dir() else []
    return [SOURCE_LANGUAGE, *[lang for lang in found if lang != SOURCE_LANGUAGE]]


def check_language(lang: str) -> str:
    """`lang` when the briefing can be written in it, else an InvalidArgument listing the languages."""
    if lang not in available():
        raise InvalidArgument(f"no briefing catalogue for language {lang!r}; available: {', '.join(available())} "
                              "(add one as weaklink/locale/LANG/LC_MESSAGES/weaklink.po: see docs/briefing.md)")
    return lang


@lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of `lang` (fuzzy entries left out, as gettext does); English needs none."""
    if check_language(lang) == SOURCE_LANGUAGE:
        return NullTranslations()
    with _catalogue_file(lang).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def language() -> str:
    return _current.get()


@contextmanager
def using(lang: str):
    """Translate `_()`/`ngettext()` (and dates) into `lang` inside the block."""
    token = _current.set(check_language(lang))
    try:
        yield translations(lang)
    finally:
        _current.reset(token)


def _(message: str, **values) -> str:
    """`message` in the current language, its `%(name)s` placeholders filled from `values`."""
    return translations(_current.get()).gettext(message) % values


def ngettext(singular: str, plural: str, n: int, **values) -> str:
    """The singular or plural form for `n` in the current language; `%(num)s` is `n`."""
    return translations(_current.get()).ngettext(singular, plural, n) % {"num": n, **values}


def day(value) -> str:
    """A date for the reader: ISO 8601 in English (2025-02-10), the locale's long form elsewhere
    (2025년 2월 10일). Anything that is not a date is returned as text."""
    if value is None or value == "":
        return "—"
    lang = _current.get()
    if isinstance(value, datetime):
        value = value.date()
    try:
        parsed = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if lang == SOURCE_LANGUAGE:
        return parsed.isoformat()
    return format_date(parsed, format="long", locale=Locale.parse(lang))
