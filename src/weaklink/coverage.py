"""Coverage: for every source in the store, the spans of time it holds (docs/coverage.md).

Everything weaklink concludes is conditioned on these spans: where a source holds nothing for a window
the answer is "no data", never a negative finding, and results are dated by the data, not by the clock.

Sources and how their spans are read:
- media event datasets (GDELT and any other dataset but the curated one): file by file. A file named by
  its date (a GDELT 2.0 15-minute file `20240115120000.export.CSV`, a 1.0 daily file `20240115.export.CSV`)
  covers that day; besides, every day on which a stored event was added (DATEADDED; the event date where a
  dataset has none) is covered. Days between files are gaps.
- the curated timeline: one span from its first to its last entry. It is a curated list: it is taken to be
  complete between those dates, which is the curator's claim, not something the store can check.
- UNGA votes: each session covers September to August of its year (session 1: 1946); the last session
  in the store only up to its last roll call, since it may be incomplete.
- UNSC votes: a curated table of decisions, taken to be complete from its first to its last decision.
- documents: per issuer, and per issuer and kind, from the first to the last document the analyst ingested.

The spans are computed with a few SQL queries (no per-row Python), so this runs on stores of millions of
events. Source names: `gdelt`, `curated`, `unga`, `unsc`, `documents:CHN`, `documents:CHN:joint_statement`.
"""

from __future__ import annotations

from datetime import date, timedelta

Span = tuple[date, date]

NOTES = {
    "events": "per file: the day each file covers (from its name), and every day on which a stored event was "
              "added; days between files are gaps",
    "timeline": "curated list: taken to be complete from its first to its last entry",
    "unga": "each session covers September to August; the last session only up to its last roll call",
    "unsc": "curated table of decisions: taken to be complete from its first to its last decision",
    "documents": "documents the analyst ingested: taken to be complete from the first to the last one",
}
# A GDELT file named by its date: 20240115.export.CSV (1.0 daily) or 20240115120000.export.CSV (2.0).
FILE_DAY = r"(?:^|/)(\d{8})(?:\d{6})?\.export\.csv"
NOT_MEDIA = ("curated", "unga", "unsc", "documents")


# span arithmetic -----------------------------------------------------------------------------------
def merge(spans: list[Span]) -> list[Span]:
    """Union of spans: sorted, overlapping or touching spans joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect(*span_lists: list[Span]) -> list[Span]:
    """The days every list of spans covers."""
    if not span_lists:
        return []
    common = merge(span_lists[0])
    for other in span_lists[1:]:
        common = [(max(a, c), min(b, d)) for a, b in common for c, d in merge(other) if max(a, c) <= min(b, d)]
    return merge(common)


def covered_days(spans: list[Span], since: date, until: date) -> int:
    """Days of [since, until] that the spans cover."""
    return sum(max((min(end, until) - max(start, since)).days + 1, 0) for start, end in merge(spans))


def covered_fraction(spans: list[Span], since: date, until: date) -> float:
    """Share (0-1) of the days of [since, until] that the spans cover."""
    days = (until - since).days + 1
    return covered_days(spans, since, until) / days if days > 0 else 0.0


def gaps(spans: list[Span], since: date | None = None, until: date | None = None) -> list[Span]:
    """The uncovered stretches between the spans (inside [since, until] when given)."""
    merged = merge(spans)
    if not merged and since and until:
        return [(since, until)]
    if not merged:
        return []
    since, until = since or merged[0][0], until or merged[-1][1]
    holes, cursor = [], since
    for start, end in merged:
        if start > cursor and cursor <= until:
            holes.append((cursor, min(start - timedelta(days=1), until)))
        cursor = max(cursor, end + timedelta(days=1))
    if cursor <= until:
        holes.append((cursor, until))
    return holes


# reading the store ---------------------------------------------------------------------------------
def _media_spans(con) -> dict[str, list[Span]]:
    """Per media dataset, the islands of consecutive covered days (gaps-and-islands in SQL): days with a stored
    event (reporting day, else event day; from `event_days`, which counts them) or a file named by its day."""
    rows = con.execute(f"""
        WITH days AS (
            SELECT DISTINCT dataset, CAST(coalesce(date_added, event_date) AS DATE) AS day FROM event_days
            WHERE dataset NOT IN {NOT_MEDIA} AND coalesce(date_added, event_date) IS NOT NULL
            UNION
            SELECT dataset, CAST(try_strptime(regexp_extract(lower(coalesce(member, path)), '{FILE_DAY}', 1),
                                              '%Y%m%d') AS DATE) AS day
            FROM provenance WHERE dataset NOT IN {NOT_MEDIA}),
        islands AS (
            SELECT dataset, day, day - CAST(row_number() OVER (PARTITION BY dataset ORDER BY day) AS INTEGER) AS grp
            FROM days WHERE day IS NOT NULL)
        SELECT dataset, min(day), max(day) FROM islands GROUP BY dataset, grp ORDER BY dataset, 2""").fetchall()
    spans: dict[str, list[Span]] = {}
    for dataset, start, end in rows:
        spans.setdefault(dataset, []).append((start, end))
    return spans


def _media_spans_portable(con) -> dict[str, list[Span]]:
    """The same islands as `_media_spans`, from plain SQL every backend runs (distinct days, file names)."""
    import re
    from datetime import datetime

    days = set(con.execute(f"""SELECT DISTINCT dataset, CAST(coalesce(date_added, event_date) AS DATE) FROM event_days
        WHERE dataset NOT IN {NOT_MEDIA} AND coalesce(date_added, event_date) IS NOT NULL""").fetchall())
    for dataset, name in con.execute(f"""SELECT dataset, lower(coalesce(member, path)) FROM provenance
            WHERE dataset NOT IN {NOT_MEDIA}""").fetchall():
        found = re.search(FILE_DAY, name or "")
        try:
            days.add((dataset, datetime.strptime(found.group(1), "%Y%m%d").date()) if found else None)
        except ValueError:
            continue
    spans: dict[str, list[Span]] = {}
    for dataset, day in sorted(d for d in days if d is not None):
        held = spans.setdefault(dataset, [])
        if held and held[-1][1] + timedelta(days=1) == day:
            held[-1] = (held[-1][0], day)
        else:
            held.append((day, day))
    return spans


def _curated_span(con) -> list[Span]:
    first, last = con.execute("""SELECT min(event_date), max(greatest(event_date, coalesce(end_date, event_date)))
        FROM events WHERE dataset = 'curated'""").fetchall()[0]
    return [(first, last)] if first else []


def _unga_spans(con) -> list[Span]:
    sessions = con.execute("""SELECT session, min(date), max(date) FROM decisions
        WHERE body = 'unga' AND date IS NOT NULL GROUP BY session ORDER BY 3""").fetchall()
    spans = []
    for index, (session, first, last) in enumerate(sessions):
        if session is None:
            start, end = date(first.year, 1, 1), date(last.year, 12, 31)
        else:
            start = date(1946, 1, 1) if session == 1 else date(1945 + session, 9, 1)
            end = date(1946 + session, 8, 31)
        final = index == len(sessions) - 1
        spans.append((min(start, first), last if final else max(end, last)))
    return merge(spans)


def _unsc_span(con) -> list[Span]:
    first, last = con.execute("SELECT min(date), max(date) FROM decisions WHERE body = 'unsc'").fetchall()[0]
    return [(first, last)] if first else []


def _document_groups(con) -> list[tuple[str, int, date, date]]:
    """(source name, documents, first, last) per issuer and per issuer and kind."""
    rows = con.execute("""SELECT issuer, kind, grouping(kind), count(*), min(date), max(date) FROM (
            SELECT unnest(issuers) AS issuer, kind, date FROM documents)
        GROUP BY GROUPING SETS ((issuer), (issuer, kind)) ORDER BY 1, 3 DESC, 2""").fetchall()
    return [(f"documents:{issuer}" if whole else f"documents:{issuer}:{kind}", n, first, last)
            for issuer, kind, whole, n, first, last in rows if whole or kind is not None]


def _document_spans(con) -> dict[str, list[Span]]:
    return {name: [(first, last)] for name, _n, first, last in _document_groups(con)}


class Spans:
    """Every source's spans, read from the store once (a handful of queries) and looked up by name."""

    def __init__(self, wl) -> None:
        con = wl.store.sql  # DuckDB-dialect SQL on any backend (store/remote.py)
        duck = wl.store.backend == "duckdb"
        self.by_source: dict[str, list[Span]] = {**(_media_spans(con) if duck else _media_spans_portable(con))}
        for name, spans in (("curated", _curated_span(con)), ("unga", _unga_spans(con)),
                            ("unsc", _unsc_span(con))):
            if spans:
                self.by_source[name] = spans
        if wl.store.supports("documents"):
            self.by_source.update(_document_spans(con))

    def get(self, source: str) -> list[Span]:
        return self.by_source.get(source, [])

    def documents(self, issuer: str, kinds: list[str] | tuple[str, ...] = ()) -> list[Span]:
        """Spans of the documents of an issuer, of the given kinds when any are given."""
        if not kinds:
            return self.get(f"documents:{issuer}")
        return merge([s for kind in kinds for s in self.get(f"documents:{issuer}:{kind}")])

    def as_of(self) -> date | None:
        ends = [spans[-1][1] for spans in self.by_source.values() if spans]
        return max(ends) if ends else None


def spans_for(wl, source: str) -> list[Span]:
    """The spans a source covers: `gdelt`, `curated`, `unga`, `unsc`, `documents:CHN`, `documents:CHN:KIND`."""
    return Spans(wl).get(source)


def window_coverage(wl, sources: list[str], since: date, until: date) -> list[dict]:
    """Per source, the share of [since, until] it covers and the last day it holds up to `until`."""
    spans, found = Spans(wl), []
    for source in sources:
        held = [(a, min(b, until)) for a, b in spans.get(source) if a <= until]
        found.append({"source": source, "fraction": round(covered_fraction(held, since, until), 3),
                      "days_covered": covered_days(held, since, until), "days": (until - since).days + 1,
                      "last": held[-1][1].isoformat() if held else None})
    return found


def data_as_of(wl) -> date | None:
    """The latest date the store covers, over all sources; None for an empty store."""
    return Spans(wl).as_of()


# the report ----------------------------------------------------------------------------------------
def _kind(source: str) -> str:
    if source == "curated":
        return "timeline"
    if source in ("unga", "unsc"):
        return "votes"
    return "documents" if source.startswith("documents:") else "events"


def _rows(con) -> dict[str, int]:
    counts = dict(con.execute("SELECT dataset, count(*) FROM events GROUP BY dataset").fetchall())
    counts.update(con.execute("SELECT body, count(*) FROM decisions GROUP BY body").fetchall())
    counts.update({name: n for name, n, _first, _last in _document_groups(con)})
    return counts


def _files(con) -> dict[str, int]:
    return dict(con.execute("SELECT dataset, count(*) FROM provenance GROUP BY dataset").fetchall())


def _unga_sessions(con) -> list[int]:
    return [s for (s,) in con.execute("""SELECT DISTINCT session FROM decisions WHERE body = 'unga'
        AND session IS NOT NULL ORDER BY 1""").fetchall()]


def _entry(source: str, spans: list[Span], rows: int, files: dict[str, int], sessions: list[int]) -> dict:
    kind = _kind(source)
    entry = {"source": source, "kind": kind, "since": spans[0][0].isoformat(), "until": spans[-1][1].isoformat(),
             "days_covered": covered_days(spans, spans[0][0], spans[-1][1]),
             "spans": [[a.isoformat(), b.isoformat()] for a, b in spans],
             "gaps": [[a.isoformat(), b.isoformat()] for a, b in gaps(spans)], "rows": rows,
             "note": NOTES["unga" if source == "unga" else "unsc" if source == "unsc" else kind]}
    if kind == "events":
        entry["files"] = files.get(source, 0)
    if source == "unga" and sessions:
        entry["sessions"] = [sessions[0], sessions[-1]]
    return entry


def coverage(wl) -> dict:
    """{"as_of": DATE, "sources": [{"source", "kind", "since", "until", "days_covered", "spans", "gaps",
    "rows", "note", ...}]} for every source in the store."""
    spans, con = Spans(wl), wl.store.con
    rows, files, sessions = _rows(con), _files(con), _unga_sessions(con)
    as_of = spans.as_of()
    return {"as_of": as_of.isoformat() if as_of else None,
            "sources": [_entry(name, s, rows.get(name, 0), files, sessions)
                        for name, s in spans.by_source.items() if s]}
