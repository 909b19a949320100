"""Open a store by URL. DuckDB is the embedded default: one file, no server."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import ibis

from weaklink.errors import StoreError
from weaklink.store.schema import migrate

DEFAULT_STORE = "./weaklink.duckdb"
STORE_ENV = "WEAKLINK_STORE"


def resolve_store_url(url: str | None = None) -> str:
    """The URL to use: the argument, else $WEAKLINK_STORE, else ./weaklink.duckdb."""
    return url or os.environ.get(STORE_ENV) or DEFAULT_STORE


def duckdb_path(url: str) -> str:
    """The file path of a DuckDB URL (`duckdb:///abs/path`, `duckdb://rel/path`, or a bare path)."""
    if url.startswith("duckdb://"):
        path = url[len("duckdb://"):]
        return path or ":memory:"
    if "://" in url:
        scheme = url.split("://", 1)[0]
        raise StoreError(
            f"store URL scheme '{scheme}://' is not supported yet; use duckdb:///path/to/file.duckdb "
            "or a plain file path"
        )
    return url


@dataclass
class Store:
    """An open store: the DuckDB connection, and Ibis over the same connection."""

    url: str
    path: str
    con: duckdb.DuckDBPyConnection

    @property
    def ibis(self) -> ibis.BaseBackend:
        if not hasattr(self, "_ibis"):
            self._ibis = ibis.duckdb.from_connection(self.con)
        return self._ibis

    def table(self, name: str) -> ibis.Table:
        """An Ibis table of the store (cached: the schema only changes through migrations at open)."""
        if not hasattr(self, "_tables"):
            self._tables = {}
        if name not in self._tables:
            self._tables[name] = self.ibis.table(name)
        return self._tables[name]

    def close(self) -> None:
        self.con.close()


def open_store(url: str | None = None, *, create: bool = True) -> Store:
    """Open (and migrate) the store named by `url`; create the file unless create=False."""
    url = resolve_store_url(url)
    path = duckdb_path(url)
    if path != ":memory:":
        file = Path(path)
        if not create and not file.exists():
            raise StoreError(f"no store at {file}: run `weaklink init` or `weaklink demo` first, or pass --store")
        file.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(path)
    except duckdb.Error as exc:
        raise StoreError(f"cannot open store {path}: {exc}") from exc
    con.execute("SET enable_progress_bar = false")  # weaklink reports progress itself, on stderr
    migrate(con)
    return Store(url=url, path=path, con=con)
