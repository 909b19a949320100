"""Curated timeline files into `events` as dataset `curated`.

A row whose id is already stored with the same content is a duplicate; with different content it
replaces the stored row (an analyst corrected it), and counts as stored.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path

import pyarrow as pa

from weaklink.indicators.dyads import COUNTRY_SQL
from weaklink.ingest.common import ingest_one, store_rejects
from weaklink.ingest.csvread import csv_rows, readable, rejects_table
from weaklink.ingest.summary import FileResult
from weaklink.reference import countries
from weaklink.sources.scan import FileScan
from weaklink.sources.timeline import COLUMNS, InvalidRow, TimelineEntry, parse_entry
from weaklink.store import Store

DATASET = "curated"
FORMAT = "weaklink-timeline"
CONTENT = ["event_date", "end_date", "kind", "actors", "level", "event_code", "quad_class", "description",
           "sources", "confidence"]


def bundled_files() -> list[Path]:
    folder = resources.files("weaklink.data").joinpath("timeline")
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".csv"))


def _event_row(entry: TimelineEntry, file_id: int) -> dict:
    first, second = entry.actors[0], entry.actors[1] if len(entry.actors) > 1 else None
    return {
        "dataset": DATASET, "record_id": entry.id, "file_id": file_id, "source_format": FORMAT,
        "event_date": entry.date, "end_date": entry.end_date, "actors": list(entry.actors),
        "actor1_code": countries.by_iso3(first).cameo or first, "actor1_country": countries.by_iso3(first).cameo,
        "actor2_code": second and (countries.by_iso3(second).cameo or second),
        "actor2_country": second and countries.by_iso3(second).cameo,
        "is_root": True, "event_code": entry.cameo_code, "event_base_code": entry.cameo_code[:3],
        "event_root_code": entry.cameo_code[:2], "quad_class": entry.quad_class, "goldstein": entry.goldstein,
        "kind": entry.kind, "level": entry.level, "description": entry.description,
        "sources": list(entry.sources), "source_url": entry.sources[0], "confidence": entry.confidence,
    }


def _read(store: Store, scan: FileScan) -> tuple[list[tuple[int, TimelineEntry]], list[tuple[int, str, str]]]:
    with readable(store.con, scan) as source:
        rows, bad = csv_rows(source, COLUMNS, "timeline (see docs/timeline.md)")
    good = []
    for row in rows:
        try:
            good.append((row.line, parse_entry(row.fields)))
        except InvalidRow as exc:
            bad.append((row.line, str(exc), row.raw))
    return good, bad


def _write(store: Store, scan: FileScan, file_id: int) -> FileResult:
    entries, bad = _read(store, scan)
    read = len(entries) + len(bad)
    ids = Counter(e.id for _, e in entries)
    bad += [(line, f"id {e.id!r} appears more than once in this file", "") for line, e in entries if ids[e.id] > 1]
    stored, duplicate = _upsert(store, [_event_row(e, file_id) for _, e in entries if ids[e.id] == 1])
    store_rejects(store.con, file_id, scan.path, rejects_table(bad))
    return FileResult(path=str(scan.path), sha256=scan.sha256, status="ingested", read=read, stored=stored,
                      rejected=len(bad), duplicate=duplicate)


def _same_content(stored: str, new: str) -> str:
    return " AND ".join(f"{stored}.{c} IS NOT DISTINCT FROM {new}.{c}" for c in CONTENT)


def _upsert(store: Store, rows: list[dict]) -> tuple[int, int]:
    """Insert new ids, replace changed ones; returns (stored, unchanged duplicates)."""
    if not rows:
        return 0, 0
    con = store.con
    con.register("wl_timeline", pa.Table.from_pylist(rows))
    duplicate = con.execute(f"""SELECT count(*) FROM wl_timeline AS t JOIN events AS e
        ON e.dataset = t.dataset AND e.record_id = t.record_id WHERE {_same_content('e', 't')}""").fetchall()[0][0]
    con.execute(f"""DELETE FROM events AS e WHERE e.dataset = '{DATASET}' AND e.record_id IN (
        SELECT t.record_id FROM wl_timeline AS t JOIN events AS e2 ON e2.dataset = t.dataset
        AND e2.record_id = t.record_id WHERE NOT ({_same_content('e2', 't')}))""")
    actor_countries = ", ".join(f"{sql} AS {name}" for name, sql in COUNTRY_SQL.items())
    stored = con.execute(f"""INSERT INTO events BY NAME SELECT *, {actor_countries} FROM wl_timeline AS t
        WHERE NOT EXISTS (SELECT 1 FROM events AS e WHERE e.dataset = t.dataset AND e.record_id = t.record_id)
        """).fetchall()[0][0]
    con.unregister("wl_timeline")
    return stored, duplicate


def ingest_timeline_file(store: Store, path: Path, force: bool = False) -> FileResult:
    return ingest_one(store, path, DATASET, FORMAT, _write, force)
