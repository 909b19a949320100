"""GDELT event exports into the store: one transaction per file, every line accounted for.

The fast path is one DuckDB statement: the CSV reader parses the file (or streams a zip's
member), the line's version is decided from its field count, fields are typed and checked,
invalid lines and record ids already stored are filtered out, and the rest is appended to `events`. The
duplicate check looks only at stored ids within the file's own id range once the store is large (see
`common.id_range`), so its cost follows the file, not the size of the store.
Only when the counts show that some line was invalid or a duplicate does a second, ordered read find
which lines, so that each reject is stored with its line number, reason and raw text. A file with CR
line ends or over-long lines is first rewritten line by line (see `csvread.readable`).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pyarrow as pa

from weaklink.errors import SourceFileError
from weaklink.indicators.dyads import COUNTRY_SQL
from weaklink.indicators.lag import DEFAULT_MAX_LAG_DAYS, late_sql
from weaklink.ingest.common import IdRange, id_range, ingest_one, store_rejects
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


def _id_range(con, source: Readable) -> IdRange:
    """The file's lowest and highest record id, read from its first column alone (when the store is large)."""
    record_id = gdelt.typed_columns()["record_id"]
    return id_range(con, f"SELECT min({record_id}), max({record_id}) FROM {_csv_source(source.location, source.codec)}",
                    source.lines)


def _not_seen(ids: IdRange) -> str:
    """SQL true for a checked line whose record id is not stored yet; only stored ids within `ids` are read."""
    return f"""NOT EXISTS (SELECT 1 FROM events AS seen WHERE seen.dataset = '{DATASET}'
                   AND {ids.sql("seen.record_id")} AND seen.record_id = checked.record_id)"""


def _insert_sql(source: Readable, file_id: int, keep: tuple[str, ...] | None = None,
                ids: IdRange = IdRange()) -> str:
    """Append the storable lines not yet stored; event dates under GDELT's dating error are repaired, the
    original kept in `event_date_original` (docs/ingest.md). With `keep`, only events involving those actors.
    `ids`: the stored ids the duplicate check looks at (all by default)."""
    stored = {**{name: name for name in gdelt.typed_columns()}, **gdelt.repaired_dates(), **COUNTRY_SQL}
    return f"""
        INSERT INTO events (dataset, file_id, {", ".join(stored)})
        SELECT '{DATASET}', {file_id}, {", ".join(stored.values())} FROM ({_checked_rows(source)}) AS checked
        WHERE reject_reason IS NULL {"" if keep is None else f"AND {_kept(keep)}"} AND {_not_seen(ids)}"""


def _kept(keep: tuple[str, ...]) -> str:
    """SQL true for an event one of whose actors' countries (the country code, else the actor code's prefix, as
    indicators/dyads.py reads it) is one of `keep`; never NULL."""
    codes = ", ".join(sql_string(code) for code in keep)
    return (f"coalesce(coalesce(actor1_country, left(actor1_code, 3)) IN ({codes}) "
            f"OR coalesce(actor2_country, left(actor2_code, 3)) IN ({codes}), false)")


def _count_kept_out(con, source: Readable, file_id: int, keep: tuple[str, ...], ids: IdRange) -> int:
    """Count the storable, not yet stored lines `keep` leaves out into `event_totals` (per event day, reporting
    day and root flag: what volume-normalised series need); the number of such lines."""
    event_date = gdelt.repaired_dates()["event_date"]
    con.execute(f"""CREATE OR REPLACE TEMP TABLE wl_kept_out AS
        SELECT record_id, {event_date} AS event_date, date_trunc('day', date_added) AS date_added, is_root
        FROM ({_checked_rows(source)}) AS checked
        WHERE reject_reason IS NULL AND NOT {_kept(keep)} AND {_not_seen(ids)}""")
    con.execute("DELETE FROM event_totals WHERE file_id = ?", [file_id])
    con.execute(f"""INSERT INTO event_totals SELECT '{DATASET}', {file_id}, event_date, date_added, is_root, count(*)
        FROM (SELECT DISTINCT ON (record_id) * FROM wl_kept_out) GROUP BY ALL""")
    lines = con.execute("SELECT count(*) FROM wl_kept_out").fetchall()[0][0]
    con.execute("DROP TABLE wl_kept_out")
    return lines


class _FileIngest:
    """Ingest one file inside the caller's transaction."""

    def __init__(self, store: Store, scan: FileScan, max_lag_days: int | None,
                 keep: tuple[str, ...] | None = None) -> None:
        self.con = store.con
        self.scan = scan
        self.max_lag_days = max_lag_days
        self.keep = keep

    def run(self, file_id: int) -> FileResult:
        with readable(self.con, self.scan, terminated=True) as source:  # GDELT ends every line with LF
            return self._run(source, file_id)

    def _run(self, source: Readable, file_id: int) -> FileResult:
        con = self.con
        ids = _id_range(con, source)
        kept_out = 0 if self.keep is None else _count_kept_out(con, source, file_id, self.keep, ids)
        drop_reader_rejects(con)  # (after the reads above: they leave the reader's rejects too)
        con.execute("SET preserve_insertion_order = false")
        inserted = con.execute(_insert_sql(source, file_id, self.keep, ids)).fetchall()[0][0]
        refused = refused_lines(con, 61, GDELT_WIDTHS)
        early = source.early_rejects()
        # Every line is inserted, kept out, empty, rejected early or refused by the reader, unless a check or a
        # known id stopped it.
        all_explained = (inserted + kept_out + len(source.blank_lines) + early.num_rows + refused.num_rows
                         == source.lines)
        stored = inserted - self._drop_repeats_within_file(file_id)
        rejects = pa.concat_tables([refused, early, blank_rejects(source)])
        if not all_explained:
            rejects = pa.concat_tables([rejects, self._checked_rejects(source, refused)])
        rejects = rejects.sort_by("line")
        store_rejects(con, file_id, self.scan.path, rejects)
        repaired, late = self._dating(file_id)
        return FileResult(path=str(self.scan.path), sha256=self.scan.sha256, status="ingested",
                          read=source.lines, stored=stored, rejected=rejects.num_rows,
                          duplicate=source.lines - stored - rejects.num_rows - kept_out,
                          version=self._versions(file_id), repaired=repaired, late=late, kept_out=kept_out)

    def _dating(self, file_id: int) -> tuple[int, int]:
        """Of the rows this file stored: dates repaired, and late events (kept, left out of indicators)."""
        late = "false" if self.max_lag_days is None else late_sql(self.max_lag_days)
        row = self.con.execute(f"""SELECT count(event_date_original), count(*) FILTER (WHERE {late})
                                   FROM events WHERE file_id = ?""", [file_id]).fetchall()[0]
        return int(row[0]), int(row[1])

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


def _write_file(store: Store, scan: FileScan, file_id: int, max_lag_days: int | None,
                keep: tuple[str, ...] | None = None) -> FileResult:
    result = _FileIngest(store, scan, max_lag_days, keep).run(file_id)
    if _not_gdelt(result):
        raise SourceFileError(
            f"{scan.path}: not a GDELT event export: none of its {result.read:,} lines could be read "
            f"(GDELT 1.0 lines have 57 or 58 tab-separated fields, GDELT 2.0 lines 61){_first_reject(store, file_id)}")
    return result


def ingest_file(store: Store, path: Path, force: bool = False,
                max_lag_days: int | None = DEFAULT_MAX_LAG_DAYS, keep: tuple[str, ...] | None = None) -> FileResult:
    """Ingest one GDELT export; an error for this file leaves the store as it was. `max_lag_days` only decides
    which stored events the result counts as late (indicators/lag.py); every valid line is stored, unless `keep`
    (actor country codes) is given: then only events involving one of them, the others counted in `event_totals`
    (docs/monitor.md, "Keeping only what is watched")."""
    return ingest_one(store, path, DATASET, FORMAT, partial(_write_file, max_lag_days=max_lag_days, keep=keep),
                      force)
