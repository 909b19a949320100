"""The store: URLs, schema version and migrations."""

from __future__ import annotations

import pytest

from weaklink.errors import StoreError
from weaklink.store import open_store
from weaklink.store.connection import duckdb_path, resolve_store_url
from weaklink.store.schema import SCHEMA_VERSION, current_version, migrate


def test_urls():
    assert duckdb_path("duckdb:///tmp/a.duckdb") == "/tmp/a.duckdb"
    assert duckdb_path("duckdb://rel/a.duckdb") == "rel/a.duckdb"
    assert duckdb_path("plain.duckdb") == "plain.duckdb"
    with pytest.raises(StoreError, match="not supported"):
        duckdb_path("oracle://x")


def test_store_url_from_environment(monkeypatch):
    monkeypatch.setenv("WEAKLINK_STORE", "/tmp/from-env.duckdb")
    assert resolve_store_url() == "/tmp/from-env.duckdb"
    assert resolve_store_url("given.duckdb") == "given.duckdb"
    monkeypatch.delenv("WEAKLINK_STORE")
    assert resolve_store_url() == "./weaklink.duckdb"


def test_migrations_apply_once_and_record_version(tmp_path):
    store = open_store(str(tmp_path / "s.duckdb"))
    assert current_version(store.con) == SCHEMA_VERSION
    assert migrate(store.con) == SCHEMA_VERSION
    applied = store.con.execute("SELECT count(*) FROM schema_migrations").fetchall()[0][0]
    assert applied == SCHEMA_VERSION
    tables = {r[0] for r in store.con.execute("SHOW TABLES").fetchall()}
    assert {"events", "provenance", "rejects", "schema_migrations"} <= tables
    store.close()


def test_missing_store_without_create(tmp_path):
    with pytest.raises(StoreError, match="weaklink init"):
        open_store(str(tmp_path / "absent.duckdb"), create=False)


def test_memory_limit_from_the_environment(tmp_path, monkeypatch):
    """`$WEAKLINK_MEMORY_LIMIT` bounds DuckDB's memory for the store; a value that is not a size is refused."""
    import weaklink
    from weaklink.errors import StoreError

    monkeypatch.setenv("WEAKLINK_MEMORY_LIMIT", "512MB")
    with weaklink.connect(f"duckdb:///{tmp_path / 'store.duckdb'}") as wl:
        assert wl.store.con.execute("SELECT current_setting('memory_limit')").fetchall() == [("488.2 MiB",)]
    monkeypatch.setenv("WEAKLINK_MEMORY_LIMIT", "half")
    with pytest.raises(StoreError, match="not a size"):
        weaklink.connect(f"duckdb:///{tmp_path / 'store.duckdb'}")
