"""Render the briefing data as self-contained HTML, Markdown (figures beside it), or PDF (headless chromium).

Everything in the data may come from outside (source URLs, timeline rows, document titles, file names), so
both renderers escape every value: the HTML template autoescapes, only http(s) URLs become links, and the
Markdown escapes HTML and Markdown syntax. Every file is written atomically (weaklink.fileio).
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from weaklink.errors import InvalidArgument
from weaklink.fileio import atomic_write_bytes, atomic_write_text
from weaklink.report.pdf import html_to_pdf

# The page may load nothing but its own inline styles and embedded (data:) images; no script at all.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()!|~])")  # inline syntax; each value sits mid-line
BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,80}")


def fmt(value) -> str:
    return "—" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def evidence_line(item: dict) -> str:
    keep = ("date", "id", "decision", "title", "kind", "actors", "description", "doc_id", "url", "sources",
            "window_mean", "baseline_mean", "CHN", "RUS")
    return "; ".join(f"{k}: {item[k]}" for k in keep if item.get(k) not in (None, "", []))[:300]


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


def html_environment() -> Environment:
    """The Jinja environment for every HTML page: autoescape always on, whatever the template's name."""
    env = Environment(loader=PackageLoader("weaklink.report", "templates"), autoescape=True,
                      undefined=StrictUndefined)
    env.tests["web_url"] = is_web_url
    env.globals.update(fmt=fmt, evidence_line=evidence_line, png_data_uri=png_data_uri, csp=CSP)
    return env


def to_html(data: dict) -> str:
    return html_environment().get_template("brief.html.j2").render(b=data)


def md(value) -> str:
    """One value as inline Markdown text: HTML escaped, Markdown syntax backslash-escaped, one line."""
    text = " ".join(fmt(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _figure_name(figure: dict, n: int) -> str:
    """The figure's PNG file name: its id when that is a plain name, else `figure-N` (never a path)."""
    fid = figure.get("id")
    return f"{fid}.png" if isinstance(fid, str) and SAFE_NAME.fullmatch(fid) else f"figure-{n}.png"


def _figure_bytes(figure: dict) -> bytes:
    try:
        return base64.b64decode(figure["png"], validate=True)
    except (binascii.Error, TypeError, ValueError):
        return b""


def _markdown_figures(data: dict, figure_dir: Path) -> list[str]:
    lines = []
    for n, figure in enumerate(data["figures"], start=1):
        name = _figure_name(figure, n)
        png = _figure_bytes(figure)
        if png:
            atomic_write_bytes(figure_dir / name, png)
            lines += [f"![Figure {n}. {md(figure['title'])}]({quote(figure_dir.name)}/{quote(name)})", ""]
        sources = ", ".join(md(s) for s in figure["sources"])
        lines += [f"*Figure {n}. {md(figure['title'])}.* {md(figure['caption'])} Sources: {sources}.", ""]
    return lines


def to_markdown(data: dict, figure_dir: Path) -> str:
    """Markdown for pasting; figures are written as PNG files into `figure_dir`. Every value is escaped."""
    figure_dir.mkdir(parents=True, exist_ok=True)
    vintage = "; ".join(f"{md(v['dataset'])} {md(v['first'])} to {md(v['last'])}" for v in data["sources"]["vintage"])
    lines = [f"# {md(data['title'])}", "", f"Data vintage: {vintage}.", "",
             "## Bottom line up front", "", *[f"- {md(s)}" for s in data["bluf"]], "", "## Figures", ""]
    lines += _markdown_figures(data, figure_dir)
    lines += ["## Signpost board", "", "| signpost | status | since | detail |", "|---|---|---|---|"]
    lines += [f"| {md(s['id'])} | {md(s['status'].replace('_', ' '))} | {md(s['since'] or '')} | {md(s['detail'])} |"
              for s in data["signposts"]]
    hypotheses = [h["id"] for h in data["ach"]["hypotheses"]]
    lines += ["", "## Competing hypotheses", "", "| evidence | weight | " + " | ".join(map(md, hypotheses)) + " |",
              "|---|---|" + "---|" * len(hypotheses)]
    lines += [f"| {md(e['id'])} {md(e['title'])} | {md(e['weight'])} | "
              + " | ".join(md(e["ratings"].get(h)) for h in hypotheses) + " |" for e in data["ach"]["evidence"]]
    for label, key in (("Heuer inconsistency", "inconsistency"), ("Posterior", "posterior")):
        lines.append(f"| **{label}** | | " + " | ".join(md(h[key]) for h in data["ach"]["hypotheses"]) + " |")
    lines += ["", "## Curated events in the period", ""]
    lines += [f"- {md(t['date'])} {md(t['kind'])} ({md(t['actors'])}, {md(t['level'])}): {md(t['description'])} "
              f"{md(t['sources'])}" for t in data["timeline"]] or ["No curated entry in this window."]
    lines += ["", "## Sources and provenance", ""]
    lines += [f"- {md(f['dataset'])}: {md(f['path'])} (sha256 {md(f['sha256'])}, {md(format(f['rows'], ','))} rows, "
              f"ingested {md(f['ingested'])})" for f in data["sources"]["files"]]
    lines += ["", *[f"- **{md(d)}**: {md(c)}" for d, c in data["sources"]["citations"].items()], ""]
    return "\n".join(lines)


def write(data: dict, out: Path) -> Path:
    """Write the briefing to `out` (.html, .md or .pdf), atomically: a failure leaves a previous file as it was."""
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        return atomic_write_text(out, to_html(data))
    if suffix == ".md":
        return atomic_write_text(out, to_markdown(data, out.with_name(out.stem + "_figures")))
    if suffix == ".pdf":
        return html_to_pdf(to_html(data), out)
    raise InvalidArgument(f"unknown briefing format {suffix!r}: use .html, .md or .pdf")
