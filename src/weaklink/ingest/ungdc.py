"""The UN General Debate Corpus into the `documents` table (kind `unga_speech`), one transaction per session.

The archive (or unpacked folder) is read as a stream, a session folder at a time, in a reader thread
while the previous folder is inserted in bulk (Arrow), each folder in its own transaction (memory stays
bounded). The speakers file, the rejects and the archive's provenance row (its sha256, format `ungdc`)
are written last, in one more transaction, once the whole archive has been read (gzip checksum
included). An archive found damaged on the way is refused and the speeches this run stored are removed:
the store is as before. A `sink` (text/corpus.py `IngestAnalysis`) receives each folder's stored speeches
once committed, so their statistics and full-text index are built in the same pass. A kill leaves whole
session folders stored and the archive unregistered: the next run reads it again and counts those
speeches as duplicates. A registered archive is skipped; `force` reads it again. Speakers and posts are
joined to the stored speeches by session and issuer.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from weaklink.errors import SourceFileError, WeaklinkError
from weaklink.ingest.common import now, record_provenance
from weaklink.ingest.summary import FileResult, IngestSummary
from weaklink.progress import NullProgress, Progress
from weaklink.sources import ungdc
from weaklink.sources.scan import ContentScan, FileScan
from weaklink.store import Store

DATASET = "ungdc"
FORMAT = "ungdc"
SPEAKERS_FORMAT = "ungdc-speakers"
KIND = "unga_speech"
# No automatic checkpoint during the ingest (DuckDB's default, 16 MiB of WAL, would rewrite the growing
# documents row group a dozen times over the 200 MB corpus): one CHECKPOINT at the end instead.
CHECKPOINT_THRESHOLD = "1GB"

INSERT = f"""
INSERT INTO documents (file_id, path, format, sha256, fingerprint, date, issuers, title, kind, language, source_url,
                       text, session, predecessor)
SELECT ?, n.path, 'ungdc', n.sha256, n.fingerprint, n.date, [n.issuer], n.title, '{KIND}', 'en', ?, n.text,
       n.session, n.predecessor
FROM wl_ungdc_batch n ANTI JOIN wl_ungdc_known k ON k.path = n.path
RETURNING doc_id, path"""

KNOWN = f"""
CREATE OR REPLACE TEMP TABLE wl_ungdc_known AS
SELECT n.path, d.doc_id, d.fingerprint = n.fingerprint AS same_text
FROM wl_ungdc_batch n JOIN documents d
  ON d.kind = '{KIND}' AND d.session = n.session AND len(d.issuers) = 1 AND d.issuers[1] = n.issuer"""

SPEAKERS = f"""
UPDATE documents d SET speaker = s.speaker, speaker_post = s.post
FROM wl_ungdc_speakers s
WHERE d.kind = '{KIND}' AND d.session = s.session AND len(d.issuers) = 1 AND d.issuers[1] = s.issuer"""


class Sink(Protocol):
    """What receives the speeches stored, folder by folder (text/corpus.py `IngestAnalysis`)."""

    def start(self) -> None: ...

    def add(self, doc_ids: list[int], bodies: list[bytes], issuers: list[list[str]], dates: list) -> None: ...

    def finish(self) -> None: ...

    def abort(self) -> None: ...


@dataclass
class _Run:
    """What one read of the archive has done so far."""

    path: Path
    file_id: int
    results: list[FileResult] = field(default_factory=list)
    rejects: list[tuple[str, int, str, str]] = field(default_factory=list)  # path, line, reason, raw
    digest: object = field(default_factory=hashlib.sha256)
    size_bytes: int = 0
    speakers: ungdc.SpeakersFile | None = None
    sink: Sink | None = None
    stored: list[tuple[int, str]] = field(default_factory=list)  # (doc_id, member) of the last folder stored


def ingest_corpus(store: Store, path: Path, progress: Progress | None = None, force: bool = False,
                  sink: Sink | None = None) -> IngestSummary:
    """Ingest the UNGDC archive or folder at `path`; any error leaves the store as it was. `sink` gets each
    folder's stored speeches (finished at the end, aborted on an error)."""
    path, progress, clock = Path(path), progress or NullProgress(), time.perf_counter()
    progress.start([path])
    try:
        summary = _ingest(store, path, progress, force, sink)
    except (WeaklinkError, OSError) as exc:
        summary = IngestSummary([FileResult(path=str(path), sha256=None, status="error", message=_message(path, exc))])
    if len(summary.files) == 1:  # skipped or failed: the time it took to say so
        summary.files[0].seconds = round(time.perf_counter() - clock, 3)
    progress.file_done(path, summary.files[-1])
    progress.finish(summary)
    return summary


def _message(path: Path, exc: Exception) -> str:
    text = str(exc) if isinstance(exc, WeaklinkError) else f"cannot read it ({type(exc).__name__}: {exc})"
    return (text if str(path) in text else f"{path}: {text}") + "; nothing from this archive was stored"


def _ingest(store: Store, path: Path, progress: Progress, force: bool, sink: Sink | None) -> IngestSummary:
    if not path.exists():
        raise SourceFileError(f"{path}: no such file or folder; give the UNGDC .tgz or its unpacked folder")
    archive_sha = None if path.is_dir() else _file_sha256(path)
    earlier = _earlier(store, FORMAT, archive_sha) if archive_sha else None
    if earlier is not None and not force:
        return IngestSummary([FileResult(path=str(path), sha256=archive_sha, status="skipped",
                                         message="already ingested (same sha256); --force reads it again")])
    started = now()
    last_doc = store.con.execute("SELECT coalesce(max(doc_id), 0) FROM documents").fetchall()[0][0]
    run = _Run(path, earlier if earlier is not None else _new_file_id(store), sink=sink)
    threshold = store.con.execute("SELECT current_setting('checkpoint_threshold')").fetchall()[0][0]
    store.con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
    try:
        if sink is not None:
            sink.start()
        for item in _prefetch(ungdc.read_corpus(path)):
            _take(store, run, item, progress)
        summary = _in_transaction(store, lambda: _finish(store, run, archive_sha, earlier, started))
        if sink is not None:
            sink.finish()
    except BaseException:
        if sink is not None:
            sink.abort()
        _in_transaction(store, lambda: store.con.execute("DELETE FROM documents WHERE file_id = ? AND doc_id > ?",
                                                         [run.file_id, last_doc]))
        raise
    finally:
        store.con.execute(f"SET checkpoint_threshold = '{threshold}'")
    _checkpoint(store)
    return summary


def _checkpoint(store: Store) -> None:
    """One checkpoint for the whole ingest; if DuckDB cannot make it now (another connection's transaction),
    it makes it later, automatically: nothing is lost."""
    import duckdb

    try:
        store.con.execute("CHECKPOINT")
    except duckdb.Error:
        pass


def _in_transaction(store: Store, work):
    store.con.execute("BEGIN TRANSACTION")
    try:
        result = work()
        store.con.execute("COMMIT")
    except BaseException:
        store.con.execute("ROLLBACK")
        raise
    return result


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _earlier(store: Store, fmt: str, sha256: str) -> int | None:
    rows = store.con.execute("SELECT file_id FROM provenance WHERE format = ? AND sha256 = ?", [fmt, sha256]).fetchall()
    return rows[0][0] if rows else None


def _new_file_id(store: Store) -> int:
    return store.con.execute("SELECT nextval('provenance_ids')").fetchall()[0][0]


def _take(store: Store, run: _Run, item: ungdc.Item, progress: Progress) -> None:
    if isinstance(item, ungdc.SessionFolder):
        progress.file_started(run.path / item.name)
        run.digest.update(item.sha256.encode())
        run.size_bytes += item.size_bytes
        run.results.append(_in_transaction(store, lambda: _store_folder(store, run, item)))
        if run.sink is not None and run.stored:
            _to_sink(run.sink, item, run.stored)
    elif isinstance(item, ungdc.SpeakersFile):
        run.digest.update(item.sha256.encode())
        run.size_bytes += item.size_bytes
        run.speakers = item
    else:
        run.digest.update(item.reject.member.encode())
        run.size_bytes += item.size_bytes
        run.rejects.append((item.reject.member, 0, item.reject.reason, item.reject.raw))
        run.results.append(FileResult(path=f"{run.path}/{item.reject.member}", sha256=None, status="ingested",
                                      read=1, rejected=1, message=item.reject.reason))


def _store_folder(store: Store, run: _Run, folder: ungdc.SessionFolder) -> FileResult:
    """Insert a session folder's speeches in bulk; same issuer and session already stored: duplicate (same
    words) or rejected (another text)."""
    clock, con = time.perf_counter(), store.con
    result = FileResult(path=f"{run.path}/{folder.name}", sha256=folder.sha256, status="ingested", read=folder.files)
    for reject in folder.rejects:
        run.rejects.append((reject.member, 0, reject.reason, reject.raw))
    result.rejected = len(folder.rejects)
    if folder.speeches:
        con.register("wl_ungdc_batch", _batch(folder))
        con.execute(KNOWN)
        for member, doc_id, same in con.execute("SELECT path, doc_id, same_text FROM wl_ungdc_known").fetchall():
            if same:
                result.duplicate += 1
            else:
                result.rejected += 1
                reason = (f"another text of this speech (same issuer and session) is already stored as document "
                          f"{doc_id}: not stored twice")
                run.rejects.append((member, 0, reason, ""))
        run.stored = con.execute(INSERT, [run.file_id, ungdc.SOURCE_URL]).fetchall()
        con.unregister("wl_ungdc_batch")
    else:
        run.stored = []
    result.stored = result.read - result.rejected - result.duplicate
    result.seconds = round(time.perf_counter() - clock, 3)
    return result


def _to_sink(sink: Sink, folder: ungdc.SessionFolder, stored: list[tuple[int, str]]) -> None:
    """The folder's speeches just stored, in doc_id order."""
    speech = {s.member: s for s in folder.speeches}
    chosen = [(doc_id, speech[member]) for doc_id, member in sorted(stored)]
    sink.add([d for d, _ in chosen], [s.body for _, s in chosen], [[s.issuer] for _, s in chosen],
             [s.date for _, s in chosen])


def _batch(folder: ungdc.SessionFolder) -> pa.Table:
    speeches = folder.speeches
    return pa.table({
        "path": [s.member for s in speeches], "sha256": [s.sha256 for s in speeches],
        "fingerprint": [s.fingerprint for s in speeches], "date": pa.array([s.date for s in speeches], pa.date32()),
        "issuer": [s.issuer for s in speeches], "title": [s.title for s in speeches],
        "text": folder.text_array(), "session": pa.array([s.session for s in speeches], pa.int32()),
        "predecessor": pa.array([s.predecessor for s in speeches], pa.string())})


def _finish(store: Store, run: _Run, archive_sha: str | None, earlier: int | None, started) -> IngestSummary:
    """Apply the speakers file, store the rejects and register the archive (and speakers file) read."""
    con = store.con
    if run.speakers is not None:
        run.results.append(_apply_speakers(store, run, run.speakers, started))
    else:
        run.results.append(FileResult(path=f"{run.path}/{ungdc.SPEAKERS_STEM}.xlsx", sha256=None, status="ingested",
                                      message="no speakers file in this corpus: speaker and post stay empty"))
    archive = _archive_result(run, archive_sha)
    if earlier is None and archive_sha is None:  # a folder: known once read, by the digest of its content
        earlier = _earlier(store, FORMAT, archive.sha256)
        if earlier is not None:
            con.execute("UPDATE documents SET file_id = ? WHERE file_id = ?", [earlier, run.file_id])
            run.file_id = earlier
    if earlier is not None:
        con.execute("DELETE FROM rejects WHERE file_id = ?", [run.file_id])
    _store_rejects(store, run.file_id, run.rejects)
    scan = _scan(run.path, archive.sha256, run.size_bytes if archive_sha is None else run.path.stat().st_size)
    record_provenance(con, run.file_id, DATASET, FORMAT, scan, archive, started, again=earlier is not None)
    return IngestSummary(sorted(run.results, key=lambda r: ("/Session " not in r.path, r.path)))


def _archive_result(run: _Run, archive_sha: str | None) -> FileResult:
    """The archive's counts, in files: stored (speeches and the speakers file), rejected, duplicate."""
    result = FileResult(path=str(run.path), sha256=archive_sha or run.digest.hexdigest(), status="ingested",
                        version="UNGDC")
    for part in run.results:
        for name in ("read", "stored", "rejected", "duplicate"):
            setattr(result, name, getattr(result, name) + getattr(part, name))
    return result


def _scan(path: Path, sha256: str, size: int) -> FileScan:
    """The identity provenance records: the archive (or folder) read, with its sha256 and size."""
    content = Future()
    content.set_result(ContentScan(sha256=sha256, lines=0, blank_lines=[]))
    return FileScan(path=path, size_bytes=size, compression=None if path.is_dir() else "gzip", member=None,
                    content=content)


def _store_rejects(store: Store, file_id: int, rejects: list[tuple[str, int, str, str]]) -> None:
    if not rejects:
        return
    table = pa.table({"path": [r[0] for r in rejects], "line": pa.array([r[1] for r in rejects], pa.int64()),
                      "reason": [r[2] for r in rejects], "raw": [r[3] for r in rejects]})
    store.con.register("wl_ungdc_rejects", table)
    store.con.execute("INSERT INTO rejects SELECT ?, path, line, reason, raw FROM wl_ungdc_rejects", [file_id])
    store.con.unregister("wl_ungdc_rejects")


# -- speakers --------------------------------------------------------------------------------------------

def _apply_speakers(store: Store, run: _Run, speakers: ungdc.SpeakersFile, started) -> FileResult:
    """Set speaker and post on the stored speeches; the speakers file has its own provenance row (rows read,
    applied, rejected) and counts as one stored file of the archive."""
    con = store.con
    merged = merge_speakers(speakers.rows)
    con.register("wl_ungdc_speakers", pa.Table.from_pylist(merged, schema=pa.schema(
        [("session", pa.int32()), ("issuer", pa.string()), ("speaker", pa.string()), ("post", pa.string())])))
    con.execute(SPEAKERS)
    matched = {(s, i) for s, i in con.execute(
        f"""SELECT s.session, s.issuer FROM wl_ungdc_speakers s SEMI JOIN documents d ON d.kind = '{KIND}'
            AND d.session = s.session AND len(d.issuers) = 1 AND d.issuers[1] = s.issuer""").fetchall()}
    con.unregister("wl_ungdc_speakers")
    rejects = [(speakers.member, line, reason, raw) for line, reason, raw in speakers.rejects]
    rejects += [(speakers.member, row.line, f"no speech of {row.issuer} in session {row.session} is stored", "")
                for row in speakers.rows if (row.session, row.issuer) not in matched]
    rows = FileResult(path=f"{run.path}/{speakers.member}", sha256=speakers.sha256, status="ingested",
                      read=len(speakers.rows) + len(speakers.rejects), rejected=len(rejects))
    rows.stored = rows.read - rows.rejected
    _record_speakers_file(store, run, speakers, rows, rejects, started)
    return FileResult(path=rows.path, sha256=speakers.sha256, status="ingested", read=1, stored=1,
                      message=f"{rows.stored:,} of {rows.read:,} speaker rows applied to stored speeches; "
                              f"{rows.rejected:,} rejected (`weaklink rejects`)")


def _record_speakers_file(store: Store, run: _Run, speakers: ungdc.SpeakersFile, rows: FileResult,
                          rejects: list, started) -> None:
    earlier = _earlier(store, SPEAKERS_FORMAT, speakers.sha256)
    file_id = earlier if earlier is not None else _new_file_id(store)
    if earlier is not None:
        store.con.execute("DELETE FROM rejects WHERE file_id = ?", [file_id])
    _store_rejects(store, file_id, rejects)
    scan = _scan(run.path, speakers.sha256, speakers.size_bytes)
    scan.member = speakers.member
    record_provenance(store.con, file_id, DATASET, SPEAKERS_FORMAT, scan, rows, started, again=earlier is not None)


def merge_speakers(rows: list[ungdc.SpeakerRow]) -> list[dict]:
    """One entry per (session, issuer): the speakers file lists two rows for a few speeches (two speakers, or
    the same name twice); their distinct names and posts are joined with "; " in file order."""
    grouped: dict[tuple[int, str], list[ungdc.SpeakerRow]] = {}
    for row in rows:
        grouped.setdefault((row.session, row.issuer), []).append(row)
    return [{"session": session, "issuer": issuer, "speaker": _joined(r.name for r in group),
             "post": _joined(r.post for r in group)} for (session, issuer), group in grouped.items()]


def _joined(values) -> str | None:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return "; ".join(seen.values()) or None


# -- reading ahead ---------------------------------------------------------------------------------------

_DONE = object()


def _prefetch(items: Iterator, depth: int = 2) -> Iterator:
    """Items read in a thread, at most `depth` ahead (decompression overlaps the inserts; memory stays
    bounded); an error in the reader is raised here."""
    ahead: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def read() -> None:
        try:
            for item in items:
                if not _put(ahead, item, stop):
                    return
            _put(ahead, _DONE, stop)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            _put(ahead, exc, stop)

    reader = threading.Thread(target=read, name="weaklink-ungdc-reader", daemon=True)
    reader.start()
    try:
        while (item := ahead.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join(timeout=5)


def _put(ahead: queue.Queue, item, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            ahead.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
