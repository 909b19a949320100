"""Open a store by URL. DuckDB is the embedded default: one file, no server."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from weaklink.errors import StoreError

if TYPE_CHECKING:  # DuckDB and Ibis are imported when a store is opened, not when the CLI starts
    import duckdb
    import ibis

DEFAULT_STORE = "./weaklink.duckdb"
STORE_ENV = "WEAKLINK_STORE"


def resolve_store_url(url: str | None = None) -> str:
    """The URL to use: the argument, else $WEAKLINK_STORE, else ./weaklink.duckdb."""
    return url or os.environ.get(STORE_ENV) or DEFAULT_STORE


MEMORY = ":memory:"


def duckdb_path(url: str) -> str:
    """The file path a store URL names (docs/store.md, "Store URLs"): everything after `duckdb://` is the path.

    `duckdb://rel/path.duckdb` is relative to the working directory; `duckdb:///abs/path.duckdb` is absolute, and
    so is SQLAlchemy's spelling `duckdb:////abs/path.duckdb` (leading slashes count once); `duckdb://`,
    `duckdb://:memory:` and `duckdb:///:memory:` are in memory. Anything without `://` is a plain path."""
    if url.startswith("duckdb://"):
        path = url[len("duckdb://"):]
        if path.lstrip("/") in ("", MEMORY):
            return MEMORY
        return "/" + path.lstrip("/") if path.startswith("/") else path
    if "://" in url:
        from weaklink.store.backends import backend_of

        raise StoreError(f"{url} is a {backend_of(url)} store, not a DuckDB file: this needs a DuckDB store "
                         "(duckdb:///path/to/file.duckdb or a plain file path)")
    return url


def _check_new_root_folder(url: str, path: str) -> None:
    """Refuse a new store named by a URL at the root of the file system, or in a folder there that does not exist:
    with three slashes, `duckdb:///myproject/x.duckdb` is the absolute /myproject/x.duckdb, rarely what was meant."""
    parts = Path(path).parts
    if not url.startswith("duckdb://") or parts[0] != "/":
        return
    if len(parts) == 2 or not Path("/", parts[1]).is_dir():
        relative = "/".join(parts[1:])
        where = "the root folder" if len(parts) == 2 else f"the folder /{parts[1]}, which does not exist"
        raise StoreError(f"{url} names the absolute path {path}, in {where}; for a path relative to the working "
                         f"directory write duckdb://{relative} or just {relative}")


@dataclass
class Store:
    """An open store: the DuckDB connection, and Ibis over the same connection."""

    url: str
    path: str
    con: duckdb.DuckDBPyConnection

    @property
    def ibis(self) -> ibis.BaseBackend:
        if not hasattr(self, "_ibis"):
            import ibis

            _load_sql_compilers_lazily()
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

    # backends (store/backends.py): DuckDB can do everything; PostgreSQL and Spark stores override these
    backend = "duckdb"
    dialect = "duckdb"

    def supports(self, capability: str) -> bool:
        return True

    def require(self, capability: str) -> None:
        """Raise BackendUnsupported (naming the backend and what to do) when the store lacks `capability`."""
        if not self.supports(capability):
            from weaklink.store.backends import BackendUnsupported

            raise BackendUnsupported(self.backend, capability, self.url)

    @property
    def sql(self) -> duckdb.DuckDBPyConnection:
        """Something with `execute(sql).fetchall()` running DuckDB-dialect SQL on the store, on any backend."""
        return self.con

    def ingest(self, ingest, path: Path, force: bool = False, max_lag_days: int | None = None):
        """Ingest one file with `ingest(store, path, force=...)` (ingest/gdelt.py, ingest/unvotes.py, ...)."""
        return ingest(self, path, force=force)

    def refresh(self) -> None:
        """After a write: nothing to do on DuckDB (tables are read live)."""


def _load_sql_compilers_lazily() -> None:
    """Let Ibis load only the SQL compilers it uses (DuckDB here) instead of all twenty at once.

    `ibis.backends.sql.compilers` imports every compiler, and so every sqlglot dialect, which costs
    ~0.3 s at each start-up. This registers the package with a module-level `__getattr__` that imports a
    compiler (`sc.DuckDBCompiler`, `sc.postgres`, ...) on first use, so PostgreSQL, Spark and the others
    still compile the same expressions. When the package is already loaded, or its layout is not the
    one read here, nothing changes.
    """
    import importlib
    import importlib.util
    import sys
    import types

    name = "ibis.backends.sql.compilers"
    spec = None if name in sys.modules else importlib.util.find_spec(name)
    if spec is None or not spec.origin or not spec.submodule_search_locations:
        return
    source = Path(spec.origin).read_text(encoding="utf-8")
    pattern = rf"^from {re.escape(name)}\.(\w+) import (\w+)$"
    where = {cls: mod for mod, cls in re.findall(pattern, source, re.MULTILINE)}
    if not where or len(where) != source.count(f"from {name}."):
        return
    package = types.ModuleType(name, "Ibis SQL compilers, imported on first use (see weaklink.store.connection).")
    package.__file__, package.__path__, package.__spec__ = spec.origin, list(spec.submodule_search_locations), spec
    package.__all__ = sorted(where)

    def load(attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        submodule = f"{name}.{where.get(attr, attr)}"
        try:
            module = importlib.import_module(submodule)
        except ModuleNotFoundError as missing:
            if missing.name != submodule:
                raise
            raise AttributeError(f"module {name!r} has no attribute {attr!r}") from missing
        return getattr(module, attr) if attr in where else module

    package.__getattr__ = load
    sys.modules[name] = package
    importlib.import_module("ibis.backends.sql").compilers = package


def open_store(url: str | None = None, *, create: bool = True, read_only: bool = False, wait: float = 0.0,
               on_wait: Callable[[str], None] | None = None) -> Store:
    """Open (and migrate) the store named by `url`; create the file unless create=False.

    read_only: open an existing store for reading only (works on a read-only file, and beside other
    readers); it is not migrated, so a store written by an older weaklink must be opened for writing once.
    wait: when another process holds the store, retry for up to this many seconds (telling `on_wait`
    who holds it, once) before raising StoreLocked.
    """
    url = resolve_store_url(url)
    from weaklink.store.backends import DUCKDB, backend_of

    backend = backend_of(url)
    if backend != DUCKDB:
        from weaklink.store.backends import open_remote

        return open_remote(backend, url, create=create, read_only=read_only)
    path = duckdb_path(url)
    read_only = read_only and path != MEMORY
    if path != MEMORY:
        file = Path(path)
        if (read_only or not create) and not file.exists():
            raise StoreError(f"no store at {file}: run `weaklink init` or `weaklink demo` first, or pass --store")
        if not read_only and not file.exists():
            _check_new_root_folder(url, path)
        if not read_only:
            file.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(path, read_only, wait, on_wait)
    con.execute("SET enable_progress_bar = false")  # weaklink reports progress itself, on stderr
    try:
        _limit_memory(con)
    except StoreError:
        con.close()
        raise
    from weaklink.store.schema import migrate

    if read_only:
        _check_version(con, path)
    else:
        migrate(con)
    return Store(url=url, path=path, con=con)


MEMORY_SIZE = re.compile(r"^\s*(\d+(\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def _limit_memory(con) -> None:
    """`$WEAKLINK_MEMORY_LIMIT` (e.g. 4GB): the most memory DuckDB keeps for this store, its cache included (DuckDB's
    own default: 80% of RAM); past it DuckDB evicts cached blocks and spills to disk (docs/store.md)."""
    limit = os.environ.get("WEAKLINK_MEMORY_LIMIT")
    if not limit:
        return
    if not MEMORY_SIZE.match(limit):
        raise StoreError(f"WEAKLINK_MEMORY_LIMIT={limit!r} is not a size: give a number and a unit, e.g. 4GB or 512MB")
    con.execute(f"SET memory_limit = '{limit.strip()}'")


LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


def lock_holder(message: str) -> dict | None:
    """Who holds a DuckDB file, from the message of the lock error: {"program", "pid"}; None for other errors."""
    if "Could not set lock" not in message:
        return None
    found = LOCK_HOLDER.search(message)
    return {"program": found["program"], "pid": int(found["pid"])} if found else {"program": None, "pid": None}


def _connect(path: str, read_only: bool, wait: float, on_wait) -> duckdb.DuckDBPyConnection:
    """Connect, retrying while another process holds the file, for up to `wait` seconds."""
    import duckdb

    deadline, told = time.monotonic() + max(wait, 0.0), False
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.Error as exc:
            holder = lock_holder(str(exc))
            if holder is None:
                raise StoreError(f"cannot open store {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise StoreLocked(path, holder, wait) from None
            if on_wait is not None and not told:
                on_wait(f"the store {path} is in use by {_who(holder)}: waiting up to {wait:g} s")
                told = True
            time.sleep(min(0.2, max(deadline - time.monotonic(), 0.0)))


def _who(holder: dict) -> str:
    program = Path(holder["program"]).name if holder.get("program") else "another process"
    return f"{program} (PID {holder['pid']})" if holder.get("pid") else program


class StoreLocked(StoreError):
    """Another process holds the store (DuckDB allows one writer, or several readers, at a time)."""

    def __init__(self, path: str, holder: dict, waited: float) -> None:
        self.details = {"path": path, "pid": holder.get("pid"), "program": holder.get("program"),
                        "waited_seconds": waited}
        super().__init__(f"the store {path} is in use by {_who(holder)}; waited {waited:g} s. Let that process "
                         "finish (or stop it), or wait longer with --wait SECONDS")


def _check_version(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """A store opened read-only cannot be migrated: refuse one older than this weaklink."""
    import duckdb

    from weaklink.store.schema import SCHEMA_VERSION

    try:
        version = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]
    except duckdb.CatalogException:
        version = 0
    if version < SCHEMA_VERSION:
        con.close()
        raise StoreError(f"the store {path} has schema version {version}, this weaklink needs {SCHEMA_VERSION}: "
                         "open it once for writing to upgrade it (e.g. `weaklink ingest timeline`)")
