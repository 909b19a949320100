"""UN Security Council decisions: weaklink's bundled DPRK table and the veto list.

Both are small reference tables (tens to hundreds of rows), so they are parsed with the csv module;
each line becomes one decision (stored, rejected with its reason, or a duplicate of a stored one)
and its members' votes. A permanent member's "no" on a failed draft is a veto.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import pyarrow as pa

from weaklink.ingest.common import ingest_one, store_rejects
from weaklink.ingest.csvread import csv_rows, readable, rejects_table
from weaklink.ingest.summary import FileResult
from weaklink.sources.scan import FileScan
from weaklink.store import Store

DATASET = "unsc"
PERMANENT = ("CHN", "FRA", "GBR", "RUS", "USA")
BUNDLED = "unsc_dprk.csv"
VETO_COLUMNS = {"China": ("CHN", "China"), "France": ("FRA", "France"), "Russia": ("RUS", "Russia"),
                "USSR": ("RUS", "USSR"), "USA": ("USA", "United States"), "UK": ("GBR", "United Kingdom")}


class RowError(ValueError):
    """A line that cannot be stored; the message is the reason."""


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in (text or "").split(";") if c.strip()]


def _int(row: dict, name: str) -> int:
    """A count: digits only (no sign, spaces, '_' or other scripts' digits), at most 9 of them."""
    text = row.get(name)
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{1,9}", text):
        raise RowError(f"{name} is not a whole number >= 0: {text!r}")
    return int(text)


def _iso_date(text: str) -> date:
    try:
        if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise RowError(f"date is not a date (YYYY-MM-DD): {text!r}") from None


def _member_votes(row: dict) -> list[tuple[str, str, bool]]:
    """(state, vote, veto) for each member whose vote the row tells.

    A permanent member's "no" on a failed draft is a veto; the row's `vetoed_by` must say the same.
    """
    voted_no, abstained = _codes(row["voted_no"]), _codes(row["abstained"])
    failed = row["outcome"] == "failed"
    vetoes = {s for s in voted_no if s in PERMANENT} if failed else set()
    if vetoes != set(_codes(row["vetoed_by"])):
        raise RowError(f"vetoed_by {sorted(_codes(row['vetoed_by']))} should be {sorted(vetoes)}: the permanent "
                       "members that voted no on a failed draft")
    members = _codes(row.get("members", "")) or list(dict.fromkeys([*PERMANENT, *voted_no, *abstained]))
    return [(state, "no" if state in voted_no else "abstain" if state in abstained else "yes", state in vetoes)
            for state in members]


def _dprk_decision(row: dict) -> tuple[dict, list[tuple[str, str, bool]], list[str]]:
    if row["kind"] not in ("resolution", "draft") or row["outcome"] not in ("adopted", "failed"):
        raise RowError(f"kind/outcome must be resolution|draft and adopted|failed, got {row['kind']}/{row['outcome']}")
    decision = {"decision_id": row["decision_id"].strip(), "date": _iso_date(row["date"]), "kind": row["kind"],
                "outcome": row["outcome"], "yes": _int(row, "yes"), "no": _int(row, "no"),
                "abstain": _int(row, "abstain"), "title": row["title"], "symbol": row["decision_id"].strip(),
                "sources": row["sources"].split()}
    if not decision["decision_id"]:
        raise RowError("decision_id is empty")
    return decision, _member_votes(row), [t.lower() for t in _codes(row["issues"])]


def _veto_decision(row: dict) -> tuple[dict, list[tuple[str, str, bool]], list[str]]:
    try:
        when = datetime.strptime(row["date"], "%m/%d/%Y").date()
    except (TypeError, ValueError):
        raise RowError(f"date is not a date (M/D/YYYY): {row.get('date')!r}") from None
    named = {row.get(f"member_veto{i}", "").strip() for i in (1, 2, 3)} - {""}
    unknown = named - set(VETO_COLUMNS) - {"United Kingdom", "United States"}
    if unknown:
        raise RowError(f"unknown vetoing member(s): {', '.join(sorted(unknown))}")
    named = {"UK" if n == "United Kingdom" else "USA" if n == "United States" else n for n in named}
    flagged = {column for column in VETO_COLUMNS if row.get(column) == "1"}
    states = dict.fromkeys(VETO_COLUMNS[column][0] for column in sorted(named | flagged))
    votes = [(state, "no", True) for state in states]
    if not votes:
        raise RowError("no permanent member is marked as vetoing")
    draft = row["draft"].strip()
    # Early vetoes fell on proposals without a draft symbol; the list then gives the meeting record,
    # shared by every proposal vetoed at that meeting, so the agenda item tells them apart.
    key = f"{draft} {row['agenda_item'].strip()}" if draft.startswith("S/PV.") else draft
    decision = {"decision_id": key, "date": when, "kind": "draft", "outcome": "failed",
                "title": row["agenda_item"], "symbol": draft,
                "description": f"{row.get('crisis_topic', '')} ({row.get('region', '')}); "
                               f"meeting {row['meeting_record']}"}
    tag = (row.get("crisis_topic") or "").strip().lower().replace(" ", "-")
    return decision, votes, [tag] if tag else []


Parser = Callable[[dict], tuple[dict, list, list[str]]]


class _Batch:
    """Rows of one file, collected and then written in three inserts."""

    def __init__(self) -> None:
        self.decisions: list[dict] = []
        self.votes: list[dict] = []
        self.issues: list[dict] = []
        self.rejects: list[tuple[int, str, str]] = []
        self.seen: set[str] = set()

    def add(self, decision: dict, votes: list, tags: list[str], new: bool) -> None:
        """A new decision is stored whole; for a known one, only votes and tags not yet stored are added."""
        key = decision["decision_id"]
        self.votes += [{"body": DATASET, "decision_id": key, "state": s, "vote": v, "veto": veto}
                       for s, v, veto in votes]
        self.issues += [{"body": DATASET, "decision_id": key, "tag": t} for t in tags]
        if new:
            self.seen.add(key)
            self.decisions.append({"body": DATASET, **decision})


def _stored_ids(store: Store) -> set[str]:
    rows = store.con.execute("SELECT decision_id FROM decisions WHERE body = ?", [DATASET]).fetchall()
    return {r[0] for r in rows}


def _insert(store: Store, table: str, rows: list[dict], file_id: int, key: list[str]) -> None:
    """Insert rows whose key is not yet in the table (first occurrence wins)."""
    if not rows:
        return
    data = pa.Table.from_pylist([{**r, "file_id": file_id} for r in rows])
    store.con.register("wl_batch", data)
    seen = " AND ".join(f"t.{k} = b.{k}" for k in key)
    store.con.execute(f"""INSERT INTO {table} BY NAME SELECT * FROM wl_batch AS b
        WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {seen})
        QUALIFY row_number() OVER (PARTITION BY {', '.join(key)}) = 1""")
    store.con.unregister("wl_batch")


def _reason(exc: Exception) -> str:
    if isinstance(exc, RowError):
        return str(exc)
    if isinstance(exc, KeyError):
        return f"column {exc} is missing on this line"
    return "a column is missing or empty on this line"


def _writer(parse: Parser, required: list[str]):
    def write(store: Store, scan: FileScan, file_id: int) -> FileResult:
        batch = _Batch()
        with readable(store.con, scan) as source:
            rows, batch.rejects = csv_rows(source, required, "UNSC decisions")
        stored_before, read, duplicate = _stored_ids(store), len(rows) + len(batch.rejects), 0
        for row in rows:
            try:
                decision, votes, tags = parse(row.fields)
            except (RowError, KeyError, AttributeError, TypeError) as exc:
                batch.rejects.append((row.line, _reason(exc), row.raw))
                continue
            new = decision["decision_id"] not in stored_before | batch.seen
            duplicate += not new
            batch.add(decision, votes, tags, new)
        for table, rows, key in (("decisions", batch.decisions, ["body", "decision_id"]),
                                 ("votes", batch.votes, ["body", "decision_id", "state"]),
                                 ("decision_issues", batch.issues, ["body", "decision_id", "tag"])):
            _insert(store, table, rows, file_id, key)
        store_rejects(store.con, file_id, scan.path, rejects_table(batch.rejects))
        return FileResult(path=str(scan.path), sha256=scan.sha256, status="ingested", read=read,
                          stored=len(batch.decisions), rejected=len(batch.rejects), duplicate=duplicate)

    return write


DPRK_COLUMNS = ["decision_id", "date", "kind", "outcome", "yes", "no", "abstain", "voted_no", "abstained",
                "vetoed_by", "issues", "title", "sources"]
VETO_LIST_COLUMNS = ["date", "draft", "meeting_record", "agenda_item", *VETO_COLUMNS]


def bundled_table() -> Path:
    return Path(str(resources.files("weaklink.data").joinpath(BUNDLED)))


def ingest_unsc_table(store: Store, path: Path | None = None, force: bool = False) -> FileResult:
    """weaklink's sourced table of UNSC decisions on the DPRK (or one in the same format)."""
    return ingest_one(store, path or bundled_table(), DATASET, "unsc-decisions",
                      _writer(_dprk_decision, DPRK_COLUMNS), force)


def ingest_veto_list(store: Store, path: Path, force: bool = False) -> FileResult:
    """The World Politics Data Lab list of UNSC vetoes (one row per vetoed draft)."""
    return ingest_one(store, path, DATASET, "unsc-vetoes", _writer(_veto_decision, VETO_LIST_COLUMNS), force)
