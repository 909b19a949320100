"""Full-text search over stored documents with tantivy (BM25 ranking, phrase queries, English stemming).

The index lives beside the store (`<store file>.text-index/`; a temporary folder for an in-memory store)
and holds, per document, its id (stored), its issuers and its day (for filters) and its text (indexed, not
stored: the text stays in the store). `indexed.json` in the folder lists the document ids the index holds,
so the statistics pass (`text/corpus.py`) adds only new documents and drops deleted ones.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from weaklink.errors import InvalidArgument, StoreError
from weaklink.fileio import atomic_write_text

INDEX_VERSION = 1
LISTING = "indexed.json"
EPOCH = date(1970, 1, 1)
WRITER_HEAP = 128_000_000


@dataclass
class Hit:
    doc_id: int
    score: float


def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("doc_id", stored=True, indexed=True, fast=True)
    builder.add_integer_field("day", indexed=True, fast=True)
    builder.add_text_field("issuer", stored=False, tokenizer_name="raw")
    builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
    return builder.build()


def day_number(day: date) -> int:
    return (day - EPOCH).days


class TextIndex:
    """The tantivy index of one store. `read_only`: never created or written (a store opened read-only)."""

    def __init__(self, folder: Path, read_only: bool = False) -> None:
        self.folder, self.read_only = folder, read_only
        self._index = None

    def listing(self) -> set[int] | None:
        """The document ids the index holds, or None when there is no usable index."""
        path = self.folder / LISTING
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return set(data["doc_ids"]) if data.get("version") == INDEX_VERSION else None

    def index(self):
        import tantivy

        if self._index is None:
            if self.listing() is None:
                if self.read_only:
                    raise StoreError(f"there is no full-text index at {self.folder}: run `weaklink text reindex` "
                                     "once with write access to the store to build it")
                shutil.rmtree(self.folder, ignore_errors=True)  # an unusable leftover: start again
                self.folder.mkdir(parents=True)
                atomic_write_text(self.folder / LISTING, json.dumps({"version": INDEX_VERSION, "doc_ids": []}))
            self._index = tantivy.Index(_schema(), path=str(self.folder), reuse=True)
        return self._index

    def begin(self, threads: int = 1, force: bool = False) -> IndexUpdate:
        """Start adding and deleting documents; `force` empties the index first (a rebuild)."""
        return IndexUpdate(self, threads, force)

    def record(self, doc_ids: set[int]) -> None:
        atomic_write_text(self.folder / LISTING, json.dumps({"version": INDEX_VERSION, "doc_ids": sorted(doc_ids)}))

    def search(self, query: str, issuers: list[str] | None = None, since: date | None = None,
               until: date | None = None, limit: int = 20) -> list[Hit]:
        """Documents ranked by BM25 for `query` (tantivy syntax: words, "phrases", AND/OR, -word)."""
        import tantivy

        index = self.index()
        if not query.strip():
            raise InvalidArgument("the search query is empty: give words or a \"quoted phrase\"")
        try:
            parsed = index.parse_query(query, ["text"])
        except ValueError as exc:
            raise InvalidArgument(f"cannot read the search query {query!r} ({exc}): use words, \"quoted phrases\", "
                                  "AND, OR and -word; quote characters such as ( ) : ^ ~ to search them") from exc
        parts = [(tantivy.Occur.Must, parsed)]
        schema = index.schema
        if issuers:
            parts.append((tantivy.Occur.Must, tantivy.Query.term_set_query(schema, "issuer", list(issuers))))
        if since or until:
            parts.append((tantivy.Occur.Must, tantivy.Query.range_query(
                schema, "day", tantivy.FieldType.Integer, day_number(since) if since else None,
                day_number(until) if until else None)))
        searcher = index.searcher()
        found = searcher.search(tantivy.Query.boolean_query(parts), limit).hits
        return [Hit(int(searcher.doc(address)["doc_id"][0]), round(float(score), 4)) for score, address in found]


class IndexUpdate:
    """Documents added to (and deleted from) the index, committed together by `finish`."""

    def __init__(self, owner: TextIndex, threads: int, force: bool) -> None:
        self.owner, self.added = owner, set()
        self.held = set() if force else (owner.listing() or set())
        self.writer = owner.index().writer(heap_size=WRITER_HEAP, num_threads=threads)
        if force:
            self.writer.delete_all_documents()

    def add(self, docs: list[tuple[int, str, list[str], date]]) -> None:
        """Add (id, text, issuers, date) documents; one already held is replaced."""
        import tantivy

        for doc_id, text, issuers, day in docs:
            if doc_id in self.held:
                self.writer.delete_documents("doc_id", doc_id)
            self.writer.add_document(tantivy.Document(doc_id=doc_id, text=text, issuer=list(issuers),
                                                      day=day_number(day)))
            self.added.add(doc_id)

    def finish(self, deleted: set[int], force: bool = False) -> int:
        """Delete `deleted` ids, commit, record the ids held; returns how many were deleted."""
        for doc_id in deleted:
            self.writer.delete_documents("doc_id", doc_id)
        self.writer.commit()
        self.writer.wait_merging_threads()
        self.owner.record((self.held - deleted) | self.added)
        self.owner.index().reload()
        return len(deleted & self.held)
