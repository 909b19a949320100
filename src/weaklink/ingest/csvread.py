"""DuckDB's CSV reader as weaklink uses it: rejects kept, and line numbers recovered.

DuckDB returns rows in file order (with `preserve_insertion_order`) but skips empty lines and the lines
it refuses (bad UTF-8, too many fields) without saying where in its output. Knowing those lines (from
the file scan and DuckDB's rejects table) is enough to give every returned row its line number.

The reader only ever sees files it can split into lines: `readable` gives it the file as it is when the
file has no CR byte and no over-long line, and otherwise a rewritten copy (sources/lines.py) in which the
lines it could not take are empty, with their rejects kept aside.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from fsspec.implementations.zip import ZipFileSystem

from weaklink.errors import SourceFileError
from weaklink.sources.lines import Normalised, normalise, shape_of
from weaklink.sources.scan import FileScan, open_content

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


def ordered(con: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    """Run a query over a CSV scan and get its rows in file order."""
    con.execute("SET preserve_insertion_order = true")
    try:
        return con.sql(sql).to_arrow_table()
    finally:
        con.execute("SET preserve_insertion_order = false")


def blank_rejects(source: Readable) -> pa.Table:
    return rejects_table([(line, "empty line", "") for line in source.blank_lines])


def located_rejects(rows: pa.Table, skipped: np.ndarray, raw_column: str = "raw") -> pa.Table:
    """The rows (in file order) whose reject_reason is set, with their line numbers."""
    bad = np.flatnonzero(rows["reject_reason"].is_valid().to_numpy(zero_copy_only=False))
    return pa.table({"line": pa.array(lines_of_kept(bad + 1, skipped), pa.int64()),
                     "reason": rows["reject_reason"].take(bad),
                     "raw": rows[raw_column].take(bad).cast(pa.string())})


@dataclass
class Readable:
    """What the CSV reader reads for one input file, and that file's lines as the reader will count them."""

    scan: FileScan
    location: str
    codec: str
    normalised: Normalised | None = None

    @property
    def lines(self) -> int:
        return self.scan.lines if self.normalised is None else self.normalised.lines

    @property
    def blank_lines(self) -> list[int]:
        return self.scan.blank_lines if self.normalised is None else self.normalised.blank_lines

    def early_rejects(self) -> pa.Table:
        """Lines rejected before the reader: CR inside a line, lines over the maximum length."""
        return rejects_table(self.normalised.rejects if self.normalised else [])

    def skipped(self, refused: pa.Table, header_lines: int = 0) -> np.ndarray:
        """Lines the reader returns no row for: header, empty lines, early rejects, refused lines."""
        early = [r[0] for r in self.normalised.rejects] if self.normalised else []
        return np.array(list(range(1, header_lines + 1)) + self.blank_lines + early + refused["line"].to_pylist(),
                        dtype=np.int64)

    def open(self):
        return open_content(self.scan) if self.normalised is None else open(self.location, "rb")


def duckdb_path(path: Path) -> str:
    """A path for DuckDB's readers, which treat `[`, `*` and `?` as glob characters: each one escaped as `[c]`."""
    return re.sub(r"([\[*?])", r"[\1]", str(path))


@contextmanager
def readable(con: duckdb.DuckDBPyConnection, scan: FileScan, terminated: bool = False) -> Iterator[Readable]:
    """The file for DuckDB's CSV reader: as it is, or an LF-only copy in a temporary folder. `terminated`: the
    format ends every line with a newline, so an unterminated last line is rejected (the file may be cut)."""
    with open_content(scan) as handle:
        shape = shape_of(handle)
    if shape.clean and not (terminated and shape.unterminated):
        location = duckdb_path(scan.path) if scan.member is None else f"zip://{scan.member}"
        with _zip_filesystem(con, scan):
            yield Readable(scan, location, codec(scan))
        return
    with tempfile.TemporaryDirectory(prefix="weaklink-lines-") as folder:
        copy = Path(folder) / "lines.csv"
        with open_content(scan) as source, copy.open("wb") as out:
            normalised = normalise(source, out, shape, terminated)
        yield Readable(scan, str(copy), "none", normalised)


@contextmanager
def _zip_filesystem(con: duckdb.DuckDBPyConnection, scan: FileScan) -> Iterator[None]:
    """Let DuckDB's CSV reader stream the member of a zip archive, without extracting it."""
    if scan.member is None:
        yield
        return
    con.register_filesystem(ZipFileSystem(fo=str(scan.path)))
    try:
        yield
    finally:
        con.unregister_filesystem("zip")


NOT_UTF8 = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by the surrogateescape decoding


@dataclass
class CsvRow:
    """One row of a small headed CSV file read with the csv module: its line, raw text and fields."""

    line: int
    raw: str
    fields: dict


def csv_rows(source: Readable, required: list[str], what: str) -> tuple[list[CsvRow], list[tuple[int, str, str]]]:
    """The rows of a small headed CSV file, and the lines that are not rows (with line, reason, raw).

    A missing header column is an error for the file; a line the csv module cannot parse (a NUL byte, a
    field over its size limit) or that is not valid UTF-8 is a reject for that line only.
    """
    with source.open() as handle:
        text = handle.read().decode("utf-8-sig", errors="surrogateescape")
    lines = text.split("\n")
    reader = csv.DictReader(io.StringIO(text, newline="\n"))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error:
        fieldnames = []
    missing = [c for c in required if c not in fieldnames]
    if missing:
        found = NOT_UTF8.sub("\ufffd", ", ".join(str(f) for f in fieldnames))[:200]
        raise SourceFileError(f"{source.scan.path}: not a {what} file: missing column(s) {', '.join(missing)} "
                              f"(expected a header with {', '.join(required)}; found {found or 'no header'})")
    rows, bad = [], [(line, reason, raw) for line, reason, raw in source.normalised.rejects] if source.normalised else []
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            bad.append((reader.line_num, f"not a CSV row: {exc}", _shown(_raw(lines, reader.line_num))))
            continue
        raw = _raw(lines, reader.line_num)
        if NOT_UTF8.search(raw) or any(isinstance(v, str) and NOT_UTF8.search(v) for v in fields.values()):
            bad.append((reader.line_num, "not valid UTF-8 (the line holds bytes of another encoding)", _shown(raw)))
        else:
            rows.append(CsvRow(reader.line_num, raw, fields))
    return rows, bad


def _raw(lines: list[str], line: int) -> str:
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _shown(raw: str) -> str:
    return NOT_UTF8.sub("\ufffd", raw)
