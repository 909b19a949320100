"""GDELT event exports into the store: one transaction per file, every line accounted for.

The fast path is one DuckDB statement: the CSV reader parses the file (or streams a zip's
member), the line's version is decided from its field count, fields are typed, invalid lines
and record ids already stored are filtered out, and the rest is appended to `events`. Only when
the counts show that some line was invalid or a duplicate does a second, ordered read find
which lines, so that each reject is stored with its line number, reason and raw text.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

import duckdb
import numpy as np
import pyarrow as pa
from fsspec.implementations.zip import ZipFileSystem

from weaklink import __version__
from weaklink.errors import SourceFileError
from weaklink.ingest.summary import FileResult
from weaklink.sources import gdelt
from weaklink.sources.scan import FileScan, scan_file
from weaklink.store import Store

DATASET = "gdelt"
FORMAT = "gdelt-events"
REJECTS_TABLE = "wl_csv_rejects"
REJECTS_SCAN = "wl_csv_scans"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _csv_source(location: str) -> str:
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in gdelt.RAW) + "}"
    return (f"read_csv({_sql_string(location)}, columns={columns}, delim='\\t', quote='', escape='', "
            "header=false, auto_detect=false, null_padding=true, nullstr='\\x01', "
            f"store_rejects=true, rejects_table='{REJECTS_TABLE}', rejects_scan='{REJECTS_SCAN}')")


def _checked_rows(location: str) -> str:
    """A query of every parsed line: typed columns plus `reject_reason` (NULL when storable)."""
    typed = ", ".join(f"{sql} AS {name}" for name, sql in gdelt.typed_columns().items())
    return f"""
        SELECT *, {gdelt.reject_reason()} AS reject_reason FROM (
            SELECT {typed}, * FROM (
                SELECT *, width = 61 AS is_v2 FROM (
                    SELECT *, {gdelt.WIDTH_SQL} AS width FROM {_csv_source(location)})))"""


def _insert_sql(location: str, file_id: int) -> str:
    columns = ", ".join(gdelt.typed_columns())
    return f"""
        INSERT INTO events (dataset, file_id, {columns})
        SELECT '{DATASET}', {file_id}, {columns} FROM ({_checked_rows(location)}) AS checked
        WHERE reject_reason IS NULL AND NOT EXISTS (
            SELECT 1 FROM events AS seen
            WHERE seen.dataset = '{DATASET}' AND seen.record_id = checked.record_id)"""


def _drop_csv_rejects(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP TABLE IF EXISTS {REJECTS_TABLE}")
    con.execute(f"DROP TABLE IF EXISTS {REJECTS_SCAN}")


READER_REASON = """CASE error_type
    WHEN 'TOO MANY COLUMNS' THEN 'wrong number of fields: more than 61 (GDELT 1.0 has 57 or 58, GDELT 2.0 has 61)'
    WHEN 'INVALID ENCODING' THEN 'not valid UTF-8 (the line holds bytes of another encoding)'
    ELSE lower(error_type) || ': ' || error_message END"""


def _reader_rejects(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Lines the CSV reader itself refused (bad UTF-8, too many fields), one row per line."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [REJECTS_TABLE]).fetchall()[0][0]
    if not exists:
        return pa.table({"line": pa.array([], pa.int64()), "reason": pa.array([], pa.string()),
                         "raw": pa.array([], pa.string())})
    return con.sql(f"""
        SELECT line::BIGINT AS line, first({READER_REASON} ORDER BY column_idx) AS reason,
               first(ltrim(csv_line, chr(10) || chr(13))) AS raw
        FROM {REJECTS_TABLE} GROUP BY line ORDER BY line""").to_arrow_table()


def _lines_of_kept(ranks: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """Line numbers of rows the reader returned (1-based ranks), given the lines it skipped."""
    adjusted = np.sort(excluded) - np.arange(len(excluded))
    return ranks + np.searchsorted(adjusted, ranks, side="right")


class _FileIngest:
    """Ingest one file inside the caller's transaction."""

    def __init__(self, store: Store, scan: FileScan) -> None:
        self.con = store.con
        self.scan = scan
        self.location = str(scan.path) if scan.member is None else f"zip://{scan.member}"

    def run(self, file_id: int) -> FileResult:
        con = self.con
        _drop_csv_rejects(con)
        con.execute("SET preserve_insertion_order = false")
        stored = con.execute(_insert_sql(self.location, file_id)).fetchall()[0][0]
        reader_rejects = _reader_rejects(con)
        blank = self.scan.blank_lines
        accounted = stored + len(blank) + reader_rejects.num_rows
        duplicate = self._drop_repeats_within_file(file_id)
        stored -= duplicate
        rejects = self._rejects(reader_rejects, need_checked=accounted != self.scan.lines)
        rejected = rejects.num_rows
        duplicate = self.scan.lines - stored - rejected
        self._store_rejects(file_id, rejects)
        return FileResult(path=str(self.scan.path), sha256=self.scan.sha256, status="ingested",
                          read=self.scan.lines, stored=stored, rejected=rejected, duplicate=duplicate,
                          version=self._versions(file_id))

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

    def _rejects(self, reader_rejects: pa.Table, need_checked: bool) -> pa.Table:
        blank = self.scan.blank_lines
        parts = [reader_rejects,
                 pa.table({"line": pa.array(blank, pa.int64()),
                           "reason": pa.array(["empty line"] * len(blank), pa.string()),
                           "raw": pa.array([""] * len(blank), pa.string())})]
        if need_checked:
            parts.append(self._checked_rejects(reader_rejects))
        return pa.concat_tables(parts).sort_by("line")

    def _checked_rejects(self, reader_rejects: pa.Table) -> pa.Table:
        """Second, ordered read: which returned rows failed a check, at which lines."""
        self.con.execute("SET preserve_insertion_order = true")
        raw = f"concat_ws(chr(9), {', '.join(gdelt.RAW)})"
        reasons = self.con.sql(
            f"SELECT reject_reason, CASE WHEN reject_reason IS NOT NULL THEN {raw} END AS raw "
            f"FROM ({_checked_rows(self.location)})").to_arrow_table()
        self.con.execute("SET preserve_insertion_order = false")
        bad = np.flatnonzero(reasons["reject_reason"].is_valid().to_numpy(zero_copy_only=False))
        excluded = np.array(self.scan.blank_lines + reader_rejects["line"].to_pylist(), dtype=np.int64)
        lines = _lines_of_kept(bad + 1, excluded)
        return pa.table({"line": pa.array(lines, pa.int64()),
                         "reason": reasons["reject_reason"].take(bad),
                         "raw": reasons["raw"].take(bad)})

    def _store_rejects(self, file_id: int, rejects: pa.Table) -> None:
        if rejects.num_rows == 0:
            return
        self.con.register("wl_new_rejects", rejects)
        self.con.execute(
            "INSERT INTO rejects SELECT ?, ?, line, reason, raw FROM wl_new_rejects",
            [file_id, str(self.scan.path)])
        self.con.unregister("wl_new_rejects")

    def _versions(self, file_id: int) -> str | None:
        rows = self.con.execute(
            "SELECT DISTINCT replace(source_format, 'gdelt-', '') FROM events WHERE file_id = ? ORDER BY 1",
            [file_id]).fetchall()
        return "+".join(r[0] for r in rows) or None


def _already_ingested(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    rows = con.execute("SELECT 1 FROM provenance WHERE format = ? AND sha256 = ?", [FORMAT, sha256]).fetchall()
    return bool(rows)


def _record_provenance(con, file_id: int, scan: FileScan, result: FileResult, started: datetime) -> None:
    con.execute(
        """INSERT INTO provenance (file_id, dataset, format, version, path, member, sha256, size_bytes,
               rows_read, rows_stored, rows_rejected, rows_duplicate, started_at, finished_at, weaklink_version)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [file_id, DATASET, FORMAT, result.version, str(scan.path), scan.member, scan.sha256, scan.size_bytes,
         result.read, result.stored, result.rejected, result.duplicate, started, _now(), __version__])


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _not_gdelt(scan: FileScan, result: FileResult) -> bool:
    return result.read > 0 and result.stored == 0 and result.duplicate == 0 and result.rejected == result.read


def _ingest_scanned(store: Store, scan: FileScan) -> FileResult:
    con, started = store.con, _now()
    file_id = con.execute("SELECT nextval('provenance_ids')").fetchall()[0][0]
    con.execute("BEGIN TRANSACTION")
    try:
        with _zip_filesystem(con, scan):
            result = _FileIngest(store, scan).run(file_id)
        if _not_gdelt(scan, result):
            raise SourceFileError(
                f"{scan.path}: not a GDELT event export: none of its {result.read} lines could be read "
                "(GDELT 1.0 lines have 57 or 58 tab-separated fields, GDELT 2.0 lines 61)")
        _record_provenance(con, file_id, scan, result, started)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
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


def ingest_file(store: Store, path) -> FileResult:
    """Ingest one GDELT export; an error for this file leaves the store as it was."""
    clock = time.perf_counter()
    try:
        scan = scan_file(path)
        if _already_ingested(store.con, scan.sha256):
            result = FileResult(path=str(path), sha256=scan.sha256, status="skipped",
                                message="already ingested (same sha256)")
        else:
            result = _ingest_scanned(store, scan)
    except (SourceFileError, duckdb.Error) as exc:
        result = FileResult(path=str(path), sha256=None, status="error", message=_message(exc))
    result.seconds = round(time.perf_counter() - clock, 3)
    return result


def _message(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, duckdb.Error):
        text = f"the CSV reader failed: {text.splitlines()[0]}"
    return text
