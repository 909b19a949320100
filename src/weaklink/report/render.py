"""Render the briefing data as self-contained HTML, Markdown (figures beside it), or PDF (headless chromium)."""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from weaklink.errors import InvalidArgument, WeaklinkError

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


def fmt(value) -> str:
    return "—" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def evidence_line(item: dict) -> str:
    keep = ("date", "id", "decision", "title", "kind", "actors", "description", "doc_id", "url", "sources",
            "window_mean", "baseline_mean", "CHN", "RUS")
    return "; ".join(f"{k}: {item[k]}" for k in keep if item.get(k) not in (None, "", []))[:300]


def to_html(data: dict) -> str:
    env = Environment(loader=PackageLoader("weaklink.report", "templates"), autoescape=select_autoescape(),
                      undefined=StrictUndefined)
    return env.get_template("brief.html.j2").render(b=data, fmt=fmt, evidence_line=evidence_line)


def to_markdown(data: dict, figure_dir: Path) -> str:
    """Markdown for pasting; figures are written as PNG files into `figure_dir`."""
    figure_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"# {data['title']}", "",
             "Data vintage: " + "; ".join(f"{v['dataset']} {v['first']} to {v['last']}"
                                          for v in data["sources"]["vintage"]) + ".", "",
             "## Bottom line up front", "", *[f"- {s}" for s in data["bluf"]], "", "## Figures", ""]
    for n, figure in enumerate(data["figures"], start=1):
        path = figure_dir / f"{figure['id']}.png"
        path.write_bytes(base64.b64decode(figure["png"]))
        lines += [f"![Figure {n}. {figure['title']}]({figure_dir.name}/{path.name})", "",
                  f"*Figure {n}. {figure['title']}.* {figure['caption']} Sources: {', '.join(figure['sources'])}.", ""]
    lines += ["## Signpost board", "", "| signpost | status | since | detail |", "|---|---|---|---|"]
    lines += [f"| {s['id']} | {s['status'].replace('_', ' ')} | {s['since'] or ''} | {s['detail']} |"
              for s in data["signposts"]]
    hypotheses = [h["id"] for h in data["ach"]["hypotheses"]]
    lines += ["", "## Competing hypotheses", "", "| evidence | weight | " + " | ".join(hypotheses) + " |",
              "|---|---|" + "---|" * len(hypotheses)]
    lines += [f"| {e['id']} {e['title']} | {e['weight']:.2f} | " + " | ".join(e["ratings"][h] for h in hypotheses)
              + " |" for e in data["ach"]["evidence"]]
    for label, key in (("Heuer inconsistency", "inconsistency"), ("Posterior", "posterior")):
        lines.append(f"| **{label}** | | " + " | ".join(fmt(h[key]) for h in data["ach"]["hypotheses"]) + " |")
    lines += ["", "## Curated events in the period", ""]
    lines += [f"- {t['date']} {t['kind']} ({t['actors']}, {t['level']}): {t['description']} {t['sources']}"
              for t in data["timeline"]] or ["No curated entry in this window."]
    lines += ["", "## Sources and provenance", ""]
    lines += [f"- {f['dataset']}: {f['path']} (sha256 {f['sha256']}, {f['rows']:,} rows, ingested {f['ingested']})"
              for f in data["sources"]["files"]]
    lines += ["", *[f"- **{d}**: {c}" for d, c in data["sources"]["citations"].items()], ""]
    return "\n".join(lines)


def find_chromium() -> str:
    for name in CHROMIUM:
        if shutil.which(name):
            return shutil.which(name)
    raise WeaklinkError("PDF needs headless chromium: install it (Debian: apt-get install chromium), "
                        "or write HTML or Markdown instead")


def html_to_pdf(html: str, out: Path) -> None:
    """Print the HTML to PDF with headless chromium, offline (no network is touched)."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "brief.html"
        page.write_text(html, encoding="utf-8")
        command = [find_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer", f"--print-to-pdf={out}",
                   page.as_uri()]
        done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    if done.returncode != 0 or not out.exists():
        raise WeaklinkError(f"chromium could not print the PDF: {done.stderr.strip()[-300:]}")


def write(data: dict, out: Path) -> Path:
    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix in (".html", ".htm"):
        out.write_text(to_html(data), encoding="utf-8")
    elif suffix == ".md":
        out.write_text(to_markdown(data, out.with_name(out.stem + "_figures")), encoding="utf-8")
    elif suffix == ".pdf":
        html_to_pdf(to_html(data), out)
    else:
        raise InvalidArgument(f"unknown briefing format {suffix!r}: use .html, .md or .pdf")
    return out
