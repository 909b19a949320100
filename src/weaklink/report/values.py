"""Values of the briefing data as text for a reader, shared by the HTML and Markdown renderers: no None, nan,
code-like tokens or over-long free text; only http(s) URLs count as links."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from weaklink.report import i18n
from weaklink.report.i18n import _, day
from weaklink.report.words import kind_word

BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def fmt(value) -> str:
    """A value as text for a reader: no None, nan or Python list syntax."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple, set)):
        return ", ".join(fmt(v) for v in value)
    return str(value)


def shorten(text, limit: int = 240) -> str:
    """`text` on one line, cut at a word boundary with an ellipsis when longer than `limit` characters."""
    text = " ".join(fmt(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0] if " " in text[:limit + 1] else text[:limit]
    return cut.rstrip(" ,;:.-") + "…"


CODE_WORDS = [(re.compile(r"documents:([A-Z]{3}):([a-z_]+)"), lambda m: f"{m[1]} {m[2].replace('_', ' ')}s"),
              (re.compile(r"documents:([A-Z]{3})"), lambda m: f"{m[1]} documents"),
              (re.compile(r"'?\b(not_seen|no_data)\b'?"), lambda m: {"not_seen": "not seen", "no_data": "no data"}[m[1]]),
              (re.compile(r"\b([a-z]+(?:_[a-z]+)+)\b"), lambda m: m[1].replace("_", " ")),
              (re.compile(r"(?<=[A-Z]{3});(?=[A-Z]{3})"), lambda m: ", ")]


def plain(value) -> str:
    """Generated or stored text without code-like tokens: `no_data` → no data, `documents:CHN` → CHN documents,
    `CHN;RUS` → CHN, RUS. For sentences and labels, never for URLs."""
    text = fmt(value)
    for pattern, words in CODE_WORDS:
        text = pattern.sub(words, text)
    return text


def _actors(value) -> str:
    return ", ".join(value) if isinstance(value, (list, tuple)) else plain(value)


def evidence_parts(item: dict) -> list[str]:
    """One evidence row as short readable parts; free text shortened at a word boundary, never mid-word."""
    parts = [day(item[k]) for k in ("date",) if item.get(k)]
    if item.get("actors"):
        parts.append(_actors(item["actors"]))
    if item.get("kind") and item["kind"] != "other":
        parts.append(kind_word(item["kind"]))
    parts += [shorten(item[k], 160) for k in ("decision", "title") if item.get(k)]
    if item.get("description"):
        parts.append(shorten(item["description"], 240))
    votes = [_("%(state)s voted %(vote)s", state=k, vote=fmt(item[k])) for k in ("CHN", "RUS") if item.get(k)]
    if votes:
        parts.append(", ".join(votes))
    if item.get("window_mean") is not None and item.get("baseline_mean") is not None:
        parts.append(_("%(window)s per period in the window against %(baseline)s in the baseline",
                       window=fmt(float(item["window_mean"])), baseline=fmt(float(item["baseline_mean"]))))
    if item.get("url"):
        parts.append(_("url: %(url)s", url=fmt(item["url"])))
    return parts


def evidence_line(item: dict) -> str:
    return "; ".join(evidence_parts(item))


def is_web_url(value) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace, control characters, quotes or angle
    brackets (none is valid unencoded in a URL): the only URLs shown as links; the rest are shown as text."""
    if not isinstance(value, str) or any(c.isspace() or not 32 <= ord(c) != 127 or c in '"<>\\' for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def png_data_uri(encoded) -> str:
    """A data: URI for a base64 PNG built by figures.py; anything that is not plain base64 gives no image."""
    return f"data:image/png;base64,{encoded}" if isinstance(encoded, str) and BASE64.fullmatch(encoded) else ""



def data_language(data: dict) -> str:
    """The language the briefing's data were written in (`data["lang"]`, set by `brief_data` from a checked
    language); data without it, or with a value that names no catalogue, render in English."""
    lang = data.get("lang")
    return lang if isinstance(lang, str) and lang in i18n.available() else i18n.SOURCE_LANGUAGE
