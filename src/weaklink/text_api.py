"""The document side of the API: ingest documents, and read mentions, terms, comparisons and warmth."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from weaklink.errors import InvalidArgument, StoreError
from weaklink.ingest.paths import expand_paths
from weaklink.results import Result
from weaklink.text import analysis, compare, series

if TYPE_CHECKING:  # corpus, search, extract and ingest.docs load pyarrow.compute and yaml: imported where used
    from weaklink.text import corpus
    from weaklink.text.search import TextIndex

DOC_COLUMNS = ["doc_id", "path", "date", "issuers", "parties", "title", "kind", "language", "source_url"]


class TextMixin:
    """Methods of `Weaklink` for documents; `self.store` and `self.watch` come from Weaklink."""

    def ingest_docs(self, paths, progress=None, force: bool = False, **meta) -> object:
        """Ingest .txt/.md (YAML front matter), .html and .pdf documents; `meta` overrides their metadata
        (date, issuers, parties, title, kind, language, source_url); `force` reads known files again."""
        from weaklink.ingest.docs import ingest_document

        files = expand_paths([paths] if isinstance(paths, (str, Path)) else list(paths), documents=True)
        summary = self._ingest_each(files, lambda store, path, force: ingest_document(store, path, meta, force),
                                    progress, force)
        self._after_documents_ingest()
        return summary

    def ingest_ungdc(self, path, progress=None, force: bool = False) -> object:
        """Ingest the UN General Debate Corpus (the published .tgz, or its unpacked folder) as `unga_speech`
        documents with session, speaker and post (docs/ungdc.md); `force` reads a known archive again."""
        from weaklink.ingest.ungdc import ingest_corpus
        from weaklink.text import corpus

        path = Path(path)
        index = None if corpus.read_only(self.store) else self._text_index()
        with corpus.IngestAnalysis(self.store, self.watch, index, corpus.input_bytes(path)) as sink:
            summary = ingest_corpus(self.store, path, progress, force, sink=sink)  # statistics + index, one pass
        after = getattr(self, "_after_documents_ingest", None)
        if after is not None and summary.totals.stored:
            after()
        return summary

    def _after_documents_ingest(self, progress=None) -> corpus.RefreshSummary:
        """Statistics and full-text index for documents that lack them (docs/rhetoric.md); `progress`, if
        callable, is called with (documents done, documents to do) — the total on the first call only."""
        from weaklink.text import corpus

        return corpus.refresh(self.store, self.watch, self._text_index(), progress=_callable(progress))

    def reindex(self, force: bool = True, progress=None) -> corpus.RefreshSummary:
        """Recompute every document's statistics and rebuild the full-text index (`force=False`: only
        what is missing or was computed with another lexicon)."""
        from weaklink.text import corpus

        if corpus.read_only(self.store):
            raise StoreError("the store is open read-only: open it for writing to recompute text statistics")
        return corpus.refresh(self.store, self.watch, self._text_index(), force=force,
                              progress=_callable(progress))

    def _text_index(self) -> TextIndex:
        from weaklink.text import corpus
        from weaklink.text.search import TextIndex

        if not hasattr(self, "_text_index_handle"):
            if self.store.path == ":memory:":
                self._index_folder = tempfile.TemporaryDirectory(prefix="weaklink-text-index-")
                folder = Path(self._index_folder.name) / "index"
            else:
                folder = Path(self.store.path + ".text-index")
            self._text_index_handle = TextIndex(folder, read_only=corpus.read_only(self.store))
        return self._text_index_handle

    def _ensure_text_stats(self) -> None:
        """Compute statistics missing for some documents (lazily, before a query that reads them)."""
        from weaklink.text import corpus

        if not corpus.stale_count(self.store, self.watch):
            return
        if corpus.read_only(self.store):  # computed for this session only, in temporary tables
            corpus.shadow_tables(self.store)
            corpus.refresh(self.store, self.watch, None)
            return
        corpus.refresh(self.store, self.watch, self._text_index())

    def rhetoric_series(self, issuer: str, target: str, measure: str = "warmth", freq: str = "year", since=None,
                        until=None, kind: str | None = None) -> Result:
        """How `issuer` speaks of `target`, per period: `warmth` = (warm - hostile) / (warm + hostile) over the
        issuer's sentences naming the target, in [-1, 1]; `mentions` = mentions per 10,000 words. The value
        is null where the issuer has no document in the period or does not name the target (`reason` says
        which). Columns: period, value, documents, documents_naming, words, mentions, sentences_naming,
        sentences_warm, sentences_hostile, reason, given_by (the former state whose speeches are filed under
        the issuer in the period, e.g. the Republic of China as CHN before 1971; else null)."""
        if measure not in series.MEASURES:
            raise InvalidArgument(f"unknown measure {measure!r}: use {' or '.join(series.MEASURES)}")
        if freq not in series.TRUNC:
            raise InvalidArgument(f"unknown frequency {freq!r}: use {', '.join(series.TRUNC)}")
        issuer, target = self.iso3(issuer), self._lexicon_actor(target)
        self._ensure_text_stats()
        table = series.rhetoric_series(self.store, issuer, target, measure, freq, _opt_date(since),
                                       _opt_date(until), kind)
        return Result(table=table, meta={"issuer": issuer, "target": target, "measure": measure, "freq": freq,
                                         "kind": kind})

    def _lexicon_actor(self, actor: str) -> str:
        code = self.iso3(actor)
        if code not in self.watch.lexicon.actors:
            raise InvalidArgument(f"{code} has no aliases in the watch file's lexicon, so its mentions are not "
                                  f"counted: add it under [lexicon.actors.{code}] or use one of "
                                  f"{', '.join(sorted(self.watch.lexicon.actors))}")
        return code

    def kwic(self, phrase: str, issuer: str | None = None, since=None, until=None, width: int = 60,
             limit: int = 50) -> pa.Table:
        """Keyword in context: each occurrence of `phrase` (whole words, any case) with `width` characters
        either side, oldest document first, at most `limit` lines."""
        if not phrase.split():
            raise InvalidArgument("give a word or phrase to look for")
        if width < 1 or limit < 1:
            raise InvalidArgument("--width and --limit must be at least 1")
        return series.kwic(self.store, phrase, self.iso3(issuer) if issuer else None, _opt_date(since),
                           _opt_date(until), width, limit)

    def search(self, query: str, issuer: str | None = None, since=None, until=None, limit: int = 10,
               width: int = 60, lines: int = 2) -> list[dict]:
        """Documents ranked by relevance (BM25) for `query`: words, "quoted phrases", AND, OR, -word. Each
        hit: doc_id, issuers, date, title, kind, score, and up to `lines` keyword-in-context lines."""
        if limit < 1:
            raise InvalidArgument("--limit must be at least 1")
        from weaklink.text import corpus

        index = self._text_index()
        if not index.read_only and index.listing() is None:
            corpus.refresh(self.store, self.watch, index)
        hits = index.search(query, [self.iso3(issuer)] if issuer else None, _opt_date(since), _opt_date(until),
                            limit)
        return search_hits(self.store, hits, query, width, lines)

    def documents(self, issuer: str | None = None, since=None, until=None) -> pa.Table:
        table = self.store.table("documents")
        if issuer:
            table = table.filter(table.issuers.contains(self.iso3(issuer)))
        if since:
            table = table.filter(table.date >= _date(since))
        if until:
            table = table.filter(table.date <= _date(until))
        return table.select(*DOC_COLUMNS, "text").order_by(["date", "doc_id"]).to_pyarrow()

    def document(self, ref: str | int) -> dict:
        """A stored document by id, or a file read directly (not stored) by its path."""
        if str(ref).isdigit():
            rows = self.store.con.execute(f"SELECT {', '.join(DOC_COLUMNS)}, text FROM documents WHERE doc_id = ?",
                                          [int(ref)]).fetchall()
            if not rows:
                raise InvalidArgument(f"no stored document with id {ref}: `weaklink text docs` lists them")
            return dict(zip([*DOC_COLUMNS, "text"], rows[0]))
        path = Path(str(ref))
        if not path.exists():
            raise InvalidArgument(f"{ref!r} is neither a stored document id nor a file")
        from weaklink.text.extract import read_document

        doc = read_document(path)
        return {"doc_id": None, "path": str(path), "date": doc.date, "issuers": doc.issuers, "parties": doc.parties,
                "title": doc.title, "kind": doc.kind, "language": doc.language, "source_url": doc.source_url,
                "text": doc.text}

    def _lex(self) -> analysis.Lexicons:
        return analysis.lexicons(self.watch)

    def mentions(self, ref: str | int, actor: str | None = None,
                 categories: tuple[str, ...] = analysis.CATEGORIES) -> dict:
        """Actor mentions in a document: names (`count`), demonyms, metonyms, each hit's position."""
        doc = self.document(ref)
        found = analysis.mentions(doc["text"], self._lex(), self.iso3(actor) if actor else None, categories)
        return {"document": _meta(doc), "mentions": found}

    def terms(self, ref: str | int) -> dict:
        doc = self.document(ref)
        return {"document": _meta(doc), "terms": analysis.term_counts(doc["text"], self._lex())}

    def term_trends(self, issuer: str | None = None, freq: str = "year", since=None, until=None) -> pa.Table:
        """Per period and framing term used: occurrences, documents using it, documents in the period
        (from the statistics tables; terms no document of the period uses are left out)."""
        if freq not in series.TRUNC:
            raise InvalidArgument(f"unknown frequency {freq!r}: use {', '.join(series.TRUNC)}")
        self._ensure_text_stats()
        return series.term_trends(self.store, self.iso3(issuer) if issuer else None, freq, _opt_date(since),
                                  _opt_date(until))

    def compare(self, old: str | int, new: str | int) -> dict:
        """Framing terms and mentions gained and lost, and sentences added, removed and rewritten."""
        a, b = self.document(old), self.document(new)
        result = compare.compare(a["text"], b["text"], self._lex())
        return {"old": _meta(a), "new": _meta(b), "headline": compare.headline(result), **result}

    def compare_html(self, old: str | int, new: str | int) -> str:
        result = self.compare(old, new)
        return compare.to_html(result, _label(result["old"]), _label(result["new"]))

    def warmth(self, ref: str | int) -> dict:
        """Warmth toward each named partner and hostility toward each third party, with the sentences."""
        doc = self.document(ref)
        partners = [p for p in doc["parties"] or [] if p not in doc["issuers"]]
        scores = analysis.warmth(doc["text"], self._lex(), partners, list(doc["issuers"]))
        return {"document": _meta(doc), "actors": scores}


def _meta(doc: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in doc.items() if k != "text"}


def _label(meta: dict) -> str:
    return f"{meta.get('title') or meta.get('path')} ({meta.get('date')})"


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _opt_date(value) -> date | None:
    if value is None or value == "":
        return None
    try:
        return _date(value)
    except ValueError as exc:
        raise InvalidArgument(f"{value!r} is not a date: use YYYY-MM-DD") from exc


def _callable(progress):
    return progress if callable(progress) else None


def search_hits(store, hits: list, query: str, width: int, lines: int) -> list[dict]:
    """Each hit with its document's metadata and keyword-in-context lines for the query's words and phrases."""
    if not hits:
        return []
    rows = store.con.execute("""SELECT doc_id, issuers, date, title, kind, text FROM documents
                                WHERE doc_id IN (SELECT unnest(?::INTEGER[]))""", [[h.doc_id for h in hits]]).fetchall()
    found = {r[0]: r for r in rows}
    patterns = _query_patterns(query)
    out = []
    for hit in hits:
        if hit.doc_id not in found:
            continue  # deleted since the index was built
        doc_id, issuers, day, title, kind, text = found[hit.doc_id]
        context = []
        for pattern in patterns:
            context += series.context_lines(text, pattern, width, lines - len(context))
            if len(context) >= lines:
                break
        out.append({"doc_id": doc_id, "issuers": list(issuers), "date": day.isoformat(), "title": title,
                    "kind": kind, "score": hit.score, "context": context})
    return out


def _query_patterns(query: str) -> list:
    """Quoted phrases first, then the other words (operators and field names left out), for context lines."""
    phrases = re.findall(r'"([^"]+)"', query)
    rest = re.sub(r'"[^"]*"', " ", query)
    words = [w for w in re.findall(r"[\w'’-]+", rest) if w not in ("AND", "OR", "NOT") and not w.startswith("-")]
    return [series.phrase_pattern(p, stem=True) for p in phrases if p.split()] + \
        [series.phrase_pattern(w, stem=True) for w in words]
