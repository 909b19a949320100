"""Documents (statements, transcripts, articles) into the `documents` table, one file a document.

An exact copy (same sha256) is skipped; a near-duplicate (the same words in other markup or format,
or a same-day, same-issuer document sharing at least 90% of its words) is counted as a duplicate and
named, not stored twice.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

from weaklink.errors import SourceFileError
from weaklink.ingest.common import ingest_one
from weaklink.ingest.summary import FileResult
from weaklink.sources.scan import FileScan
from weaklink.store import Store
from weaklink.text.extract import read_document, text_fingerprint

DATASET = "documents"
FORMAT = "document"


def _writer(given: dict | None):
    def write(store: Store, scan: FileScan, file_id: int) -> FileResult:
        try:
            doc = read_document(scan.path, given)
        except (ValueError, TypeError, RecursionError) as exc:  # e.g. YAML's own date `2025-13-45`
            raise SourceFileError(f"{scan.path}: its metadata (front matter or sidecar) is not valid: "
                                  f"{type(exc).__name__}: {exc}") from exc
        fingerprint = text_fingerprint(doc.text)
        same = store.con.execute("SELECT doc_id, path FROM documents WHERE fingerprint = ?",
                                 [fingerprint]).fetchall() or _similar(store, doc)
        result = FileResult(path=str(scan.path), sha256=scan.sha256, status="ingested", read=1)
        if same:
            result.duplicate = 1
            result.message = f"near-duplicate of document {same[0][0]} ({same[0][1]}): same text, not stored again"
            return result
        store.con.execute(
            """INSERT INTO documents (file_id, path, format, sha256, fingerprint, date, issuers, parties, title,
                   kind, language, source_url, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [file_id, str(scan.path), doc.format, scan.sha256, fingerprint, doc.date, doc.issuers, doc.parties,
             doc.title, doc.kind, doc.language, doc.source_url, doc.text])
        result.stored = 1
        result.version = doc.language
        return result

    return write


NEAR_DUPLICATE = 0.9  # share of words in common (difflib ratio) above which two same-day documents are one


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower())


def _similar(store: Store, doc) -> list[tuple[int, str]]:
    """Stored documents of the same date and issuers whose words are nearly all the same."""
    rows = store.con.execute("SELECT doc_id, path, text FROM documents WHERE date = ? AND issuers = ?",
                             [doc.date, doc.issuers]).fetchall()
    words = _words(doc.text)
    for doc_id, path, text in rows:
        matcher = difflib.SequenceMatcher(None, words, _words(text), autojunk=False)
        if matcher.quick_ratio() >= NEAR_DUPLICATE and matcher.ratio() >= NEAR_DUPLICATE:
            return [(doc_id, path)]
    return []


def ingest_document(store: Store, path: Path, given: dict | None = None, force: bool = False) -> FileResult:
    return ingest_one(store, path, DATASET, FORMAT, _writer(given), force)
