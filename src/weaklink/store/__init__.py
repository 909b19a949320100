"""The store: one database that holds events, provenance and rejects."""

from weaklink.store.connection import Store, StoreLocked, open_store, resolve_store_url

__all__ = ["Store", "StoreLocked", "open_store", "resolve_store_url"]
