"""GDELT event exports into the store: one transaction per file, every line accounted for.

The fast path is one DuckDB statement: the CSV reader parses the file (or streams a zip's
member), the line's version is decided from its field count, fields are typed, invalid lines
and record ids already stored are filtered out, and the rest is appended to `events`. Only when
the counts show that some line was invalid or a duplicate does a second, ordered read find
which lines, so that each reject is stored with its line number, reason and raw text.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
from fsspec.implementations.zip import ZipFileSystem

from weaklink.errors import SourceFileError
from weaklink.ingest.common import ingest_one, store_rejects
from weaklink.ingest.csvread import (
    REJECT_OPTIONS,
    blank_rejects,
    codec,
    drop_reader_rejects,
    located_rejects,
    ordered,
    skipped_lines,
    sql_string,
)
from weaklink.ingest.csvread import reader_rejects as refused_lines
from weaklink.ingest.summary import FileResult
from weaklink.sources import gdelt
from weaklink.sources.scan import FileScan
from weaklink.store import Store

DATASET = "gdelt"
FORMAT = "gdelt-events"


GDELT_WIDTHS = "GDELT 1.0 has 57 or 58, GDELT 2.0 has 61"


def _csv_source(location: str, compression: str) -> str:
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in gdelt.RAW) + "}"
    return (f"read_csv({sql_string(location)}, columns={columns}, delim='\\t', quote='', escape='', "
            f"header=false, auto_detect=false, null_padding=true, nullstr='\\x01', compression='{compression}', "
            f"{REJECT_OPTIONS})")


def _checked_rows(location: str, compression: str) -> str:
    """A query of every parsed line: typed columns plus `reject_reason` (NULL when storable)."""
    typed = ", ".join(f"{sql} AS {name}" for name, sql in gdelt.typed_columns().items())
    return f"""
        SELECT *, {gdelt.reject_reason()} AS reject_reason FROM (
            SELECT {typed}, * FROM (
                SELECT *, width = 61 AS is_v2 FROM (
                    SELECT *, {gdelt.WIDTH_SQL} AS width FROM {_csv_source(location, compression)})))"""


def _insert_sql(location: str, compression: str, file_id: int) -> str:
    columns = ", ".join(gdelt.typed_columns())
    return f"""
        INSERT INTO events (dataset, file_id, {columns})
        SELECT '{DATASET}', {file_id}, {columns} FROM ({_checked_rows(location, compression)}) AS checked
        WHERE reject_reason IS NULL AND NOT EXISTS (
            SELECT 1 FROM events AS seen
            WHERE seen.dataset = '{DATASET}' AND seen.record_id = checked.record_id)"""


class _FileIngest:
    """Ingest one file inside the caller's transaction."""

    def __init__(self, store: Store, scan: FileScan) -> None:
        self.con = store.con
        self.scan = scan
        self.location = str(scan.path) if scan.member is None else f"zip://{scan.member}"

    def run(self, file_id: int) -> FileResult:
        con = self.con
        drop_reader_rejects(con)
        con.execute("SET preserve_insertion_order = false")
        inserted = con.execute(_insert_sql(self.location, codec(self.scan), file_id)).fetchall()[0][0]
        refused = refused_lines(con, 61, GDELT_WIDTHS)
        # Every line is inserted, empty or refused by the reader, unless a check or a known id stopped it.
        all_explained = inserted + len(self.scan.blank_lines) + refused.num_rows == self.scan.lines
        stored = inserted - self._drop_repeats_within_file(file_id)
        rejects = self._rejects(refused, need_checked=not all_explained)
        store_rejects(con, file_id, self.scan.path, rejects)
        return FileResult(path=str(self.scan.path), sha256=self.scan.sha256, status="ingested",
                          read=self.scan.lines, stored=stored, rejected=rejects.num_rows,
                          duplicate=self.scan.lines - stored - rejects.num_rows, version=self._versions(file_id))

    def _drop_repeats_within_file(self, file_id: int) -> int:
        repeats = self.con.execute(
            "SELECT count(*) - count(DISTINCT record_id) FROM events WHERE file_id = ?", [file_id]
        ).fetchall()[0][0]
        if repeats:
            self.con.execute("""
                DELETE FROM events WHERE file_id = ? AND rowid IN (
                    SELECT rowid FROM events WHERE file_id = ?
                    QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY rowid) > 1)""",
                             [file_id, file_id])
        return repeats

    def _rejects(self, refused: pa.Table, need_checked: bool) -> pa.Table:
        parts = [refused, blank_rejects(self.scan)]
        if need_checked:
            raw = f"concat_ws(chr(9), {', '.join(gdelt.RAW)})"
            rows = ordered(self.con, f"SELECT reject_reason, CASE WHEN reject_reason IS NOT NULL THEN {raw} END "
                                     f"AS raw FROM ({_checked_rows(self.location, codec(self.scan))})")
            parts.append(located_rejects(rows, skipped_lines(self.scan, refused)))
        return pa.concat_tables(parts).sort_by("line")

    def _versions(self, file_id: int) -> str | None:
        rows = self.con.execute(
            "SELECT DISTINCT replace(source_format, 'gdelt-', '') FROM events WHERE file_id = ? ORDER BY 1",
            [file_id]).fetchall()
        return "+".join(r[0] for r in rows) or None


def _not_gdelt(result: FileResult) -> bool:
    return result.read > 0 and result.stored == 0 and result.duplicate == 0 and result.rejected == result.read


def _write_file(store: Store, scan: FileScan, file_id: int) -> FileResult:
    with _zip_filesystem(store.con, scan):
        result = _FileIngest(store, scan).run(file_id)
    if _not_gdelt(result):
        raise SourceFileError(
            f"{scan.path}: not a GDELT event export: none of its {result.read} lines could be read "
            "(GDELT 1.0 lines have 57 or 58 tab-separated fields, GDELT 2.0 lines 61)")
    return result


class _zip_filesystem:
    """Let DuckDB's CSV reader stream the member of a zip archive, without extracting it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, scan: FileScan) -> None:
        self.con, self.scan = con, scan

    def __enter__(self):
        if self.scan.member is not None:
            self.con.register_filesystem(ZipFileSystem(fo=str(self.scan.path)))

    def __exit__(self, *exc) -> None:
        if self.scan.member is not None:
            self.con.unregister_filesystem("zip")


def ingest_file(store: Store, path: Path) -> FileResult:
    """Ingest one GDELT export; an error for this file leaves the store as it was."""
    return ingest_one(store, path, DATASET, FORMAT, _write_file)
