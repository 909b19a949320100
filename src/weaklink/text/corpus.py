"""The statistics pass over stored documents: statistics tables and the full-text index, in one pass.

Documents lacking statistics (or computed with another lexicon) are read from the store in batches of
about BATCH_CHARS characters, so memory stays bounded; batches go to a process pool (each worker builds
its lexicon once) when there is enough text to pay for it, and their statistics are written batch by batch,
each in one transaction. The same batches feed the tantivy index (text/search.py).
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context

import pyarrow as pa
import pyarrow.compute

from weaklink.store import Store
from weaklink.text import analysis, stats
from weaklink.text.search import TextIndex

BATCH_CHARS = 2_000_000
PARALLEL_MIN_DOCUMENTS = 500  # below this, one process is faster than starting a pool
PARALLEL_MIN_BYTES = 8_000_000  # an ingest of less (archive or folder size) computes statistics in one process
TABLES = ("doc_text_stats", "doc_actor_stats", "doc_term_stats")


@dataclass
class RefreshSummary:
    """What one statistics pass did."""

    documents: int = 0          # documents in the store
    computed: int = 0           # documents whose statistics were (re)computed
    indexed: int = 0            # documents added to the full-text index
    removed_from_index: int = 0
    characters: int = 0         # characters of text read for this pass
    seconds: float = 0.0
    workers: int = 1


def read_only(store: Store) -> bool:
    return store.con.execute("SELECT current_setting('access_mode')").fetchall()[0][0] == "read_only"


def shadow_tables(store: Store) -> None:
    """Temporary copies of the statistics tables, which then hide the stored ones on this connection: a store
    opened read-only computes missing statistics there, for the session only (`weaklink text reindex`
    stores them)."""
    for table in TABLES:
        found = store.con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?",
                                  [table]).fetchall()[0][0]
        if not found:
            store.con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {table}")


def stale_count(store: Store, watch) -> int:
    """Documents whose statistics are missing or were computed with another lexicon."""
    return store.con.execute("""SELECT count(*) FROM documents d LEFT JOIN doc_text_stats s USING (doc_id)
                                WHERE s.doc_id IS NULL OR s.lexicon <> ?""", [stats.lexicon_fingerprint(watch)]
                             ).fetchall()[0][0]


def refresh(store: Store, watch, index: TextIndex | None, force: bool = False, progress=None,
            workers: int | None = None) -> RefreshSummary:
    """Compute missing or stale statistics and bring the index up to date with the stored documents."""
    import time

    started, con = time.perf_counter(), store.con
    fingerprint = stats.lexicon_fingerprint(watch)
    _drop_stale(store, fingerprint, force)
    stored = {d for (d,) in con.execute("SELECT doc_id FROM documents").fetchall()}
    todo = {d for (d,) in con.execute("SELECT doc_id FROM documents ANTI JOIN doc_text_stats USING (doc_id)"
                                      ).fetchall()}
    held = (index.listing() or set()) if index is not None else stored
    to_index = stored if (force and index is not None) else stored - held
    summary = RefreshSummary(documents=len(stored), computed=len(todo), indexed=len(to_index))
    pending = todo | to_index
    workers = workers or (min(os.cpu_count() or 1, 4) if len(todo) >= PARALLEL_MIN_DOCUMENTS else 1)
    summary.workers = workers
    pool = _pool(watch, workers)  # before the index writer starts its threads
    update = (index.begin(threads=workers, force=force) if index is not None and (to_index or held - stored)
              else None)
    if progress is not None:
        progress(0, len(pending))
    summary.characters = _run(store, watch, fingerprint, _batches(store, pending), todo, to_index, update, pool,
                              progress)
    if update is not None:
        summary.removed_from_index = update.finish(held - stored, force)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def input_bytes(path) -> int:
    """The size of an archive, or of the files in a folder (0 for neither): whether a pool pays for itself."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


class IngestAnalysis:
    """Statistics and index built while documents are ingested, from the texts already in memory (the
    `sink` of `ingest.ungdc.ingest_corpus`): each stored batch goes to the full-text index (tantivy's own
    writer thread) and to the statistics workers, whose results are written as they come, at most
    2 x workers batches behind. The statistics pass after the ingest (`refresh`) then finds nothing left
    to do. `abort` drops what was not written: the index is rolled back, statistics of documents the
    ingest then removes are dropped by the next `refresh`."""

    def __init__(self, store: Store, watch, index: TextIndex | None, size_bytes: int = 0) -> None:
        self.store, self.watch, self.index, self.fingerprint = store, watch, index, stats.lexicon_fingerprint(watch)
        self.workers = min(os.cpu_count() or 1, 4) if size_bytes >= PARALLEL_MIN_BYTES else 1
        self.pool, self.lex, self.update, self.in_flight, self.done = None, None, None, deque(), 0

    def start(self) -> None:
        """Called by the ingest once it knows it will read the input, before its reader thread starts: the
        workers fork now, before any thread (the reader's, the index writer's) exists."""
        self.pool = _pool(self.watch, self.workers)
        if self.pool is not None:
            list(self.pool.map(int, range(self.workers)))
        else:
            self.workers, self.lex = 1, analysis.lexicons(self.watch)
        self.update = self.index.begin(threads=1) if self.index is not None else None

    def add(self, doc_ids: list[int], bodies: list[bytes], issuers: list[list[str]], dates: list) -> None:
        if self.update is not None:
            self.update.add([(d, b.decode("utf-8"), i, day) for d, b, i, day in zip(doc_ids, bodies, issuers, dates)])
        self.in_flight.append((len(doc_ids), self.pool.submit(stats.worker_batch, doc_ids, bodies) if self.pool
                               else stats.batch_stats(doc_ids, [b.decode("utf-8") for b in bodies], self.lex)))
        while len(self.in_flight) > 2 * self.workers or (self.in_flight and not self.pool):
            self.done = _write_next(self.store, self.fingerprint, self.in_flight, self.done, None)

    def finish(self) -> None:
        while self.in_flight:
            self.done = _write_next(self.store, self.fingerprint, self.in_flight, self.done, None)
        if self.update is not None:
            self.update.finish(set())
            self.update = None  # the writer's lock on the index folder goes with it
        self.abort()

    def abort(self) -> None:
        """Stop the workers and drop what was not written (idempotent)."""
        self.in_flight.clear()
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        if self.update is not None:
            self.update.writer.rollback()
            self.update = None

    def __enter__(self) -> IngestAnalysis:
        return self

    def __exit__(self, *exc) -> None:
        self.abort()


def _drop_stale(store: Store, fingerprint: str, force: bool) -> None:
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        stale = "TRUE" if force else ("doc_id IN (SELECT doc_id FROM doc_text_stats WHERE lexicon <> $fp) "
                                      "OR doc_id NOT IN (SELECT doc_id FROM documents)")
        for table in reversed(TABLES):
            con.execute(f"DELETE FROM {table} WHERE {stale}", {} if force else {"fp": fingerprint})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _batches(store: Store, pending: set[int]):
    """The pending documents as Arrow tables of about BATCH_CHARS characters, from one streaming scan on a
    cursor of its own (so that statistics can be written meanwhile). The scan is never filtered in SQL: on
    DuckDB's compressed text, a filtered scan can take a hundred times longer than reading every row."""
    if not pending:
        return
    reader = store.con.cursor().sql("SELECT doc_id, text, issuers, date FROM documents").to_arrow_reader(64)
    wanted = pa.array(sorted(pending), pa.int32())
    parts, chars = [], 0
    for batch in reader:
        batch = batch.filter(pa.compute.is_in(batch["doc_id"], wanted))
        if batch.num_rows:
            parts.append(batch)
            chars += pa.compute.sum(pa.compute.utf8_length(batch["text"])).as_py()
        if chars >= BATCH_CHARS:
            yield pa.Table.from_batches(parts)
            parts, chars = [], 0
    if parts:
        yield pa.Table.from_batches(parts)


def _pool(watch, workers: int) -> ProcessPoolExecutor | None:
    """Worker processes, each with its own lexicon. Forked where the system can (no re-import of the caller's
    main module, as spawning would do in a script without a `__main__` guard), spawned elsewhere."""
    if workers < 2:
        return None
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(workers, mp_context=get_context(method), initializer=stats.init_worker,
                               initargs=(watch,))


def _run(store, watch, fingerprint, batches, todo, to_index, update, pool, progress) -> int:
    """Read each batch once: index it, compute its statistics (in the pool if any), write them; returns the
    characters read."""
    done, chars, workers = 0, 0, pool._max_workers if pool else 1
    lex = None if pool else analysis.lexicons(watch)
    in_flight: deque = deque()
    try:
        for table in batches:
            ids, texts = table["doc_id"].to_pylist(), table["text"].to_pylist()
            chars += sum(map(len, texts))
            if update is not None:
                update.add([(d, t, i, day) for d, t, i, day in zip(ids, texts, table["issuers"].to_pylist(),
                                                                   table["date"].to_pylist()) if d in to_index])
            pick = [k for k, d in enumerate(ids) if d in todo]
            args = ([ids[k] for k in pick], [texts[k] for k in pick])
            in_flight.append((len(ids), pool.submit(stats.worker_batch, *args) if pool
                              else stats.batch_stats(*args, lex)))
            del table, texts
            while in_flight and (len(in_flight) > 2 * workers or not pool):
                done = _write_next(store, fingerprint, in_flight, done, progress)
        while in_flight:
            done = _write_next(store, fingerprint, in_flight, done, progress)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    return chars


def _write_next(store, fingerprint, in_flight: deque, done: int, progress) -> int:
    count, result = in_flight.popleft()
    write_stats(store, fingerprint, result if isinstance(result, stats.BatchStats) else result.result())
    done += count
    if progress is not None:
        progress(done, None)
    return done


def write_stats(store: Store, fingerprint: str, result: stats.BatchStats) -> None:
    """One batch's statistics in one transaction."""
    if not result.docs["doc_id"]:
        return
    con = store.con
    docs = pa.table(result.docs).append_column("lexicon", pa.array([fingerprint] * len(result.docs["doc_id"])))
    actors = pa.table(result.actors, schema=_schema(result.actors))
    terms = pa.table(result.terms, schema=_schema(result.terms))
    con.execute("BEGIN TRANSACTION")
    try:
        for name, table in (("doc_text_stats", docs), ("doc_actor_stats", actors), ("doc_term_stats", terms)):
            con.register("incoming_stats", table)
            columns = ", ".join(table.column_names)
            con.execute(f"INSERT INTO {name} ({columns}) SELECT {columns} FROM incoming_stats")
            con.unregister("incoming_stats")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _schema(columns: dict[str, list]) -> pa.Schema:
    text = {"actor", "term_group", "term"}
    return pa.schema([(name, pa.string() if name in text else pa.int64()) for name in columns])
