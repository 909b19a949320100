"""The briefing as one self-contained HTML page (no script, images embedded).

Everything in the data may come from outside (source URLs, timeline rows, document titles, file names): the
template autoescapes every value and only http(s) URLs become links (report/values.py).
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined

from weaklink.report import i18n
from weaklink.report.i18n import day
from weaklink.report.values import (data_language, evidence_line, fmt, is_web_url, plain, png_data_uri,
                                    shorten)
from weaklink.report.words import component_word, kind_word, level_word, status_word

# The page may load nothing but its own inline styles and embedded (data:) images; no script at all.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"


def html_environment(lang: str = i18n.SOURCE_LANGUAGE) -> Environment:
    """The Jinja environment for every HTML page: autoescape always on, whatever the template's name; the
    i18n extension with `lang`'s catalogue installed (new-style gettext: `_("... %(name)s", name=value)`, the
    values escaped, the catalogue's text trusted)."""
    env = Environment(loader=PackageLoader("weaklink.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)
    env.tests["web_url"] = is_web_url
    env.globals.update(fmt=fmt, evidence_line=evidence_line, png_data_uri=png_data_uri, csp=CSP, plain=plain,
                       shorten=shorten, day=day, status_word=status_word, kind_word=kind_word,
                       level_word=level_word, component_word=component_word, lang=lang)
    env.filters.update(plain=plain, fmt=fmt)
    return env



def to_html(data: dict) -> str:
    lang = data_language(data)
    with i18n.using(lang):
        return html_environment(lang).get_template("brief.html.j2").render(b=data)
