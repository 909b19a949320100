"""Store backends by URL: DuckDB (embedded, the default), PostgreSQL (a team server) and Spark (Parquet warehouse).

Every backend holds the same tables, with the columns of the DuckDB schema (store/schema.py, translated here,
not copied by hand), and is read through Ibis, so the indicators are the same expressions everywhere. What a
backend cannot do yet is declared in CAPABILITIES; asking for it raises BackendUnsupported with what to do.
See docs/store.md, "Backends".
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from weaklink.errors import StoreError

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

DUCKDB, POSTGRESQL, SPARK = "duckdb", "postgresql", "spark"
SCHEMES = {"duckdb": DUCKDB, "postgresql": POSTGRESQL, "postgres": POSTGRESQL, "spark": SPARK}

# What each command family needs. DuckDB has them all; the others what is listed.
CAPABILITY_NAMES = {
    "ingest-gdelt": "ingesting GDELT event files",
    "ingest-unvotes": "ingesting UN General Assembly votes",
    "analytics": "dyads, cohesion, blocs, weakest, vote alignment, sources and rejects",
    "ingest-timeline": "ingesting the curated timeline",
    "ingest-unsc": "ingesting UN Security Council decisions",
    "keep-watched": "ingest --keep watched",
    "documents": "documents, UN debates, text search and rhetoric",
    "update": "weaklink update (fetching GDELT and feeds)",
    "monitor": "the monitor and its notifications",
    "signposts": "signposts, ACH and scenarios",
    "brief": "briefings",
    "coverage": "the coverage report",
    "duckdb-sql": "this command (it still reads the store with DuckDB SQL)",
}
CAPABILITIES = {
    DUCKDB: frozenset(CAPABILITY_NAMES),
    POSTGRESQL: frozenset({"ingest-gdelt", "ingest-unvotes", "analytics"}),
    SPARK: frozenset({"ingest-gdelt", "ingest-unvotes", "analytics"}),
}


class BackendUnsupported(StoreError):
    """The store's backend lacks a capability a command needs (docs/store.md, "Backends")."""

    def __init__(self, backend: str, capability: str, url: str | None = None) -> None:
        self.details = {"backend": backend, "capability": capability}
        what = CAPABILITY_NAMES.get(capability, capability)
        able = sorted(CAPABILITY_NAMES[c] for c in CAPABILITIES.get(backend, ()))
        super().__init__(
            f"the {backend} backend{f' ({url})' if url else ''} does not support {what} yet; use a DuckDB store "
            f"for it (--store duckdb:///path/to/weaklink.duckdb). On {backend} weaklink can do: {'; '.join(able)}")


def backend_of(url: str) -> str:
    """The backend a store URL names: the scheme before `://` (none: a DuckDB file path)."""
    if "://" not in url:
        return DUCKDB
    scheme = url.split("://", 1)[0].lower()
    if scheme not in SCHEMES:
        raise StoreError(f"store URL scheme '{scheme}://' is not supported; use duckdb:///path/to/file.duckdb "
                         "(or a plain file path), postgresql://user@host:port/database or spark:///path/to/warehouse")
    return SCHEMES[scheme]


# the schema, from the DuckDB migrations -------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _reference() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with every migration applied: the one source of the column lists."""
    import duckdb

    from weaklink.store.schema import migrate

    con = duckdb.connect()
    migrate(con)
    return con


def table_names() -> list[str]:
    con = _reference()
    return [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall()]


def columns(table: str) -> list[tuple[str, str, bool, str | None]]:
    """(name, DuckDB type, nullable, default) of each column of a store table, in order."""
    return [tuple(r) for r in _reference().execute(
        """SELECT column_name, data_type, is_nullable, column_default FROM duckdb_columns()
           WHERE table_name = ? ORDER BY column_index""", [table]).fetchall()]


def keys(table: str) -> list[tuple[str, list[str]]]:
    """(PRIMARY KEY or UNIQUE, columns) of a store table."""
    return [(r[0], list(r[1])) for r in _reference().execute(
        """SELECT constraint_type, constraint_column_names FROM duckdb_constraints()
           WHERE table_name = ? AND constraint_type IN ('PRIMARY KEY', 'UNIQUE') ORDER BY constraint_index""",
        [table]).fetchall()]


def sequences() -> list[str]:
    return [r[0] for r in _reference().execute("SELECT sequence_name FROM duckdb_sequences()").fetchall()]


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a store table (what Parquet files and Spark frames of it hold)."""
    return _reference().sql(f"SELECT * FROM {table} LIMIT 0").to_arrow_table().schema


# Rows written per file, and the keys a row is a duplicate by (as the DuckDB ingest dedupes them).
FILE_TABLES = ["events", "decisions", "decision_issues", "votes", "event_totals", "event_days"]
DEDUPE_KEYS = {"events": ["dataset", "record_id"], "decisions": ["body", "decision_id"],
               "decision_issues": ["body", "decision_id", "tag"], "votes": ["body", "decision_id", "state"]}


def need(module: str, backend: str) -> None:
    """Refuse clearly when the backend's Python package is not installed."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise StoreError(f"the {backend} backend needs the Python package {module}: "
                         "pip install 'weaklink[backends]' (Spark also needs Java 17 or newer)")


def open_remote(backend: str, url: str, *, create: bool = True, read_only: bool = False):
    """Open a PostgreSQL or Spark store (creating its tables unless read_only)."""
    if backend == POSTGRESQL:
        from weaklink.store.postgres import open_postgres

        return open_postgres(url, create=create, read_only=read_only)
    from weaklink.store.spark import open_spark

    return open_spark(url, create=create, read_only=read_only)
