"""Results of API calls: plain tables that render to pandas, Arrow, records, CSV, JSON or (in a notebook) HTML.

pandas is imported only by `to_pandas`, so that importing the API (and starting the CLI) stays fast.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:
    import ibis
    import pandas as pd

PREVIEW_ROWS = 5  # a notebook shows the first and the last this many rows
REPR_COLUMNS = 6  # __repr__ names at most this many columns


@dataclass
class Result:
    """A table the API returns. Lazy when built from an Ibis expression; `.sql()` shows the query."""

    expr: ibis.Table | None = None
    table: pa.Table | None = None
    meta: dict = field(default_factory=dict)

    def to_pyarrow(self) -> pa.Table:
        if self.table is None:
            self.table = execute(self.expr)
        return self.table

    def to_pandas(self) -> pd.DataFrame:
        """A DataFrame; dates (`period`, `date`, ...) are datetime64 columns, not Python date objects."""
        return self.to_pyarrow().to_pandas(date_as_object=False)

    def to_records(self) -> list[dict]:
        return self.to_pyarrow().to_pylist()

    def sql(self) -> str:
        if self.expr is None:
            raise ValueError("this result was computed eagerly; it has no query")
        import ibis

        return str(ibis.to_sql(self.expr))

    @property
    def columns(self) -> list[str]:
        return list(self.to_pyarrow().column_names)

    def __len__(self) -> int:
        return self.to_pyarrow().num_rows

    def _shape(self) -> str:
        table = self.to_pyarrow()
        return f"{table.num_rows:,} row{'s' * (table.num_rows != 1)} × {table.num_columns} columns"

    def _about(self) -> str:
        return ", ".join(f"{key}={value}" for key, value in self.meta.items()
                         if isinstance(value, (str, int, float, bool)) and value is not None)

    def __repr__(self) -> str:
        names = self.columns
        shown = ", ".join(names[:REPR_COLUMNS]) + (", …" if len(names) > REPR_COLUMNS else "")
        about = f" [{self._about()}]" if self._about() else ""
        return f"<weaklink Result: {self._shape()} ({shown}){about}>"

    def _repr_html_(self) -> str:
        """A notebook's view: the row count and columns, then the first and last rows, every value escaped."""
        table = self.to_pyarrow()
        rows = table.to_pylist()
        if len(rows) > 2 * PREVIEW_ROWS:
            rows = rows[:PREVIEW_ROWS] + [None] + rows[-PREVIEW_ROWS:]
        head = "".join(f"<th>{html.escape(name)}</th>" for name in table.column_names)
        body = "".join(_html_row(row, table.column_names) for row in rows)
        about = f" · {html.escape(self._about())}" if self._about() else ""
        return (f"<div class=\"weaklink-result\"><p><b>weaklink Result</b>: {html.escape(self._shape())}{about}</p>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def execute(expr: ibis.Table) -> pa.Table:
    """The expression's rows as Arrow, typed by its schema. On DuckDB the compiled SQL runs on the store's own
    connection, without loading pandas (Ibis's DuckDB converter imports it: about 0.3 s of every command's
    start, benchmarks/startup.py). DuckDB casts each column to the schema's type, and Arrow casts what is still
    different (as Ibis's `to_pyarrow` does; that loads pyarrow.compute, ~0.05 s, so only when needed). Elsewhere,
    or when the expression holds in-memory tables that Ibis must register first, Ibis runs it."""
    import ibis
    from ibis.expr import operations as ops

    backend = expr._find_backend(use_default=True)
    if backend.name != "duckdb" or expr.op().find(ops.InMemoryTable):
        return expr.to_pyarrow()
    schema = expr.schema()
    typed = schema.to_pyarrow()
    sql = _cast_to(schema, str(ibis.to_sql(expr, dialect="duckdb", pretty=False)))
    raw = backend.con.sql(sql).to_arrow_table().rename_columns(typed.names)
    return raw if raw.schema.equals(typed) else raw.cast(typed)


def _cast_to(schema, sql: str) -> str:
    """`sql` with each column cast in DuckDB to its type in the Ibis `schema` (sums are DECIMAL, periods may be
    TIMESTAMP where the schema says BIGINT or DATE)."""
    from ibis.backends.sql.datatypes import DuckDBType

    def quoted(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    columns = ", ".join(f"CAST({quoted(name)} AS {DuckDBType.to_string(dtype)}) AS {quoted(name)}"
                        for name, dtype in schema.items())
    return f"SELECT {columns} FROM ({sql}) AS typed"


def _html_row(row: dict | None, names: list[str]) -> str:
    if row is None:  # the rows left out between the first and the last
        return "".join("<td>…</td>" for _ in names).join(("<tr>", "</tr>"))
    return "".join(f"<td>{html.escape(_cell(row[name]))}</td>" for name in names).join(("<tr>", "</tr>"))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
