"""A Spark store: `spark:///path/to/warehouse`, Parquet files read by Spark (master: $WEAKLINK_SPARK_MASTER, default
`local[*]`) through Ibis.

Layout of the warehouse folder:
    events/month=YYYY-MM/file-<file_id>.parquet   a file's events, split by the month of their event date
    votes/file-<file_id>.parquet                  likewise decisions/, decision_issues/, event_totals/
    _weaklink.duckdb                              provenance, rejects and each file's record-id range
    _staging/                                     files being written (Spark skips names starting with _)
A file is committed by writing its Parquet under _staging, renaming it into place and then recording its
provenance row (with its rejects) in one DuckDB transaction. Parquet whose file_id has no provenance row (a
commit cut short) is removed when the store is next opened for writing, so a file is in the store whole or not
at all. The duplicate check reads only the files whose record-id range overlaps the new file's.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from weaklink.errors import StoreError
from weaklink.store import backends
from weaklink.store.remote import RemoteStore

if TYPE_CHECKING:
    import duckdb
    import ibis

MASTER_ENV = "WEAKLINK_SPARK_MASTER"
SIDE = "_weaklink.duckdb"
SIDE_TABLES = ("provenance", "rejects", "schema_migrations")
RANGES_DDL = """CREATE TABLE IF NOT EXISTS file_ranges (
    file_id INTEGER NOT NULL, lo BIGINT, hi BIGINT)  -- numeric record-id range of a file's events; NULL: not all numeric"""


def spark_session():
    """The process's Spark session (one per process: later stores share it)."""
    from pyspark.sql import SparkSession

    master = os.environ.get(MASTER_ENV) or "local[*]"
    builder = (SparkSession.builder.master(master).appName("weaklink")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2" if master.startswith("local") else "200")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel(os.environ.get("WEAKLINK_SPARK_LOG_LEVEL", "ERROR"))
    return session


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class SparkStore(RemoteStore):
    backend = backends.SPARK
    dialect = "spark"

    def __init__(self, url: str, folder: Path, side) -> None:
        super().__init__(url=url, path=str(folder))
        self.folder = folder
        self.side = side  # a DuckDB Store over _weaklink.duckdb
        self._views: set[str] = set()

    # reading -----------------------------------------------------------------------------------------------
    @property
    def session(self):
        if "_session" not in self.__dict__:
            self._session = spark_session()
        return self._session

    @property
    def ibis(self) -> ibis.BaseBackend:
        if "_ibis" not in self.__dict__:
            import ibis

            from weaklink.store.connection import _load_sql_compilers_lazily

            _load_sql_compilers_lazily()
            self._ibis = ibis.pyspark.connect(self.session)
        return self._ibis

    def table(self, name: str) -> ibis.Table:
        self._view(name)
        return super().table(name)

    def _view(self, name: str) -> None:
        """Register `name` as a Spark temporary view: Parquet under its folder, else the side file's rows."""
        if name in self._views:
            return
        folder = self.folder / name
        if name in SIDE_TABLES or not any(folder.glob("**/*.parquet")):
            rows = (self.side.con.sql(f"SELECT * FROM {name}").to_arrow_table() if name in SIDE_TABLES
                    else backends.arrow_schema(name).empty_table())
            frame = self.session.createDataFrame(rows) if rows.num_rows else self._empty(name, rows.schema)
        else:
            frame = self.session.read.option("basePath", str(folder)).parquet(str(folder))
            if "month" in frame.columns:
                frame = frame.drop("month")
        frame.createOrReplaceTempView(name)
        self._views.add(name)

    def _empty(self, name: str, schema: pa.Schema):
        from pyspark.sql.pandas.types import from_arrow_schema

        return self.session.createDataFrame([], from_arrow_schema(schema))

    def fetch(self, sql: str) -> list[tuple]:
        for name in backends.table_names():
            if name in sql:
                self._view(name)
        return [tuple(row) for row in self.session.sql(sql).collect()]

    def refresh(self) -> None:
        super().refresh()
        self._views.clear()

    def close(self) -> None:
        self.side.close()

    # the ingest stage's mirror -------------------------------------------------------------------------------
    def read_table(self, name: str, columns: list[str] | None = None) -> pa.Table:
        select = ", ".join(columns) if columns else "*"
        if name in SIDE_TABLES:
            return self.side.con.sql(f"SELECT {select} FROM {name}").to_arrow_table()
        files = sorted((self.folder / name).glob("**/*.parquet"))
        if not files:
            return backends.arrow_schema(name).empty_table().select(columns or backends.arrow_schema(name).names)
        listed = ", ".join(_sql_path(f) for f in files)
        return self.side.con.sql(f"SELECT {select} FROM read_parquet([{listed}])").to_arrow_table()

    def reserve_file_id(self) -> int:
        return self.side.con.execute("SELECT nextval('provenance_ids')").fetchall()[0][0]

    def existing_keys(self, table: str, key: list[str], rows: pa.Table) -> pa.Table:
        """The keys among `rows` already stored: for events, only files whose record-id range overlaps."""
        files = self._candidates(rows) if table == "events" else sorted((self.folder / table).glob("*.parquet"))
        if not files:
            return rows.slice(0, 0)
        con = self.side.con
        cols = ", ".join(key)
        con.register("wl_keys", rows)
        try:
            listed = ", ".join(_sql_path(f) for f in files)
            return con.sql(f"""SELECT DISTINCT {cols} FROM wl_keys SEMI JOIN
                (SELECT {cols} FROM read_parquet([{listed}])) AS seen USING ({cols})""").to_arrow_table()
        finally:
            con.unregister("wl_keys")

    def _candidates(self, rows: pa.Table) -> list[Path]:
        con = self.side.con
        con.register("wl_keys", rows)
        try:
            lo, hi, odd = con.execute("""SELECT min(TRY_CAST(record_id AS BIGINT)), max(TRY_CAST(record_id AS BIGINT)),
                count(*) FILTER (WHERE TRY_CAST(record_id AS BIGINT) IS NULL) FROM wl_keys""").fetchall()[0]
        finally:
            con.unregister("wl_keys")
        overlap = "true" if odd else "lo IS NULL OR NOT (hi < ? OR lo > ?)"
        ids = {r[0] for r in con.execute(f"SELECT file_id FROM file_ranges WHERE {overlap}",
                                         [] if odd else [lo, hi]).fetchall()}
        return [f for f in sorted((self.folder / "events").glob("month=*/*.parquet")) if _file_id(f) in ids]

    # writing -------------------------------------------------------------------------------------------------
    def write_file(self, file_id: int, tables: dict[str, pa.Table], rejects: pa.Table, provenance: pa.Table,
                   again: bool, stage: duckdb.DuckDBPyConnection) -> None:
        """Parquet into _staging, renamed into place, then provenance, rejects and the id range in one
        transaction; on an error the renamed files are removed again."""
        staging = self.folder / "_staging" / f"file-{file_id}-{uuid.uuid4().hex[:8]}"
        placed: list[Path] = []
        try:
            staged = self._stage(staging, tables, stage)
            for source, target in staged:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
                placed.append(target)
            self._record(file_id, tables["events"], rejects, provenance, again, stage)
        except BaseException:
            for path in placed:
                path.unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _stage(self, staging: Path, tables: dict[str, pa.Table], stage) -> list[tuple[Path, Path]]:
        staging.mkdir(parents=True)
        moves = []
        for name, rows in tables.items():
            if not rows.num_rows:
                continue
            stage.register("wl_rows", rows)
            try:
                if name == "events":
                    stage.execute(f"""COPY (SELECT *, coalesce(strftime(event_date, '%Y-%m'),
                        '__HIVE_DEFAULT_PARTITION__') AS month FROM wl_rows) TO {_sql_path(staging / name)}
                        (FORMAT parquet, PARTITION_BY (month))""")
                else:
                    stage.execute(f"COPY wl_rows TO {_sql_path(staging / (name + '.parquet'))} (FORMAT parquet)")
            finally:
                stage.unregister("wl_rows")
            file_id = rows["file_id"][0].as_py()
            if name == "events":
                for part in sorted((staging / name).glob("month=*/*.parquet")):
                    moves.append((part, self._free(self.folder / name / part.parent.name, file_id)))
            else:
                moves.append((staging / f"{name}.parquet", self._free(self.folder / name, file_id)))
        return moves

    @staticmethod
    def _free(folder: Path, file_id: int) -> Path:
        """file-<id>.parquet, or file-<id>-<n>.parquet when a forced re-read adds rows to the same file."""
        target, n = folder / f"file-{file_id}.parquet", 1
        while target.exists():
            target, n = folder / f"file-{file_id}-{n}.parquet", n + 1
        return target

    def _record(self, file_id, events: pa.Table, rejects, provenance, again: bool, stage) -> None:
        con = self.side.con
        con.execute("BEGIN TRANSACTION")
        try:
            if again:
                con.execute("DELETE FROM rejects WHERE file_id = ?", [file_id])
                con.execute("DELETE FROM provenance WHERE file_id = ?", [file_id])
            for name, rows in (("provenance", provenance), ("rejects", rejects)):
                if rows.num_rows:
                    con.register("wl_rows", rows)
                    con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM wl_rows")
                    con.unregister("wl_rows")
            if events.num_rows:
                con.register("wl_rows", events.select(["record_id"]))
                con.execute("""INSERT INTO file_ranges SELECT ?, CASE WHEN bool_and(n IS NOT NULL) THEN min(n) END,
                    CASE WHEN bool_and(n IS NOT NULL) THEN max(n) END
                    FROM (SELECT TRY_CAST(record_id AS BIGINT) AS n FROM wl_rows)""", [file_id])
                con.unregister("wl_rows")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def remove_orphans(self) -> int:
        """Delete Parquet whose file_id has no provenance row (a commit cut short); how many files."""
        known = {r[0] for r in self.side.con.execute("SELECT file_id FROM provenance").fetchall()}
        orphans = [f for f in self.folder.glob("*/**/file-*.parquet")
                   if not f.relative_to(self.folder).parts[0].startswith("_") and _file_id(f) not in known]
        for path in orphans:
            path.unlink()
        shutil.rmtree(self.folder / "_staging", ignore_errors=True)
        return len(orphans)


def _file_id(path: Path) -> int | None:
    parts = path.stem.split("-")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def warehouse_path(url: str) -> Path:
    """`spark:///abs/path` is /abs/path; `spark://rel/path` is relative to the working directory."""
    path = url.split("://", 1)[1]
    if not path.strip("/"):
        raise StoreError(f"{url} names no folder: use spark:///path/to/warehouse")
    return Path("/" + path.lstrip("/") if path.startswith("/") else path)


def _refuse_before_event_days(folder: Path) -> None:
    """A warehouse written before store migration 9 has events without actor countries and no per-day counts:
    its series would silently miss events, so it is refused with what to do."""
    if any((folder / "events").glob("month=*/*.parquet")) and not any((folder / "event_days").glob("*.parquet")):
        raise StoreError(f"the Spark store {folder} was written by an older weaklink, before events carried their "
                         "actors' countries and per-day counts (store migration 9): ingest its files again into a "
                         "new warehouse")


def open_spark(url: str, *, create: bool = True, read_only: bool = False) -> SparkStore:
    from weaklink.store.connection import open_store

    backends.need("pyspark", backends.SPARK)
    folder = warehouse_path(url)
    side = folder / SIDE
    if not side.exists() and (read_only or not create):
        raise StoreError(f"no Spark store at {folder}: ingest into it first (it is created on first write), "
                         "or check the path")
    if not read_only:
        folder.mkdir(parents=True, exist_ok=True)
    _refuse_before_event_days(folder)
    store = SparkStore(url, folder, open_store(f"duckdb:///{side.resolve() if side.exists() else side.absolute()}",
                                               read_only=read_only))
    if not read_only:
        store.side.con.execute(RANGES_DDL)
        store.remove_orphans()
    return store
