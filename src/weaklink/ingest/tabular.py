"""Headed CSV files (UN votes and the like) into one store table, every line accounted for.

The file is read in order into Arrow (these files are small next to GDELT), each row gets its
position, and one SQL statement per file checks, deduplicates and inserts. Rejects get exact line
numbers from their positions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from weaklink.errors import SourceFileError
from weaklink.ingest.csvread import (
    REJECT_OPTIONS,
    Readable,
    blank_rejects,
    drop_reader_rejects,
    lines_of_kept,
    ordered,
    reader_rejects,
    readable,
    sql_string,
)
from weaklink.ingest.summary import FileResult
from weaklink.sources.scan import FileScan
from weaklink.store import Store


@dataclass
class TableSpec:
    """How one kind of headed CSV file becomes rows of a store table.

    `checked_sql` selects from the view `wl_rows` (the file's columns, all text, plus `position`)
    and yields `target_columns`, `position` and `reject_reason` (NULL when the row can be stored).
    """

    name: str
    required: list[str]
    checked_sql: str
    target: str
    target_columns: list[str]
    key: list[str]
    maps: dict[str, pa.Table] = field(default_factory=dict)


HEADER_LIMIT = 64 << 10  # bytes of the first line read as the header


def read_header(source: Readable) -> list[str]:
    with source.open() as handle:
        first = handle.readline(HEADER_LIMIT).decode("utf-8-sig", errors="replace").rstrip("\r\n")
    try:
        return next(csv.reader(io.StringIO(first)), [])
    except csv.Error:
        return []


def _file_rows(con: duckdb.DuckDBPyConnection, source: Readable, header: list[str]) -> pa.Table:
    columns = "{" + ", ".join(f"{sql_string(c)}: 'VARCHAR'" for c in header) + "}"
    rows = ordered(con, f"""SELECT * FROM read_csv({sql_string(source.location)}, header=true, columns={columns},
        delim=',', quote='"', escape='"', auto_detect=false, compression='{source.codec}', {REJECT_OPTIONS})""")
    return rows.append_column("position", pa.array(np.arange(1, rows.num_rows + 1), pa.int64()))


def _insert(con: duckdb.DuckDBPyConnection, spec: TableSpec, file_id: int) -> int:
    cols = ", ".join(spec.target_columns)
    seen = " AND ".join(f"t.{k} IS NOT DISTINCT FROM c.{k}" for k in spec.key)
    return con.execute(f"""
        INSERT INTO {spec.target} ({cols}, file_id)
        SELECT {cols}, {file_id} FROM wl_checked AS c
        WHERE reject_reason IS NULL AND NOT EXISTS (SELECT 1 FROM {spec.target} AS t WHERE {seen})
        QUALIFY row_number() OVER (PARTITION BY {', '.join(spec.key)} ORDER BY position) = 1""").fetchall()[0][0]


def _checked_rejects(con: duckdb.DuckDBPyConnection, header: list[str], skipped: np.ndarray) -> pa.Table:
    raw = "concat_ws(',', " + ", ".join(f"r.{_quote(c)}" for c in header) + ")"
    bad = con.sql(f"""SELECT c.position, c.reject_reason AS reason, {raw} AS raw
        FROM wl_checked AS c JOIN wl_rows AS r USING (position)
        WHERE c.reject_reason IS NOT NULL ORDER BY c.position""").to_arrow_table()
    lines = lines_of_kept(bad["position"].to_numpy(), skipped)
    return pa.table({"line": pa.array(lines, pa.int64()), "reason": bad["reason"], "raw": bad["raw"]})


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def checked_header(source: Readable, name: str, required: list[str]) -> list[str]:
    """The file's header, or a clear error naming the missing columns."""
    header = read_header(source)
    missing = [c for c in required if c not in header]
    if missing:
        found = ", ".join(header)[:200].encode("ascii", "backslashreplace").decode("ascii")
        raise SourceFileError(f"{source.scan.path}: not a {name} file: missing column(s) {', '.join(missing)} "
                              f"(expected a header with {', '.join(required)}; found {found or 'no header'})")
    return header


SpecFor = Callable[[Store, Readable], TableSpec]


def load_table(store: Store, scan: FileScan, file_id: int, spec_for: SpecFor) -> tuple[FileResult, pa.Table]:
    """Check, deduplicate and insert one file's rows; returns the counts and the rejected lines."""
    with readable(store.con, scan) as source:
        return _load(store, source, file_id, spec_for(store, source))


def _accounted(source: Readable, rows: pa.Table, skipped: np.ndarray) -> None:
    if rows.num_rows + len(skipped) != source.lines:
        raise SourceFileError(f"{source.scan.path}: the CSV reader returned {rows.num_rows:,} rows and skipped "
                              f"{len(skipped):,} lines of {source.lines:,} (a quoted field may run over several "
                              "lines); each record must be on one line. Nothing was stored from this file")


def _load(store: Store, source: Readable, file_id: int, spec: TableSpec) -> tuple[FileResult, pa.Table]:
    con = store.con
    header = checked_header(source, spec.name, spec.required)
    drop_reader_rejects(con)
    rows = _file_rows(con, source, header)
    refused = reader_rejects(con, len(header), f"the header has {len(header)}")
    skipped = source.skipped(refused, header_lines=1)
    _accounted(source, rows, skipped)
    for name, table in {"wl_rows": rows, **spec.maps}.items():
        con.register(name, table)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE wl_checked AS {spec.checked_sql}")
        stored = _insert(con, spec, file_id)
        checked = _checked_rejects(con, header, skipped)
    finally:
        for name in ["wl_rows", *spec.maps]:
            con.unregister(name)
        con.execute("DROP TABLE IF EXISTS wl_checked")
    rejects = pa.concat_tables([refused, source.early_rejects(), blank_rejects(source), checked]).sort_by("line")
    read = source.lines - 1  # the header line is not a record
    result = FileResult(path=str(source.scan.path), sha256=source.scan.sha256, status="ingested", read=read,
                        stored=stored, rejected=rejects.num_rows, duplicate=read - stored - rejects.num_rows)
    return result, rejects
