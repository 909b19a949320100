"""What every file ingest shares: skip by sha256, one transaction, provenance, rejects."""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa

from weaklink import __version__
from weaklink.errors import AccountingError, WeaklinkError
from weaklink.ingest.csvread import sql_string
from weaklink.ingest.eventdays import count_file
from weaklink.ingest.summary import FileResult
from weaklink.sources.scan import FileScan, scan_file
from weaklink.store import Store

# body(store, scan, file_id) writes the file's rows inside the transaction and returns its counts.
Body = Callable[[Store, FileScan, int], FileResult]


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# A file none of whose lines could be stored (every line rejected) is not done: it is read again next time.
NOTHING_STORED = "rows_stored = 0 AND rows_rejected > 0"


def earlier_read(con: duckdb.DuckDBPyConnection, fmt: str, sha256: str) -> tuple[int, bool] | None:
    """The file_id of an earlier read of this file, and whether it counts as done (it stored a line, or
    had nothing to reject); None when the file was never read."""
    rows = con.execute(f"SELECT file_id, NOT ({NOTHING_STORED}) FROM provenance WHERE format = ? AND sha256 = ?",
                       [fmt, sha256]).fetchall()
    return (rows[0][0], bool(rows[0][1])) if rows else None


def check_counts(path: Path, result: FileResult) -> None:
    """Refuse counts that do not add up (read = stored + rejected + duplicate + kept out, none negative)."""
    counts = (result.read, result.stored, result.rejected, result.duplicate, result.kept_out)
    if min(counts) < 0 or result.read != result.stored + result.rejected + result.duplicate + result.kept_out:
        raise AccountingError(f"{path}: the line counts do not add up (read {counts[0]:,}, stored {counts[1]:,}, "
                              f"rejected {counts[2]:,}, duplicate {counts[3]:,}, kept out {counts[4]:,}); nothing was "
                              "stored from this "
                              "file. This is a bug in weaklink: please report it with the file")


def record_provenance(con, file_id: int, dataset: str, fmt: str, scan: FileScan, result: FileResult,
                      started: datetime, again: bool = False) -> None:
    """Register a file read; `again` (a file read before) updates its row to the counts of this read."""
    check_counts(scan.path, result)
    if again:
        con.execute(
            """UPDATE provenance SET version = ?, path = ?, member = ?, rows_read = ?, rows_stored = ?,
                   rows_rejected = ?, rows_duplicate = ?, started_at = ?, finished_at = ?, weaklink_version = ?
               WHERE file_id = ?""",
            [result.version, str(scan.path), scan.member, result.read, result.stored, result.rejected,
             result.duplicate, started, now(), __version__, file_id])
    else:
        con.execute(
            """INSERT INTO provenance (file_id, dataset, format, version, path, member, sha256, size_bytes,
                   rows_read, rows_stored, rows_rejected, rows_duplicate, started_at, finished_at, weaklink_version)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [file_id, dataset, fmt, result.version, str(scan.path), scan.member, scan.sha256, scan.size_bytes,
             result.read, result.stored, result.rejected, result.duplicate, started, now(), __version__])
    if again or result.kept_out:  # lines left out by `keep="watched"` (docs/monitor.md)
        con.execute("UPDATE provenance SET rows_kept_out = ? WHERE file_id = ?", [result.kept_out, file_id])


# A file's duplicate check looks up its record ids among those stored. Restricted to the range between the file's
# lowest and highest id, it reads only the row groups whose min/max (DuckDB's zone maps) overlap that range, so its
# cost follows the file, not the store (docs/ingest.md, "Checking for duplicates"). Finding the range costs one more
# read of the file's first column; it is worth it once the table holds this many rows per line of the file (the
# whole-table check reads about 10M stored ids/s, the extra read about 0.4M lines/s on two cores).
RANGE_WORTH_ROWS_PER_LINE = 25


@dataclass(frozen=True)
class IdRange:
    """The record ids a file's duplicate check must look at: all (`restricted` false), or those between `low` and
    `high` (string order; None when the file holds no valid id: then no stored id can match)."""

    restricted: bool = False
    low: str | None = None
    high: str | None = None

    def sql(self, column: str) -> str:
        """SQL true for a stored row the check must look at."""
        if not self.restricted:
            return "true"
        if self.low is None or self.high is None:
            return "false"
        return f"{column} BETWEEN {sql_string(self.low)} AND {sql_string(self.high)}"


def table_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """A table's row count as the catalogue knows it (no scan)."""
    rows = con.execute("SELECT estimated_size FROM duckdb_tables() WHERE table_name = ? AND NOT temporary",
                       [table]).fetchall()
    return int(rows[0][0] or 0) if rows else 0


def id_range(con: duckdb.DuckDBPyConnection, bounds_sql: str, lines: int, table: str = "events") -> IdRange:
    """The range a file's duplicate check is restricted to: `bounds_sql` gives the file's lowest and highest id
    (as stored, in string order); not run, and no restriction, while `table` is small next to the file."""
    if table_rows(con, table) < RANGE_WORTH_ROWS_PER_LINE * max(lines, 1):
        return IdRange()
    low, high = con.execute(bounds_sql).fetchall()[0]
    return IdRange(True, low, high)


def store_rejects(con: duckdb.DuckDBPyConnection, file_id: int, path: Path, rejects: pa.Table) -> None:
    """Append rejected lines (a table of line, reason, raw) for one file."""
    if rejects.num_rows == 0:
        return
    con.register("wl_new_rejects", rejects)
    con.execute("INSERT INTO rejects SELECT ?, ?, line, reason, raw FROM wl_new_rejects", [file_id, str(path)])
    con.unregister("wl_new_rejects")


def _in_transaction(store: Store, scan: FileScan, dataset: str, fmt: str, body: Body,
                    earlier: int | None = None) -> FileResult:
    """Read a file in one transaction. A file read before (`earlier`, its file_id) keeps its file_id: its
    rejects are replaced by this read's, its provenance row takes this read's counts."""
    con, started = store.con, now()
    file_id = earlier if earlier is not None else con.execute("SELECT nextval('provenance_ids')").fetchall()[0][0]
    con.execute("BEGIN TRANSACTION")
    try:
        if earlier is not None:
            con.execute("DELETE FROM rejects WHERE file_id = ?", [file_id])
        result = body(store, scan, file_id)
        count_file(con, file_id)
        record_provenance(con, file_id, dataset, fmt, scan, result, started, again=earlier is not None)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if result.stored == 0 and result.rejected > 0:
        result.message = (f"no line of {scan.path} could be stored ({result.rejected:,} rejected): the file is not "
                          "marked as done and will be read again next time; `weaklink rejects` says why")
    return result


def _size_seen(con: duckdb.DuckDBPyConnection, fmt: str, size: int) -> bool:
    return bool(con.execute("SELECT 1 FROM provenance WHERE format = ? AND size_bytes = ?", [fmt, size]).fetchall())


def ingest_one(store: Store, path: Path, dataset: str, fmt: str, body: Body, force: bool = False) -> FileResult:
    """Ingest one file with `body`; any error for this file leaves the store as it was.

    A file can only be one already ingested if a stored file has its size: then it is hashed first,
    and skipped if the sha256 matches (unless `force`: then it is read again, and the rows it holds
    that are already stored count as duplicates). Otherwise it is hashed while it is being ingested.
    """
    clock = time.perf_counter()
    try:
        may_be_known = force or _size_seen(store.con, fmt, path.stat().st_size)
        scan = scan_file(path, background=not may_be_known)
        earlier = earlier_read(store.con, fmt, scan.sha256) if may_be_known else None
        if earlier and earlier[1] and not force:
            result = FileResult(path=str(path), sha256=scan.sha256, status="skipped",
                                message="already ingested (same sha256)")
        else:
            result = _in_transaction(store, scan, dataset, fmt, body, earlier[0] if earlier else None)
    except Exception as exc:  # noqa: BLE001 - one bad file is an error for that file only; the rest proceeds
        result = FileResult(path=str(path), sha256=None, status="error", message=_message(path, exc))
    result.seconds = round(time.perf_counter() - clock, 3)
    return result


def _message(path: Path, exc: Exception) -> str:
    """What went wrong with one file, always naming it (and the line, where the reader says)."""
    if isinstance(exc, WeaklinkError):
        text = str(exc)
        return text if str(path) in text else f"{path}: {text}"
    first = (str(exc).strip().splitlines() or [""])[0]
    if isinstance(exc, duckdb.Error):
        line = re.search(r"[Ll]ine:? (\d+)", str(exc))
        where = f" at line {line.group(1)}" if line else ""
        return f"{path}: the CSV reader failed{where}: {first}"
    if isinstance(exc, (OSError, ValueError, csv.Error, EOFError, RecursionError, MemoryError)):
        return f"{path}: cannot read this file ({type(exc).__name__}: {first})"
    return f"{path}: unexpected error while ingesting this file ({type(exc).__name__}: {first}); please report it"
