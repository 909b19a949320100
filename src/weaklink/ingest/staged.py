"""Ingest into a PostgreSQL or Spark store through an in-memory DuckDB stage (see store/remote.py).

The file is read, checked and deduplicated within itself by the DuckDB ingest code, unchanged, on the stage;
then the keys of the rows it would store are looked up in the store (only those keys), the rows already there
are counted as duplicates, and the rest is written with its rejects and provenance row as one commit.
Accounting stays read = stored + rejected + duplicate.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pyarrow as pa

from weaklink.errors import WeaklinkError
from weaklink.indicators.lag import late_sql
from weaklink.ingest.common import check_counts
from weaklink.ingest.eventdays import event_days_sql
from weaklink.ingest.summary import FileResult
from weaklink.store.backends import DEDUPE_KEYS, FILE_TABLES
from weaklink.store.connection import Store


def new_stage(store) -> Store:
    """An in-memory DuckDB store mirroring what the ingest code reads: provenance, UN roll-call ids, and a
    file_id sequence past the store's (a reserved id, so concurrent writers never share one)."""
    from weaklink.store.schema import migrate

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    migrate(con)
    _load(con, "provenance", store.read_table("provenance"))
    _load(con, "decisions", store.read_table("decisions", ["body", "decision_id"]))
    reserved = store.reserve_file_id()
    if reserved > 1:
        con.execute("SELECT max(nextval('provenance_ids')) FROM range(?)", [reserved - 1])
    return Store(url="duckdb://:memory:", path=":memory:", con=con)


def _load(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    if rows.num_rows:
        con.register("wl_mirror", rows)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM wl_mirror")
        con.unregister("wl_mirror")


def ingest_staged(store, ingest, path: Path, force: bool, max_lag_days: int | None) -> FileResult:
    """Ingest one file into `store` (a RemoteStore) with `ingest(stage, path, force=...)`."""
    clock = time.perf_counter()
    stage = new_stage(store)
    earlier = {r[0] for r in stage.con.execute("SELECT file_id FROM provenance").fetchall()}
    try:
        result = ingest(stage, path, force=force)
        if result.status != "ingested":
            return result
        try:
            _ship(store, stage.con, result, max_lag_days, earlier)
        except Exception as exc:  # noqa: BLE001 - an error for this file only; the store is as it was
            text = str(exc) if isinstance(exc, WeaklinkError) else f"{type(exc).__name__}: {exc}"
            first = (text.strip().splitlines() or [""])[0]
            return FileResult(path=str(path), sha256=result.sha256, status="error",
                              message=f"{path}: writing to the {store.backend} store failed, nothing was stored "
                                      f"from this file ({first})")
        result.seconds = round(time.perf_counter() - clock, 3)
        return result
    finally:
        stage.close()
        store.refresh()


def _ship(store, con: duckdb.DuckDBPyConnection, result: FileResult, max_lag_days: int | None,
          earlier: set[int]) -> None:
    file_id = _file_of(con, result)
    again = file_id in earlier  # a forced re-read keeps its file_id: its provenance and rejects are replaced
    tables = {name: _rows(con, name, file_id) for name in FILE_TABLES}
    for name, key in DEDUPE_KEYS.items():
        if tables[name].num_rows:
            known = store.existing_keys(name, key, tables[name].select(key))
            if known.num_rows:
                tables[name] = _drop_known(con, name, tables[name], known, key, result, max_lag_days)
    tables["event_days"] = _event_days(con, tables["events"])  # the rows this write adds, counted
    con.execute("UPDATE provenance SET rows_stored = ?, rows_duplicate = ? WHERE file_id = ?",
                [result.stored, result.duplicate, file_id])
    check_counts(Path(result.path), result)
    rejects = con.sql("SELECT * FROM rejects WHERE file_id = ? ORDER BY line", params=[file_id]).to_arrow_table()
    provenance = con.sql("SELECT * FROM provenance WHERE file_id = ?", params=[file_id]).to_arrow_table()
    store.write_file(file_id, tables, rejects, provenance, again, con)


def _event_days(con: duckdb.DuckDBPyConnection, events: pa.Table) -> pa.Table:
    con.register("wl_events", events)
    try:
        return con.sql(event_days_sql("wl_events")).to_arrow_table()
    finally:
        con.unregister("wl_events")


def _file_of(con: duckdb.DuckDBPyConnection, result: FileResult) -> int:
    """The stage's file_id for this read (its provenance row, by sha256 and path)."""
    return con.execute("SELECT file_id FROM provenance WHERE sha256 = ? ORDER BY path = ? DESC, finished_at DESC "
                       "LIMIT 1", [result.sha256, result.path]).fetchall()[0][0]


def _rows(con: duckdb.DuckDBPyConnection, table: str, file_id: int) -> pa.Table:
    return con.sql(f"SELECT * FROM {table} WHERE file_id = ?", params=[file_id]).to_arrow_table()


def _drop_known(con, name: str, rows: pa.Table, known: pa.Table, key: list[str], result: FileResult,
                max_lag_days: int | None) -> pa.Table:
    """The rows whose keys the store does not hold yet; the counts moved from stored to duplicate."""
    con.register("wl_new", rows)
    con.register("wl_known", known)
    match = " AND ".join(f"k.{c} IS NOT DISTINCT FROM n.{c}" for c in key)
    try:
        kept = con.sql(f"SELECT * FROM wl_new AS n WHERE NOT EXISTS (SELECT 1 FROM wl_known AS k WHERE {match})"
                       ).to_arrow_table()
        if name == "events":
            late = "false" if max_lag_days is None else late_sql(max_lag_days)
            repaired, lates = con.execute(f"""SELECT count(event_date_original), count(*) FILTER (WHERE {late})
                FROM wl_new AS n WHERE EXISTS (SELECT 1 FROM wl_known AS k WHERE {match})""").fetchall()[0]
            result.repaired -= repaired
            result.late -= lates
    finally:
        con.unregister("wl_new")
        con.unregister("wl_known")
    dropped = rows.num_rows - kept.num_rows
    result.stored -= dropped
    result.duplicate += dropped
    return kept
