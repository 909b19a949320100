"""Ingest: write a source's records into the store, one transaction per file."""

from weaklink.ingest.summary import FileResult, IngestSummary, Totals

__all__ = ["FileResult", "IngestSummary", "Totals"]
