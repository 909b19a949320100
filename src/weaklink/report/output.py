"""Write the briefing to a file whose suffix names the output: .html, .md or .pdf (atomically, weaklink.fileio)."""

from __future__ import annotations

from pathlib import Path

from weaklink.errors import InvalidArgument
from weaklink.fileio import atomic_write_text
from weaklink.report.html import to_html
from weaklink.report.markdown import to_markdown
from weaklink.report.pdf import html_to_pdf
from weaklink.report.values import data_language, fmt


def write(data: dict, out: Path) -> Path:
    """Write the briefing to `out` (.html, .md or .pdf), atomically: a failure leaves a previous file as it was.
    The words are in the language the data were written in (`data["lang"]`)."""
    suffix = out.suffix.lower()
    if suffix in (".html", ".htm"):
        return atomic_write_text(out, to_html(data))
    if suffix == ".md":
        return atomic_write_text(out, to_markdown(data, out.with_name(out.stem + "_figures")))
    if suffix == ".pdf":
        return html_to_pdf(to_html(data), out, title=fmt(data.get("title")), as_of=fmt(data.get("as_of")),
                           lang=data_language(data))
    raise InvalidArgument(f"unknown briefing format {suffix!r}: use .html, .md or .pdf")
