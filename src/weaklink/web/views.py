"""The data behind every page and JSON endpoint: one function per view, each a thin shell over
`weaklink.api.Weaklink` (the methods the CLI uses) returning plain JSON-able data (str, int, float, bool,
None, ISO dates, lists, dicts). The JSON API returns these dicts as they are; the pages render the same.

Parameters are checked here and bad ones raise `WeaklinkError`s (an unknown actor `UnknownCountry`, a bad
date or value `InvalidArgument`, an unknown document or signpost `NotFound`). Absence is not evidence: a
view with nothing to show says so in `notes` ("no data"), never as a finding.

Expensive views are cached per data version when `wl` carries a `web_cache` (the server's readers do;
weaklink.web.state): the returned objects are then shared, so callers must not change them.
"""

from __future__ import annotations

import functools
import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from weaklink.errors import InvalidArgument
from weaklink.web.errors import NotFound

FREQUENCIES = ("day", "week", "month", "quarter", "year")
LEVELS = ("leader", "minister", "official", "military")
BODIES = ("unga", "unsc")
MAX_LIMIT = 500
RECENT_DAYS = 90     # a signpost whose status changed this many days before the data's last day "changed"
TOP_EVENTS = 10
REJECTS_SHOWN = 200


def plain(value: Any) -> Any:
    """Arrow/DuckDB/numpy values made JSON-able: dates as ISO text, bytes as hex, NaN and infinities as None."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, Decimal):
        return plain(float(value))
    if hasattr(value, "item"):  # numpy scalars
        return plain(value.item())
    if hasattr(value, "to_pylist"):  # Arrow tables and arrays
        return plain(value.to_pylist())
    return str(value)


def cached(func):
    """Cache the view's result per data version when `wl` carries the server's cache."""

    @functools.wraps(func)
    def wrapper(wl, *args, **kwargs):
        cache = getattr(wl, "web_cache", None)
        if cache is None:
            return func(wl, *args, **kwargs)
        key = (func.__name__, plain(list(args)).__repr__(), repr(sorted(plain(kwargs).items())))
        return cache.get(key, lambda: func(wl, *args, **kwargs))

    return wrapper


# checks -------------------------------------------------------------------------------------------
def day(value: date | str | None, name: str = "date") -> date | None:
    """A date given as YYYY-MM-DD (or None)."""
    if value is None or value == "" or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidArgument(f"{name} {value!r} is not a date: use YYYY-MM-DD (e.g. 2024-06-19)") from None


def window(since, until) -> tuple[date | None, date | None]:
    first, last = day(since, "since"), day(until, "until")
    if first and last and first > last:
        raise InvalidArgument(f"since {first} is after until {last}: give a window whose start comes first")
    return first, last


def choice(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if value is not None and value not in allowed:
        raise InvalidArgument(f"unknown {name} {value!r}: use one of {', '.join(allowed)}")
    return value


def doc_id(value) -> int:
    """A stored document's id: a whole number (the web never reads a file by path)."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 12:
        raise InvalidArgument(f"document id {value!r} is not a number: document ids are whole numbers "
                              "(see /api/documents)")
    return int(text)


def _stored_doc(wl, ref) -> int:
    number = doc_id(ref)
    if not wl.store.con.execute("SELECT 1 FROM documents WHERE doc_id = ?", [number]).fetchall():
        raise NotFound(f"no stored document with id {number}: /api/documents lists them")
    return number


def _limit(limit: int) -> int:
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise InvalidArgument(f"limit must be from 1 to {MAX_LIMIT}, not {limit}")
    return int(limit)


def _actor(wl, actor: str) -> str:
    if not actor or not actor.strip():
        raise InvalidArgument("give an actor: an ISO3 code (CHN) or a name (China)")
    return wl.iso3(actor.strip())


# views --------------------------------------------------------------------------------------------
@cached
def overview(wl) -> dict:
    """The store in one view: each bloc's cohesion and weakest link (with intervals), recent alerts, the
    signposts and which changed lately, and what the data cover."""
    coverage = wl.coverage()
    board = signposts(wl)
    if coverage.get("as_of") is None:  # an empty store: every panel says "no data", nothing is computed
        return _empty_overview(wl, coverage, board)
    blocs = []
    for name in wl.watch.blocs:
        weakest = wl.weakest(name)
        blocs.append({"bloc": name, "members": list(wl.watch.bloc(name).members), "weakest": plain(weakest)})
    cohesion = plain(wl.blocs(list(wl.watch.blocs), freq="year").to_pyarrow())
    alerts = plain(wl.alerts(freq="month"))[:20]
    notes = []
    if not alerts:
        notes.append("no alert on the watched dyads: the series show no change point or anomaly that passes the "
                     "watch file's [alerts] rules (which is not evidence that nothing changed)")
    notes += _coverage_notes(coverage)
    return {"store": plain(wl.overview()), "as_of": plain(coverage.get("as_of")), "blocs": blocs,
            "cohesion": cohesion, "alerts": alerts,
            "signposts": {"counts": board["counts"], "changed": board["changed"], "as_of": board["as_of"]},
            "coverage": _coverage_summary(coverage), "notes": notes}


def _empty_overview(wl, coverage: dict, board: dict) -> dict:
    """The overview of a store that holds no data: the same shape, "no data" in every panel (never zeros)."""
    nothing = {"weakest": None, "lowest": None, "members": [], "components": [], "window": None,
               "summary": "no data: the store holds no data to weigh the members on"}
    blocs = [{"bloc": name, "members": list(wl.watch.bloc(name).members), "weakest": dict(nothing)}
             for name in wl.watch.blocs]
    return {"store": plain(wl.overview()), "as_of": None, "blocs": blocs, "cohesion": [], "alerts": [],
            "signposts": {"counts": board["counts"], "changed": [], "as_of": None},
            "coverage": _coverage_summary(coverage), "notes": _coverage_notes(coverage)}


def _coverage_summary(coverage: dict) -> list[dict]:
    return [{k: plain(v) for k, v in source.items() if k not in ("spans", "gaps")} for source in
            coverage.get("sources", [])]


CORE_SOURCES = {"gdelt": "GDELT events", "curated": "the curated timeline", "unga": "UN General Assembly votes",
                "unsc": "UN Security Council votes"}


def _coverage_notes(coverage: dict) -> list[str]:
    """Say which sources the store has no data from: what rests on them is missing, not zero."""
    if coverage.get("as_of") is None:
        return ["no data: the store is empty (weaklink demo or weaklink ingest fills it)"]
    held = {s.get("source") for s in coverage.get("sources", []) if s.get("days_covered")}
    return [f"no data from {label} ({name}): what rests on it is missing, not zero"
            for name, label in CORE_SOURCES.items() if name not in held]


@cached
def dyad(wl, a: str, b: str, freq: str = "month", since=None, until=None) -> dict:
    """The event series of two actors with its alerts, the quad classes per period and the most reported events
    (with their URLs)."""
    from weaklink.changes import dyad_alerts

    a3, b3 = _actor(wl, a), _actor(wl, b)
    choice(freq, FREQUENCIES, "frequency")
    first, last = window(since, until)
    rows = plain(wl.dyads(a3, b3, freq=freq, since=first, until=last).to_pyarrow())
    quads = [{"period": r["period"], "verbal_coop": r["verbal_coop"], "material_coop": r["material_coop"],
              "verbal_conflict": r["verbal_conflict"], "material_conflict": r["material_conflict"]} for r in rows]
    active = [r["period"] for r in rows if r["events"]]
    alerts = plain(dyad_alerts(wl, a3, b3, freq, first, last, False))
    top = []
    if active:
        top_since = first or date.fromisoformat(active[0])
        top_until = last or _period_end(date.fromisoformat(active[-1]), freq)
        top = plain(wl.top_events(a3, b3, top_since, top_until, limit=TOP_EVENTS))
    notes = [] if active else [f"no data: no stored event between {a3} and {b3} in this window"]
    return {"a": a3, "b": b3, "freq": freq, "since": plain(first), "until": plain(last), "series": rows,
            "quads": quads, "alerts": alerts, "top_events": top, "notes": notes}


def _period_end(start: date, freq: str) -> date:
    days = {"day": 1, "week": 7, "month": 31, "quarter": 92, "year": 366}[freq]
    return start + timedelta(days=days - 1)


@cached
def timeline(wl, actor: str | None = None, kind: str | None = None, level: str | None = None, since=None,
             until=None) -> dict:
    """Curated timeline entries, filtered; `sources` as a list of URLs."""
    actors = [_actor(wl, actor)] if actor else None
    choice(level, LEVELS, "level")
    first, last = window(since, until)
    rows = plain(wl.timeline(actors, kind=kind or None, level=level, since=first, until=last).to_pyarrow())
    for row in rows:
        row["actors"] = [x for x in (row["actors"] or "").split(";") if x]
        row["sources"] = [x for x in (row["sources"] or "").split() if x]
    notes = [] if rows else ["no data: no curated entry matches these filters"]
    return {"filters": {"actor": actors[0] if actors else None, "kind": kind or None, "level": level,
                        "since": plain(first), "until": plain(last)}, "entries": rows, "notes": notes}


@cached
def votes(wl, body: str = "unga", since=None, until=None) -> dict:
    """Voting alignment of every pair of watched actors over the window (one query for all pairs), and the
    splits of the watched dyads. A pair that never voted on the same decision is in both, marked "no data"
    (`votes: 0`, the scores null, a note): nothing to align is not disagreement."""
    choice(body, BODIES, "body")
    first, last = window(since, until)
    actors = [x.id for x in wl.watch.actors]
    dyads = wl.watch.dyads.watch
    everyone = list(dict.fromkeys(actors + [x for pair in dyads for x in pair]))
    found = wl.vote_matrix(everyone, body=body, since=first, until=last)
    matrix = []
    for i, a in enumerate(actors):
        for b in actors[i + 1:]:
            row = _pair(wl, found, a, b)
            matrix.append({"a": a, "b": b, **({**plain(row), "note": None} if row else _no_joint_votes(a, b, body))})
    splits = [_splits(wl, a, b, body, first, last, _pair(wl, found, a, b)) for a, b in dyads]
    notes = [] if any(r.get("votes") for r in matrix) else \
        [f"no data: no {body.upper()} vote cast by two watched states in this window"]
    return {"body": body, "since": plain(first), "until": plain(last), "actors": actors, "matrix": matrix,
            "splits": splits, "notes": notes}


def _no_joint_votes(a: str, b: str, body: str) -> dict:
    return {"votes": 0, "identical": None, "agreement": None, "coincidence": None, "kappa": None,
            "note": f"no data: {a} and {b} never voted on the same {body.upper()} decision in this window"}


def _pair(wl, found: dict, a: str, b: str) -> dict | None:
    a3, b3 = wl.iso3(a), wl.iso3(b)
    return found.get((a3, b3)) or found.get((b3, a3))


def _splits(wl, a: str, b: str, body: str, first, last, joint: dict | None) -> dict:
    """The decisions on which a watched pair split; "no data" when the two never voted on the same decision."""
    a3, b3 = wl.iso3(a), wl.iso3(b)
    if not joint:
        return {"a": a3, "b": b3, "decisions": [], "notes": [_no_joint_votes(a3, b3, body)["note"]]}
    result = wl.vote_splits(a, b, body=body, since=first, until=last)
    return {"a": result.meta["a"], "b": result.meta["b"], "decisions": plain(result.to_pyarrow()),
            "notes": [p["note"] for p in plain(result.meta["predecessors"])]}


@cached
def documents(wl, q: str | None = None, issuer: str | None = None, since=None, until=None, limit: int = 50) -> dict:
    """Stored documents, newest first (metadata only), or with `q` those a full-text search ranks highest."""
    limit = _limit(limit)
    first, last = window(since, until)
    who = _actor(wl, issuer) if issuer else None
    if q is not None and q.strip():
        hits = plain(wl.search(q, issuer=who, since=first, until=last, limit=limit))
        return {"query": q, "total": len(hits), "documents": hits,
                "notes": [] if hits else [f"no document matches {q!r}"]}
    table = wl.documents(issuer=who, since=first, until=last).drop_columns(["text"])
    rows = plain(table.to_pylist())[::-1]
    return {"query": None, "total": len(rows), "documents": rows[:limit],
            "notes": [] if rows else ["no data: no stored document matches these filters"]}


@cached
def document(wl, ref) -> dict:
    """A stored document's text with its actor mentions and framing terms as character offsets into `text`
    (the page escapes the text and marks the spans; nothing here is HTML)."""
    number = _stored_doc(wl, ref)
    doc = wl.document(number)
    text = doc["text"] or ""
    spans = []
    for actor, found in wl.mentions(number)["mentions"].items():
        spans += [{"start": h["start"], "end": h["end"], "kind": "mention", "actor": actor,
                   "category": h["category"], "term": None} for h in found["hits"]]
    for hit in wl._lex().matcher.find(text):
        if hit.key[0] in ("relationship", "stance"):
            spans.append({"start": hit.start, "end": hit.end, "kind": "framing", "actor": None,
                          "category": hit.key[0], "term": hit.key[1]})
    spans.sort(key=lambda s: (s["start"], s["end"]))
    meta = plain({k: v for k, v in doc.items() if k != "text"})
    return {**meta, "text": text, "spans": spans, "terms": plain(wl.terms(number)["terms"])}


@cached
def compare(wl, a, b) -> dict:
    """Two stored documents compared: framing terms and mentions gained and lost, sentences added, removed
    and rewritten."""
    old, new = _stored_doc(wl, a), _stored_doc(wl, b)
    if old == new:
        raise InvalidArgument(f"a and b are the same document ({old}): compare two different documents")
    return plain(wl.compare(old, new))


@cached
def signposts(wl) -> dict:
    """The signpost board: each status with its coverage, evidence and since when it holds."""
    from weaklink.signposts.board import counts

    board = plain(wl.signposts(record=False))
    as_of = board[0]["as_of"] if board else None
    recent = (date.fromisoformat(as_of) - timedelta(days=RECENT_DAYS)).isoformat() if as_of else None
    changed = [s["id"] for s in board if recent and s.get("since") and s["since"] >= recent]
    notes = [f"{s['id']}: no data — {s['detail']}" for s in board if s["status"] == "no_data"]
    return {"as_of": as_of, "counts": counts(board), "changed": changed, "signposts": board, "notes": notes}


@cached
def signpost(wl, signpost_id: str) -> dict:
    """One signpost with its rule, evidence and status history."""
    spec = next((s for s in wl.watch.signposts if s.id == signpost_id), None)
    if spec is None:
        raise NotFound(f"no signpost {signpost_id!r}; signposts: {', '.join(s.id for s in wl.watch.signposts)}")
    from weaklink.signposts.board import history

    # as wl.signpost(id, record=False), on the board already evaluated (and cached) for /api/signposts
    current = next(s for s in signposts(wl)["signposts"] if s["id"] == signpost_id)
    return plain({**current, "rule": spec.rule.model_dump(exclude_none=True), "note": spec.note,
                  "history": history(wl, signpost_id)})


@cached
def ach(wl) -> dict:
    """The ACH matrix (inconsistency and posterior per hypothesis, rated and excluded evidence) and its
    sensitivity, with the ratings edited through the web (weaklink.web.ratings)."""
    from weaklink.web.ratings import overrides

    from weaklink.signposts.board import ach_matrix

    # as wl.ach(record=False), on the board already evaluated (and cached) for /api/signposts
    board = signposts(wl)
    matrix = plain(ach_matrix(wl, board["signposts"], day(board["as_of"])))
    matrix["overrides"] = overrides(wl)
    matrix["notes"] = [f"{e.get('id')}: left out — {e.get('reason')}" for e in matrix.get("excluded", [])]
    return matrix


@cached
def sources(wl) -> dict:
    """Provenance of every ingested file, the rejected lines (the first ones) and the coverage per source."""
    files = plain(wl.sources().to_pyarrow())
    rejected = wl.store.con.execute("SELECT count(*) FROM rejects").fetchall()[0][0]
    rejects = plain(wl.rejects(limit=REJECTS_SHOWN).to_pyarrow())
    coverage = plain(wl.coverage())
    notes = [] if files else ["no data: nothing has been ingested (weaklink demo or weaklink ingest)"]
    return {"files": files, "rejects": {"total": rejected, "shown": len(rejects), "lines": rejects},
            "coverage": coverage, "notes": notes + _coverage_notes(coverage)}


def briefs(wl) -> dict:
    """The briefings generated through the web (newest first), each downloadable from /api/briefs/{name}."""
    folder = briefs_folder(wl)
    files = sorted((p for p in folder.glob("*") if p.suffix in (".html", ".pdf")) if folder.is_dir() else [],
                   key=lambda p: p.stat().st_mtime, reverse=True)
    return {"briefs": [{"name": p.name, "bytes": p.stat().st_size, "format": p.suffix[1:],
                        "created": datetime.fromtimestamp(p.stat().st_mtime).isoformat(timespec="seconds"),
                        "url": f"/api/briefs/{p.name}"} for p in files],
            "notes": [] if files else ["no briefing generated yet (POST /api/briefs, with writes allowed)"]}


def briefs_folder(wl) -> Path:
    """Where the server keeps the briefings it generates: `<store>.briefs/`."""
    return store_side_folder(wl, "briefs")


def store_side_folder(wl, name: str) -> Path:
    """A folder beside the store file (`<store>.<name>/`; in the temporary folder for an in-memory store)."""
    path = wl.store.path
    if path == ":memory:":
        import os
        import tempfile

        return Path(tempfile.gettempdir()) / f"weaklink-{os.getpid()}-{name}"
    return Path(f"{path}.{name}")
