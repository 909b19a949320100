"""ICEWS, Phoenix and POLECAT event files into the store, one ingest path for every layout (sources/eventlayout.py).

Per file, in one transaction (`ingest_one`: skipped by sha256, kill-safe): DuckDB's CSV reader reads every line
as text into a temporary table (in file order); the countries its fields name are resolved once per distinct
value; one statement types and checks every row and appends the storable ones whose record id is not yet stored
for the dataset (the first of repeats within the file). Lines the reader refuses, empty lines and lines a check
refuses are stored as rejects with their line number, reason and raw text; the rest are duplicates. A header
line is not counted as read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa

from weaklink.errors import AmbiguousCountry, SourceFileError, UnknownCountry
from weaklink.indicators.dyads import COUNTRY_SQL
from weaklink.ingest.common import id_range, ingest_one, store_rejects
from weaklink.ingest.csvread import (
    REJECT_OPTIONS,
    Readable,
    blank_rejects,
    drop_reader_rejects,
    lines_of_kept,
    ordered,
    readable,
    reader_rejects,
    sql_string,
)
from weaklink.ingest.summary import FileResult
from weaklink.reference import countries
from weaklink.reference.cameo import load_event_codes
from weaklink.sources.eventlayout import Layout
from weaklink.sources.scan import FileScan
from weaklink.store import Store

RAW, CHECKED = "wl_ev_raw", "wl_ev_checked"


def _first_line(source: Readable) -> str:
    with source.open() as handle:
        return handle.readline().decode("utf-8-sig", errors="replace")


def _header_error(layout: Layout, scan: FileScan, found: str) -> SourceFileError:
    names = ", ".join(n.split("|")[0] or '""' for n in layout.header)
    return SourceFileError(f"{scan.path}: not {layout.what}: its first line should be the header {names[:300]}; "
                           f"found {found.strip()[:200]!r}. Check that the file is the one you meant, and the "
                           "command (weaklink ingest icews|polecat|phoenix)")


def _check_header(layout: Layout, scan: FileScan, line: str) -> None:
    row = next(csv.reader(io.StringIO(line.rstrip("\r\n")), delimiter=layout.delim,
                          quotechar=layout.quote or '"', quoting=csv.QUOTE_MINIMAL if layout.quote else csv.QUOTE_NONE),
               [])
    found = [name.strip() for name in row]
    wanted = [set(n.split("|")) for n in layout.header]
    if len(found) != len(wanted) or any(name not in names for name, names in zip(found, wanted)):
        raise _header_error(layout, scan, line)


def _reader(layout: Layout, source: Readable) -> str:
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in layout.names) + "}"
    quote = sql_string(layout.quote)
    nulls = "[" + ", ".join(sql_string(n) for n in layout.nullstr) + "]"
    return (f"read_csv({sql_string(source.location)}, columns={columns}, delim={sql_string(layout.delim)}, "
            f"quote={quote}, escape={quote}, header={str(bool(layout.header)).lower()}, auto_detect=false, "
            f"null_padding=false, nullstr={nulls}, compression='{source.codec}', {REJECT_OPTIONS})")


def _resolve(value: str) -> str | None:
    """The CAMEO code of the country a field names (a CAMEO or ISO3 code, or a name), or None."""
    try:
        found = countries.from_code(value, "cameo")
    except (UnknownCountry, AmbiguousCountry):
        try:
            found = countries.resolve(value)
        except (UnknownCountry, AmbiguousCountry):
            return None
    return found.cameo or found.iso3


def _register_lookups(con, layout: Layout) -> None:
    """The country of every distinct value the layout's country fields hold, and the CAMEO reference."""
    values = set()
    for index in layout.countries:
        column = layout.raw(index)
        values |= {r[0] for r in con.execute(
            f"SELECT DISTINCT trim({column}) FROM {RAW} WHERE nullif(trim({column}), '') IS NOT NULL").fetchall()}
    ordered_values = sorted(values)
    con.register("wl_ev_countries", pa.table({"value": pa.array(ordered_values, pa.string()),
                                              "cameo": pa.array([_resolve(v) for v in ordered_values], pa.string())}))
    codes = load_event_codes().values()
    con.register("wl_ev_cameo", pa.table({"code": [c.code for c in codes],
                                          "goldstein": pa.array([c.goldstein for c in codes], pa.float64())}))


def _joins(layout: Layout) -> str:
    joins = [f"LEFT JOIN wl_ev_countries AS k_{layout.raw(i)} ON k_{layout.raw(i)}.value = trim(raw.{layout.raw(i)})"
             for i in layout.countries]
    if layout.code:
        joins.append(f"LEFT JOIN wl_ev_cameo AS cameo ON cameo.code = ({layout.code})")
    return "\n".join(joins)


def _reason(layout: Layout) -> str:
    return "CASE " + " ".join(f"WHEN {bad} THEN {why}" for bad, why in layout.checks) + " END"


def _check_rows(con, layout: Layout) -> None:
    """Every read row typed, with its position in the file's rows, its reject reason (NULL: storable), raw text."""
    typed = ", ".join(f"{sql} AS {name}" for name, sql in layout.columns.items())
    raw_text = "concat_ws(" + sql_string(layout.delim) + ", " + ", ".join(f"coalesce(raw.{c}, '')"
                                                                         for c in layout.names) + ")"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {CHECKED} AS
        SELECT raw.pos AS pos, {typed}, {_reason(layout)} AS reject_reason,
               CASE WHEN ({_reason(layout)}) IS NOT NULL THEN {raw_text} END AS raw_line
        FROM {RAW} AS raw {_joins(layout)}""")


def _insert(con, layout: Layout, file_id: int) -> int:
    """Append the storable rows whose record id is not stored yet (the first of repeats within the file); the
    duplicate check reads only stored ids within the file's own id range once the store is large."""
    names = list(layout.columns)
    ids = id_range(con, f"SELECT min(record_id), max(record_id) FROM {CHECKED} WHERE reject_reason IS NULL",
                   con.execute(f"SELECT count(*) FROM {CHECKED}").fetchall()[0][0])
    absent = [f"NULL::VARCHAR AS actor{n}_{c}" for n in (1, 2) for c in ("code", "country")
              if f"actor{n}_{c}" not in names]  # what COUNTRY_SQL reads, NULL where the layout has no such field
    return con.execute(f"""
        INSERT INTO events (dataset, file_id, {", ".join(names)}, {", ".join(COUNTRY_SQL)})
        SELECT '{layout.dataset}', {file_id}, {", ".join(names)}, {", ".join(COUNTRY_SQL.values())}
        FROM (SELECT *, {", ".join(absent) or "NULL AS wl_none"} FROM {CHECKED}) AS checked
        WHERE reject_reason IS NULL AND NOT EXISTS (
            SELECT 1 FROM events AS seen WHERE seen.dataset = '{layout.dataset}' AND {ids.sql("seen.record_id")}
                AND seen.record_id = checked.record_id)
        QUALIFY row_number() OVER (PARTITION BY record_id ORDER BY pos) = 1""").fetchall()[0][0]


def _checked_rejects(con, source: Readable, refused: pa.Table, header_lines: int, returned: int) -> pa.Table:
    skipped = source.skipped(refused, header_lines)
    if returned + len(skipped) != source.lines:
        raise SourceFileError(f"{source.scan.path}: the CSV reader returned {returned:,} rows and skipped "
                              f"{len(skipped):,} lines of {source.lines:,}; the lines cannot be accounted for, so "
                              "nothing was stored from this file")
    rows = con.sql(f"SELECT pos, reject_reason, raw_line FROM {CHECKED} WHERE reject_reason IS NOT NULL "
                   "ORDER BY pos").to_arrow_table()
    ranks = np.asarray(rows["pos"].to_numpy(zero_copy_only=False), dtype=np.int64) + 1
    return pa.table({"line": pa.array(lines_of_kept(ranks, skipped), pa.int64()),
                     "reason": rows["reject_reason"].cast(pa.string()), "raw": rows["raw_line"].cast(pa.string())})


def _notes(con, layout: Layout, file_id: int) -> str | None:
    """What the summary says besides counts: actor countries that did not resolve, events with no quad class."""
    notes = []
    if layout.reported:
        parts = " UNION ALL ".join(
            f"SELECT trim(raw.{layout.raw(i)}) AS name FROM {RAW} AS raw JOIN {CHECKED} AS c ON c.pos = raw.pos "
            f"LEFT JOIN wl_ev_countries AS k ON k.value = trim(raw.{layout.raw(i)}) "
            f"WHERE c.reject_reason IS NULL AND nullif(trim(raw.{layout.raw(i)}), '') IS NOT NULL AND k.cameo IS NULL"
            for i in layout.reported)
        rows = con.execute(f"SELECT name, count(*) FROM ({parts}) GROUP BY name ORDER BY 2 DESC, 1").fetchall()
        if rows:
            total = sum(n for _, n in rows)
            names = "; ".join(f"{name!r} ({n:,})" for name, n in rows[:10]) + ("; …" if len(rows) > 10 else "")
            notes.append(f"{total:,} actor countr{'y' if total == 1 else 'ies'} in the valid lines did not resolve to "
                         f"a state; the actors were kept with no country: {names}")
    unmapped = con.execute("SELECT event_code, count(*) FROM events WHERE file_id = ? AND quad_class IS NULL "
                           "GROUP BY 1 ORDER BY 2 DESC, 1", [file_id]).fetchall()
    if unmapped:
        total = sum(n for _, n in unmapped)
        what = "; ".join(f"{code} ({n:,})" for code, n in unmapped[:10])
        notes.append(f"{total:,} stored event{'s' * (total != 1)} could not be put on a CAMEO quad class and were "
                     f"kept with none (left out of quad-class counts): {what}")
    return ". ".join(notes) or None


class _FileIngest:
    def __init__(self, store: Store, scan: FileScan, pick: Callable[[str], Layout]) -> None:
        self.con, self.scan, self.pick = store.con, scan, pick

    def run(self, file_id: int) -> FileResult:
        with readable(self.con, self.scan) as source:
            try:
                return self._run(source, file_id)
            finally:
                for table in (RAW, CHECKED):
                    self.con.execute(f"DROP TABLE IF EXISTS {table}")
                for view in ("wl_ev_countries", "wl_ev_cameo"):
                    try:
                        self.con.unregister(view)
                    except Exception:  # noqa: BLE001 - not registered: nothing to undo
                        pass

    def _run(self, source: Readable, file_id: int) -> FileResult:
        con, first = self.con, _first_line(source)
        layout = self.pick(first)
        header_lines = 1 if layout.header and source.lines else 0
        if layout.header and source.lines:
            _check_header(layout, self.scan, first)
        drop_reader_rejects(con)
        rows = ordered(con, f"SELECT * FROM {_reader(layout, source)}")
        returned = rows.num_rows
        con.register("wl_ev_read", rows.append_column("pos", pa.array(np.arange(returned, dtype=np.int64))))
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {RAW} AS SELECT * FROM wl_ev_read")
        finally:
            con.unregister("wl_ev_read")
        del rows
        refused = reader_rejects(con, layout.width, layout.expected)
        _register_lookups(con, layout)
        _check_rows(con, layout)
        stored = _insert(con, layout, file_id)
        rejects = pa.concat_tables([refused, source.early_rejects(), blank_rejects(source),
                                    _checked_rejects(con, source, refused, header_lines, returned)]).sort_by("line")
        store_rejects(con, file_id, self.scan.path, rejects)
        read = source.lines - header_lines
        if read and rejects.num_rows == read:
            first_reject = rejects.slice(0, 1).to_pylist()[0]
            raise SourceFileError(f"{self.scan.path}: not {layout.what}: none of its {read:,} lines could be read "
                                  f"({layout.expected}); line {first_reject['line']}: {first_reject['reason']}")
        return FileResult(path=str(self.scan.path), sha256=self.scan.sha256, status="ingested", read=read,
                          stored=stored, rejected=rejects.num_rows, duplicate=read - stored - rejects.num_rows,
                          version=layout.columns["source_format"].strip("'"), message=_notes(con, layout, file_id))


def _write_file(store: Store, scan: FileScan, file_id: int, pick: Callable[[str], Layout]) -> FileResult:
    return _FileIngest(store, scan, pick).run(file_id)


def ingest_file(store: Store, path: Path, pick: Callable[[str], Layout], force: bool = False) -> FileResult:
    """Ingest one event file in the layout `pick` chooses from its first line; an error leaves the store as it was."""
    layout = pick("")
    return ingest_one(store, path, layout.dataset, layout.fmt, partial(_write_file, pick=pick), force)


def fixed(layout: Layout) -> Callable[[str], Layout]:
    """A layout chooser for a dataset with one layout."""
    return lambda _first: layout
