"""DuckDB's CSV reader as weaklink uses it: rejects kept, and line numbers recovered.

DuckDB returns rows in file order (with `preserve_insertion_order`) but skips empty lines and the lines
it refuses (bad UTF-8, too many fields) without saying where in its output. Knowing those lines (from
the file scan and DuckDB's rejects table) is enough to give every returned row its line number.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from weaklink.sources.scan import FileScan

REJECTS_TABLE = "wl_csv_rejects"
REJECTS_SCAN = "wl_csv_scans"
REJECT_OPTIONS = f"store_rejects=true, rejects_table='{REJECTS_TABLE}', rejects_scan='{REJECTS_SCAN}'"

READER_REASON = """CASE error_type
    WHEN 'TOO MANY COLUMNS' THEN 'wrong number of fields: more than {width}{expected}'
    WHEN 'MISSING COLUMNS' THEN 'wrong number of fields: fewer than {width}{expected}'
    WHEN 'INVALID ENCODING' THEN 'not valid UTF-8 (the line holds bytes of another encoding)'
    ELSE lower(error_type) || ': ' || error_message END"""


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def codec(scan: FileScan) -> str:
    return "gzip" if scan.compression == "gzip" else "none"


def drop_reader_rejects(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP TABLE IF EXISTS {REJECTS_TABLE}")
    con.execute(f"DROP TABLE IF EXISTS {REJECTS_SCAN}")


def rejects_table(rows: list[tuple[int, str, str]]) -> pa.Table:
    """Rejected lines as (line, reason, raw) rows, in the shape `store_rejects` takes."""
    return pa.table({"line": pa.array([r[0] for r in rows], pa.int64()),
                     "reason": pa.array([r[1] for r in rows], pa.string()),
                     "raw": pa.array([r[2] for r in rows], pa.string())})


def reader_rejects(con: duckdb.DuckDBPyConnection, width: int, expected: str = "") -> pa.Table:
    """Lines the CSV reader itself refused, one row per line, with a reason a person can read."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [REJECTS_TABLE]).fetchall()[0][0]
    if not exists:
        return rejects_table([])
    reason = READER_REASON.format(width=width, expected=f" ({expected})" if expected else "")
    return con.sql(f"""
        SELECT line::BIGINT AS line, first({reason} ORDER BY column_idx) AS reason,
               first(ltrim(csv_line, chr(10) || chr(13))) AS raw
        FROM {REJECTS_TABLE} GROUP BY line ORDER BY line""").to_arrow_table()


def lines_of_kept(ranks: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """Line numbers of rows the reader returned (1-based ranks), given the lines it skipped."""
    adjusted = np.sort(excluded) - np.arange(len(excluded))
    return ranks + np.searchsorted(adjusted, ranks, side="right")


def skipped_lines(scan: FileScan, refused: pa.Table, header_lines: int = 0) -> np.ndarray:
    """Lines the reader returns no row for: header, empty lines, refused lines."""
    return np.array(list(range(1, header_lines + 1)) + scan.blank_lines + refused["line"].to_pylist(),
                    dtype=np.int64)


def ordered(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """Run a query over a CSV scan and get its rows in file order."""
    con.execute("SET preserve_insertion_order = true")
    try:
        return con.sql(sql).to_arrow_table()
    finally:
        con.execute("SET preserve_insertion_order = false")


def blank_rejects(scan: FileScan) -> pa.Table:
    return rejects_table([(line, "empty line", "") for line in scan.blank_lines])


def located_rejects(rows: pa.Table, skipped: np.ndarray, raw_column: str = "raw") -> pa.Table:
    """The rows (in file order) whose reject_reason is set, with their line numbers."""
    bad = np.flatnonzero(rows["reject_reason"].is_valid().to_numpy(zero_copy_only=False))
    return pa.table({"line": pa.array(lines_of_kept(bad + 1, skipped), pa.int64()),
                     "reason": rows["reject_reason"].take(bad),
                     "raw": rows[raw_column].take(bad).cast(pa.string())})
