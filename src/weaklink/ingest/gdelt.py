"""GDELT event exports into the store: one transaction per file, every line accounted for.

The fast path is one DuckDB statement: the CSV reader parses the file (or streams a zip's
member), the line's version is decided from its field count, fields are typed and checked,
invalid lines and record ids already stored are filtered out, and the rest is appended to `events`.
Only when the counts show that some line was invalid or a duplicate does a second, ordered read find
which lines, so that each reject is stored with its line number, reason and raw text. A file with CR
line ends or over-long lines is first rewritten line by line (see `csvread.readable`).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from weaklink.errors import SourceFileError
from weaklink.ingest.common import ingest_one, store_rejects
from weaklink.ingest.csvread import (
    REJECT_OPTIONS,
    Readable,
    blank_rejects,
    drop_reader_rejects,
    located_rejects,
    ordered,
    readable,
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


def _checked_rows(source: Readable) -> str:
    """A query of every parsed line: typed columns plus `reject_reason` (NULL when storable)."""
    typed = ", ".join(f"{sql} AS {name}" for name, sql in gdelt.typed_columns().items())
    return f"""
        SELECT *, {gdelt.reject_reason()} AS reject_reason FROM (
            SELECT {typed}, * FROM (
                SELECT *, width = 61 AS is_v2 FROM (
                    SELECT *, {gdelt.WIDTH_SQL} AS width FROM {_csv_source(source.location, source.codec)})))"""


def _insert_sql(source: Readable, file_id: int) -> str:
    columns = ", ".join(gdelt.typed_columns())
    return f"""
        INSERT INTO events (dataset, file_id, {columns})
        SELECT '{DATASET}', {file_id}, {columns} FROM ({_checked_rows(source)}) AS checked
        WHERE reject_reason IS NULL AND NOT EXISTS (
            SELECT 1 FROM events AS seen
            WHERE seen.dataset = '{DATASET}' AND seen.record_id = checked.record_id)"""


class _FileIngest:
    """Ingest one file inside the caller's transaction."""

    def __init__(self, store: Store, scan: FileScan) -> None:
        self.con = store.con
        self.scan = scan

    def run(self, file_id: int) -> FileResult:
        with readable(self.con, self.scan, terminated=True) as source:  # GDELT ends every line with LF
            return self._run(source, file_id)

    def _run(self, source: Readable, file_id: int) -> FileResult:
        con = self.con
        drop_reader_rejects(con)
        con.execute("SET preserve_insertion_order = false")
        inserted = con.execute(_insert_sql(source, file_id)).fetchall()[0][0]
        refused = refused_lines(con, 61, GDELT_WIDTHS)
        early = source.early_rejects()
        # Every line is inserted, empty, rejected early or refused by the reader, unless a check or a known
        # id stopped it.
        all_explained = inserted + len(source.blank_lines) + early.num_rows + refused.num_rows == source.lines
        stored = inserted - self._drop_repeats_within_file(file_id)
        rejects = pa.concat_tables([refused, early, blank_rejects(source)])
        if not all_explained:
            rejects = pa.concat_tables([rejects, self._checked_rejects(source, refused)])
        rejects = rejects.sort_by("line")
        store_rejects(con, file_id, self.scan.path, rejects)
        return FileResult(path=str(self.scan.path), sha256=self.scan.sha256, status="ingested",
                          read=source.lines, stored=stored, rejected=rejects.num_rows,
                          duplicate=source.lines - stored - rejects.num_rows, version=self._versions(file_id))

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

    def _checked_rejects(self, source: Readable, refused: pa.Table) -> pa.Table:
        """Lines a check refused, found by an ordered read; the reader's rows must match the file's lines."""
        raw = f"concat_ws(chr(9), {', '.join(gdelt.RAW)})"
        rows = ordered(self.con, f"SELECT reject_reason, CASE WHEN reject_reason IS NOT NULL THEN {raw} END "
                                 f"AS raw FROM ({_checked_rows(source)})")
        skipped = source.skipped(refused)
        if rows.num_rows + len(skipped) != source.lines:
            raise SourceFileError(f"{self.scan.path}: the CSV reader returned {rows.num_rows:,} rows and skipped "
                                  f"{len(skipped):,} lines of {source.lines:,}; the lines cannot be accounted for, "
                                  "so nothing was stored from this file")
        return located_rejects(rows, skipped)

    def _versions(self, file_id: int) -> str | None:
        rows = self.con.execute(
            "SELECT DISTINCT replace(source_format, 'gdelt-', '') FROM events WHERE file_id = ? ORDER BY 1",
            [file_id]).fetchall()
        return "+".join(r[0] for r in rows) or None


def _not_gdelt(result: FileResult) -> bool:
    return result.read > 0 and result.stored == 0 and result.duplicate == 0 and result.rejected == result.read


def _first_reject(store: Store, file_id: int) -> str:
    rows = store.con.execute("SELECT line, reason FROM rejects WHERE file_id = ? ORDER BY line LIMIT 1",
                             [file_id]).fetchall()
    return f"; line {rows[0][0]}: {rows[0][1]}" if rows else ""


def _write_file(store: Store, scan: FileScan, file_id: int) -> FileResult:
    result = _FileIngest(store, scan).run(file_id)
    if _not_gdelt(result):
        raise SourceFileError(
            f"{scan.path}: not a GDELT event export: none of its {result.read:,} lines could be read "
            f"(GDELT 1.0 lines have 57 or 58 tab-separated fields, GDELT 2.0 lines 61){_first_reject(store, file_id)}")
    return result


def ingest_file(store: Store, path: Path, force: bool = False) -> FileResult:
    """Ingest one GDELT export; an error for this file leaves the store as it was."""
    return ingest_one(store, path, DATASET, FORMAT, _write_file, force)
