"""What PostgreSQL and Spark stores share: Ibis for reading, a DuckDB stage for ingest, capability checks.

Ingest runs the DuckDB ingest code unchanged (ingest/gdelt.py, ingest/unvotes.py) on an in-memory DuckDB
"stage" that mirrors the store's provenance (so a file already read is skipped, and gets its old file_id when
forced) and the UN roll-call ids (so votes are checked against them). The rows the stage stored for the file
are then checked against the store for duplicates (only the keys the file holds are looked up), and shipped
to the store with the provenance row in one transaction (PostgreSQL) or one partition commit (Spark).
"""

from __future__ import annotations

import sqlglot

from weaklink.store.backends import CAPABILITIES, BackendUnsupported
from weaklink.store.connection import Store


class NeutralSQL:
    """A DuckDB-connection look-alike (`execute(sql).fetchall()`) that runs DuckDB-dialect SQL on the store's own
    engine, translated by sqlglot: for the few plain queries (counts, spans) written as SQL, not Ibis."""

    def __init__(self, store: RemoteStore) -> None:
        self.store = store
        self._rows: list[tuple] = []

    def execute(self, sql: str, params=None) -> NeutralSQL:
        if params:
            raise BackendUnsupported(self.store.backend, "analytics", self.store.url)
        translated = sqlglot.transpile(sql, read="duckdb", write=self.store.dialect)[0]
        self._rows = self.store.fetch(translated)
        return self

    def fetchall(self) -> list[tuple]:
        return self._rows


class RemoteStore(Store):
    """A store on a server or warehouse; `con` (raw DuckDB SQL on the store) is what it cannot offer."""

    backend = "remote"
    dialect = "duckdb"

    def __init__(self, url: str, path: str) -> None:
        super().__init__(url=url, path=path, con=None)

    @property
    def con(self):
        """Raw DuckDB SQL on the store: not here. A command still written that way says so, naming the backend."""
        raise BackendUnsupported(self.backend, "duckdb-sql", self.url)

    @con.setter
    def con(self, value) -> None:  # the dataclass __init__ sets it; nothing to keep
        pass

    def supports(self, capability: str) -> bool:
        return capability in CAPABILITIES[self.backend]

    @property
    def sql(self) -> NeutralSQL:
        return NeutralSQL(self)

    def fetch(self, sql: str) -> list[tuple]:
        raise NotImplementedError

    # ingest ----------------------------------------------------------------------------------------------
    def ingest(self, ingest, path, force: bool = False, max_lag_days: int | None = None):
        from weaklink.ingest.staged import ingest_staged

        return ingest_staged(self, ingest, path, force, max_lag_days)

    def refresh(self) -> None:
        """Forget cached tables after a write (Spark re-lists its files)."""
        self.__dict__.pop("_tables", None)
