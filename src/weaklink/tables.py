"""Renderers: turn the plain tables the API returns into terminal tables, CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
from rich.console import Console
from rich.markup import escape
from rich.table import Table

FORMATS = ("table", "csv", "json")


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def to_json(data) -> str:
    if isinstance(data, pa.Table):
        data = [{k: _plain(v) for k, v in row.items()} for row in data.to_pylist()]
    return json.dumps(data, indent=2, ensure_ascii=False, default=_plain)


def to_csv(table: pa.Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow(["" if v is None else _plain(v) for v in row.values()])
    return out.getvalue()


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(32), *range(127, 160)] if c not in (9, 10)}


def safe_text(text) -> str:
    """Data text for the terminal: rich markup escaped, control characters (ESC, CR, NUL ...) shown as \\xNN."""
    return escape(str(text).translate(_CONTROL))


def _cell(value) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return str(value)


def to_rich(table: pa.Table, title: str | None = None, max_width: int = 60) -> Table:
    view = Table(title=title, header_style="bold", show_lines=False)
    for name in table.column_names:
        numeric = pa.types.is_integer(table.schema.field(name).type) or pa.types.is_floating(
            table.schema.field(name).type)
        view.add_column(name, justify="right" if numeric else "left", overflow="fold", max_width=max_width)
    for row in table.to_pylist():
        view.add_row(*(safe_text(_cell(v)) for v in row.values()))  # data, never markup or control codes
    return view


def emit(table: pa.Table, fmt: str, console: Console, title: str | None = None) -> None:
    """Print a table in the chosen format (table, csv or json) to the console."""
    if fmt == "json":
        console.print_json(to_json(table)) if console.is_terminal else print(to_json(table))
    elif fmt == "csv":
        print(to_csv(table), end="")
    else:
        console.print(to_rich(table, title))
