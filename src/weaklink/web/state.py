"""What the server holds: the one open store, a pool of reader connections over it, the cache of expensive
results and the writer that uploads, rating edits, updates and the monitor go through (docs/web.md).

DuckDB lets one process write a store file. The server opens the store once (read-only unless writes or
the monitor are on) and never shares a connection between threads: each request borrows a reader, a
`Weaklink` over its own `con.cursor()` (a second connection to the same database, safe to use in parallel
with the others), and every write runs on the writer connection under one lock. Each ingest is one
transaction per file, so a reader sees a file's rows all at once or not at all.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from weaklink.api import Weaklink, connect
from weaklink.errors import StoreError, WeaklinkError
from weaklink.store.connection import Store
from weaklink.web.edge import ResponseStore

READERS = 8             # reader connections: requests that compute a view run on these in parallel
CACHE_ENTRIES = 512     # past this many cached results the views' cache starts again (odd parameters fill it)
BORROW_TIMEOUT = 30.0   # seconds a request waits for a free reader before a 503


class ServerBusy(WeaklinkError):
    """Every reader connection stayed busy: the server is overloaded."""


class Cache:
    """Results of expensive calls, keyed by name and arguments, valid for one data version. The version goes
    up after every write this process makes (it owns the store: no other process writes it meanwhile), and
    the cache empties; the response cache at the edge (weaklink.web.edge) follows the same version. One lock
    per key: concurrent requests for the same cold result compute it once. Past `max_entries` results the
    cache starts again (the version stays: nothing changed in the data)."""

    def __init__(self, max_entries: int = CACHE_ENTRIES) -> None:
        self.version = 0
        self.max_entries = max_entries
        self._values: dict[tuple, Any] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: tuple, compute: Callable[[], Any]) -> Any:
        version = self.version
        full = (version, *key)
        if full in self._values:
            return self._values[full]
        with self._guard:
            lock = self._locks.setdefault(full, threading.Lock())
        with lock:
            if full in self._values:
                return self._values[full]
            value = compute()
            if version == self.version:  # not kept when a write came in meanwhile
                if len(self._values) >= self.max_entries:
                    self._values.clear()
                self._values[full] = value
            return value

    def __len__(self) -> int:
        return len(self._values)

    def bump(self) -> None:
        """A write happened: forget every cached result."""
        with self._guard:
            self.version += 1
            self._values.clear()
            self._locks.clear()


@dataclass
class ServerState:
    """The open store and what the server shares between requests."""

    writer: Weaklink
    allow_writes: bool = False
    token: str | None = None
    cache: Cache = field(default_factory=Cache)
    responses: ResponseStore = field(default_factory=ResponseStore)  # the edge's kept answers (weaklink.web.edge)
    write_lock: threading.RLock = field(default_factory=threading.RLock)
    readers: queue.Queue = field(default_factory=queue.Queue)
    monitor: Any = None  # weaklink.web.monitor.MonitorThread when --monitor
    warming: bool = False   # the cache is being filled in the background (weaklink.web.app.warm_cache)
    base_watch: Any = None  # the watch file as loaded, before the web's rating edits (weaklink.web.ratings)

    @classmethod
    def open(cls, store_url: str | None, watch: str | None, *, allow_writes: bool = False, token: str | None = None,
             read_only: bool = True, readers: int = READERS, max_lag_days: int | None = None,
             include_late: bool = False) -> ServerState:
        writer = connect(store_url, watch, read_only=read_only, max_lag_days=max_lag_days, include_late=include_late)
        if getattr(writer.store, "backend", "duckdb") != "duckdb":
            backend = writer.store.backend
            writer.close()
            raise StoreError(f"weaklink serve works on DuckDB stores only for now, not on {backend}: serve a DuckDB "
                             "store (a file path or duckdb:///path/to/weaklink.duckdb)")
        writer.web_cache = None  # the writer's results are never cached
        state = cls(writer=writer, allow_writes=allow_writes, token=token)
        for _ in range(readers):
            state.readers.put(state._reader())
        return state

    def _reader(self) -> Weaklink:
        store = self.writer.store
        reader = Weaklink(Store(store.url, store.path, store.con.cursor()), self.writer.watch,
                          self.writer.max_lag_days)
        reader.web_cache = self.cache
        # one full-text index for all: the writer's, which reloads after each upload it indexes
        reader._text_index_handle = self.writer._text_index()
        return reader

    @contextmanager
    def borrow(self) -> Iterator[Weaklink]:
        """A reader for the time of one request."""
        try:
            reader = self.readers.get(timeout=BORROW_TIMEOUT)
        except queue.Empty:
            raise ServerBusy(f"every reader connection stayed busy for {BORROW_TIMEOUT:.0f} s: try again later") \
                from None
        try:
            reader.watch = self.writer.watch  # a rating edit replaces the writer's watch file
            yield reader
        finally:
            self.readers.put(reader)

    @contextmanager
    def writing(self) -> Iterator[Weaklink]:
        """The writer connection, one write at a time; the cache is emptied after the write."""
        with self.write_lock:
            try:
                yield self.writer
            finally:
                self.cache.bump()

    def close(self) -> None:
        if self.monitor is not None:
            self.monitor.stop()
        while not self.readers.empty():
            self.readers.get_nowait().store.con.close()
        self.writer.close()


def server_state(request: Request) -> ServerState:
    return request.app.state.weaklink


def get_wl(request: Request) -> Iterator[Weaklink]:
    """The FastAPI dependency every page and API handler uses: a reader `Weaklink` for this request, given
    back to the pool when the request ends. Views called with it cache their expensive results."""
    with server_state(request).borrow() as wl:
        yield wl
