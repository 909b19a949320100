"""The document side of the API: ingest documents, and read mentions, terms, comparisons and warmth."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa

from weaklink.errors import InvalidArgument
from weaklink.indicators.exchanges import period_grid
from weaklink.ingest.docs import ingest_document
from weaklink.ingest.paths import expand_paths
from weaklink.text import analysis, compare
from weaklink.text.extract import read_document

DOC_COLUMNS = ["doc_id", "path", "date", "issuers", "parties", "title", "kind", "language", "source_url"]


class TextMixin:
    """Methods of `Weaklink` for documents; `self.store` and `self.watch` come from Weaklink."""

    def ingest_docs(self, paths, progress=None, force: bool = False, **meta) -> object:
        """Ingest .txt/.md (YAML front matter), .html and .pdf documents; `meta` overrides their metadata
        (date, issuers, parties, title, kind, language, source_url); `force` reads known files again."""
        files = expand_paths([paths] if isinstance(paths, (str, Path)) else list(paths), documents=True)
        return self._ingest_each(files, lambda store, path, force: ingest_document(store, path, meta, force),
                                 progress, force)

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
        """Per period and framing term: occurrences, documents using it, documents in the period."""
        docs = self.documents(issuer, since, until)
        lex, rows = self._lex(), {}
        for day, text in zip(docs["date"].to_pylist(), docs["text"].to_pylist()):
            period = period_grid(day, day, freq)[0]
            slot = rows.setdefault(period, {"documents": 0, "terms": {}})
            slot["documents"] += 1
            for term, n in analysis.term_counts(text, lex).items():
                count, using = slot["terms"].get(term, (0, 0))
                slot["terms"][term] = (count + n, using + (n > 0))
        records = [{"period": p, "term": t, "count": c, "documents_using": u, "documents": slot["documents"]}
                   for p, slot in sorted(rows.items()) for t, (c, u) in slot["terms"].items()]
        return pa.Table.from_pylist(records) if records else pa.table({"period": pa.array([], pa.date32())})

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
