"""A PostgreSQL store: `postgresql://user@host:port/database` (or `postgres://`), read through Ibis.

The tables are the DuckDB schema's (store/backends.py), created or extended when the store is opened for writing,
so a newer weaklink adds its columns. Rows arrive by COPY (CSV written from Arrow), one transaction per file
together with the file's rejects and provenance row. `events` is indexed on (dataset, record_id) for the
duplicate check and on file_id.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.csv as pa_csv

from weaklink.errors import StoreError
from weaklink.store import backends
from weaklink.store.remote import RemoteStore

if TYPE_CHECKING:
    import duckdb
    import ibis

PG_TYPES = {"VARCHAR": "TEXT", "TINYINT": "SMALLINT", "DOUBLE": "DOUBLE PRECISION", "VARCHAR[]": "TEXT[]",
            "JSON": "JSONB", "INTEGER": "INTEGER", "BIGINT": "BIGINT", "BOOLEAN": "BOOLEAN", "DATE": "DATE",
            "TIMESTAMP": "TIMESTAMP"}
INDEXES = {"events_record": "events (dataset, record_id)", "events_file": "events (file_id)",
           "rejects_file": "rejects (file_id)", "votes_key": "votes (body, decision_id, state)",
           "decisions_key": "decisions (body, decision_id)"}
COPY_BYTES = 16 << 20  # CSV bytes per COPY write


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pg_type(duck: str) -> str:
    if duck not in PG_TYPES:
        raise StoreError(f"the store schema has a column of type {duck}, which weaklink cannot map to PostgreSQL "
                         "yet: please report this")
    return PG_TYPES[duck]


def schema_sql() -> list[str]:
    """Statements creating (or extending) every store table in PostgreSQL, from the DuckDB column lists."""
    statements = [f"CREATE SEQUENCE IF NOT EXISTS {name}" for name in backends.sequences()]
    for table in backends.table_names():
        cols = [f"{_quote(n)} {_pg_type(t)}{'' if nullable else ' NOT NULL'}{f' DEFAULT {d}' if d else ''}"
                for n, t, nullable, d in backends.columns(table)]
        cols += [f"{kind} ({', '.join(map(_quote, names))})" for kind, names in backends.keys(table)]
        statements.append(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(cols)})")
        statements += [f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {_quote(n)} {_pg_type(t)}"
                       f"{f' DEFAULT {d}' if d else ''}" for n, t, _nullable, d in backends.columns(table)]
    statements += [f"CREATE INDEX IF NOT EXISTS wl_{name} ON {on}" for name, on in INDEXES.items()]
    return statements


def backfills(applied: set[int]) -> list[str]:
    """Statements that give rows stored before a migration what it added (the columns themselves come from
    `schema_sql`): migration 9's actor countries and per-day event counts."""
    if 9 in applied:
        return []
    from weaklink.indicators.dyads import COUNTRY_SQL
    from weaklink.ingest.eventdays import COLUMNS, event_days_sql

    return [f"UPDATE events SET {', '.join(f'{name} = {sql}' for name, sql in COUNTRY_SQL.items())}",
            "DELETE FROM event_days", f"INSERT INTO event_days ({COLUMNS}) {event_days_sql('events')}"]


class PostgresStore(RemoteStore):
    backend = backends.POSTGRESQL
    dialect = "postgres"

    def __init__(self, url: str, conn) -> None:
        super().__init__(url=url, path=url)
        self.pg = conn

    @property
    def ibis(self) -> ibis.BaseBackend:
        if "_ibis" not in self.__dict__:
            import ibis

            from weaklink.store.connection import _load_sql_compilers_lazily

            _load_sql_compilers_lazily()
            self._ibis = ibis.postgres.from_connection(self.pg)
        return self._ibis

    def close(self) -> None:
        self.pg.close()

    def fetch(self, sql: str) -> list[tuple]:
        with self.pg.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if cur.description else []

    def read_table(self, name: str, columns: list[str] | None = None) -> pa.Table:
        table = self.table(name)
        return (table.select(*columns) if columns else table).to_pyarrow()

    def reserve_file_id(self) -> int:
        return self.fetch("SELECT nextval('provenance_ids')")[0][0]

    def existing_keys(self, table: str, key: list[str], rows: pa.Table) -> pa.Table:
        """The keys among `rows` that `table` already holds (looked up through its index, one COPY of keys)."""
        names = ", ".join(_quote(c) for c in key)
        match = " AND ".join(f"t.{_quote(c)} = k.{_quote(c)}" for c in key)
        with self.pg.transaction(), self.pg.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE wl_keys ON COMMIT DROP AS SELECT {names} FROM {table} LIMIT 0")
            _copy(cur, "wl_keys", key, rows)
            cur.execute(f"SELECT DISTINCT {', '.join(f'k.{_quote(c)}' for c in key)} FROM wl_keys AS k "
                        f"WHERE EXISTS (SELECT 1 FROM {table} AS t WHERE {match})")
            found = cur.fetchall()
        return pa.table({c: pa.array([r[i] for r in found], rows.schema.field(c).type) for i, c in enumerate(key)})

    def write_file(self, file_id: int, tables: dict[str, pa.Table], rejects: pa.Table, provenance: pa.Table,
                   again: bool, stage: duckdb.DuckDBPyConnection) -> None:
        """One transaction: the file's rows, its rejects and its provenance row (replacing those of a re-read)."""
        with self.pg.transaction(), self.pg.cursor() as cur:
            if again:
                cur.execute("DELETE FROM rejects WHERE file_id = %s", [file_id])
                cur.execute("DELETE FROM provenance WHERE file_id = %s", [file_id])
            for name, rows in [*tables.items(), ("rejects", rejects), ("provenance", provenance)]:
                if rows.num_rows:
                    _copy(cur, name, rows.column_names, _pg_text_lists(stage, rows))


def _pg_text_lists(stage: duckdb.DuckDBPyConnection, rows: pa.Table) -> pa.Table:
    """List columns as PostgreSQL array literals ('{"a","b"}'), so the rows can travel as CSV."""
    lists = [f.name for f in rows.schema if pa.types.is_list(f.type)]
    if not lists:
        return rows
    element = "'\"' || replace(replace(x, '\\', '\\\\'), '\"', '\\\"') || '\"'"
    exprs = [f"CASE WHEN {_quote(n)} IS NULL THEN NULL ELSE '{{' || array_to_string(list_transform({_quote(n)}, "
             f"lambda x: {element}), ',') || '}}' END AS {_quote(n)}" if n in lists else _quote(n)
             for n in rows.column_names]
    stage.register("wl_lists", rows)
    try:
        return stage.sql(f"SELECT {', '.join(exprs)} FROM wl_lists").to_arrow_table()
    finally:
        stage.unregister("wl_lists")


def _copy(cur, table: str, columns: list[str], rows: pa.Table) -> None:
    """COPY Arrow rows into a table as CSV, in batches of about COPY_BYTES."""
    names = ", ".join(_quote(c) for c in columns)
    options = pa_csv.WriteOptions(include_header=False)
    step = max(1, int(COPY_BYTES / max(rows.nbytes / max(rows.num_rows, 1), 1)))
    with cur.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
        for start in range(0, rows.num_rows, step):
            buffer = io.BytesIO()
            pa_csv.write_csv(rows.slice(start, step), buffer, options)
            copy.write(buffer.getvalue())


def open_postgres(url: str, *, create: bool = True, read_only: bool = False) -> PostgresStore:
    backends.need("psycopg", backends.POSTGRESQL)
    import psycopg

    dsn = "postgresql://" + url.split("://", 1)[1]
    try:
        conn = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        raise StoreError(f"cannot connect to the PostgreSQL store {url}: {first}. Check that the server runs and "
                         "the URL's user, host, port and database are right (postgresql://user@host:port/db)"
                         ) from None
    if read_only:
        conn.read_only = True
    else:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(4242016)")  # one migrating writer at a time
            for statement in schema_sql():
                cur.execute(statement)
            applied = {row[0] for row in cur.execute("SELECT version FROM schema_migrations").fetchall()}
            for statement in backfills(applied):
                cur.execute(statement)
            from weaklink.store.schema import MIGRATIONS

            for number, name, _func in MIGRATIONS:
                cur.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                            [number, name])
    return PostgresStore(url, conn)
