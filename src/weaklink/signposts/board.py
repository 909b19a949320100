"""The signpost board, its history, the scenarios and the ACH matrix, as plain data.

Everything is dated by the data: without an explicit date, the evaluation date is the latest day the
store covers (`coverage.data_as_of`), stated in every output as `as_of`.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from weaklink.coverage import Spans
from weaklink.errors import InvalidArgument
from weaklink.indicators.exchanges import period_end, period_grid
from weaklink.messages import Day, Listing, Term
from weaklink.messages import message as _
from weaklink.signposts import ach
from weaklink.signposts.evaluate import Context, evaluate


def evaluation_date(wl, as_of: date | None = None, spans: Spans | None = None) -> date:
    """The date asked for, else the latest day the data cover (today only for an empty store)."""
    return as_of or (spans or Spans(wl)).as_of() or date.today()


def _last_record(con, signpost_id: str, as_of: date) -> tuple | None:
    rows = con.execute("""SELECT status, as_of FROM signpost_history WHERE signpost_id = ? AND as_of <= ?
        ORDER BY as_of DESC, evaluated_at DESC LIMIT 1""", [signpost_id, as_of]).fetchall()
    return rows[0] if rows else None


def _since(con, signpost_id: str, as_of: date, status: str) -> str | None:
    """The first date of the latest unbroken run of `status` in the history up to as_of (records in date
    order, whichever order they were evaluated in)."""
    rows = con.execute("""SELECT as_of, status FROM signpost_history WHERE signpost_id = ? AND as_of <= ?
        ORDER BY as_of, evaluated_at""", [signpost_id, as_of]).fetchall()
    since = None
    for day, recorded in reversed(rows):
        if recorded != status:
            break
        since = day
    return since.isoformat() if since else None


def _record(con, signpost_id: str, as_of: date, outcome) -> None:
    """Store the status when it differs from the last stored one: the table holds the changes."""
    last = _last_record(con, signpost_id, as_of)
    if last is None or last[0] != outcome.status:
        evidence = json.dumps(outcome.evidence, default=str)
        con.execute("INSERT INTO signpost_history (signpost_id, as_of, status, detail, evidence) "
                    "VALUES (?, ?, ?, ?, ?)", [signpost_id, as_of, outcome.status, str(outcome.detail), evidence])


def evaluate_all(wl, as_of: date | None = None, record: bool = True, ctx: Context | None = None) -> list[dict]:
    """Every signpost's status as of a date (default: the data's), stored in the history when it changed."""
    ctx = ctx or Context(wl)
    data_day = ctx.spans.as_of()
    # what dates the board: the date asked for, else the data's last day; only a store with no data at all is
    # evaluated as of today, and such a board is not recorded in the history (it rests on nothing)
    dated_by = "request" if as_of else "data" if data_day else "clock"
    as_of = as_of or data_day or date.today()
    record = record and dated_by != "clock"
    board = []
    for signpost in wl.watch.signposts:
        since = as_of - timedelta(days=signpost.window_days - 1)
        outcome = evaluate(wl, signpost.rule, since, as_of, ctx)
        if record:
            _record(wl.store.con, signpost.id, as_of, outcome)
        board.append({"id": signpost.id, "question": signpost.question, "status": outcome.status,
                      "coverage": None if outcome.coverage is None else round(outcome.coverage, 3),
                      "as_of": as_of.isoformat(), "dated_by": dated_by,
                      "since": _since(wl.store.con, signpost.id, as_of, outcome.status),
                      "window": {"since": since.isoformat(), "until": as_of.isoformat()},
                      "detail": outcome.detail, "missing": outcome.missing, "evidence": outcome.evidence})
    return board


def counts(board: list[dict]) -> dict[str, int]:
    """Signposts per status: seen, emerging, not_seen, no_data."""
    return {status: sum(s["status"] == status for s in board) for status in ach.STATUSES}


def replay(wl, start: date, end: date | None = None, freq: str = "quarter") -> list[dict]:
    """Evaluate at the end of every period from start to end (default: the data's last day), building the
    history; the last board."""
    ctx = Context(wl)
    end = evaluation_date(wl, end, ctx.spans)
    if end < start:
        raise InvalidArgument(f"replay end {end} is before its start {start}")
    board = []
    for period_start in period_grid(start, end, freq):
        board = evaluate_all(wl, min(period_end(period_start, freq), end), ctx=ctx)
    return board


def history(wl, signpost_id: str) -> list[dict]:
    rows = wl.store.con.execute("""SELECT as_of, status, detail, evidence FROM signpost_history
        WHERE signpost_id = ? ORDER BY as_of, evaluated_at""", [signpost_id]).fetchall()
    return [{"as_of": a.isoformat(), "status": s, "detail": d, "evidence": json.loads(e) if e else []}
            for a, s, d, e in rows]


def changed_since(board: list[dict], day: date) -> list[dict]:
    return [s for s in board if s["since"] and s["since"] >= day.isoformat()]


def scenarios(wl, board: list[dict], recent_days: int = 90) -> list[dict]:
    """Per scenario: how many of its signposts are seen or emerging, and which moved recently."""
    status = {s["id"]: s for s in board}
    as_of = max((date.fromisoformat(s["as_of"]) for s in board), default=date.today())
    recent = (as_of - timedelta(days=recent_days)).isoformat()
    report = []
    for scenario in wl.watch.scenarios:
        items = [status[i] for i in scenario.signposts if i in status]
        report.append({"id": scenario.id, "title": scenario.title, "signposts": len(items),
                       "seen": [s["id"] for s in items if s["status"] == "seen"],
                       "emerging": [s["id"] for s in items if s["status"] == "emerging"],
                       "no_data": [s["id"] for s in items if s["status"] == "no_data"],
                       "moved_recently": [{"id": s["id"], "status": s["status"], "since": s["since"]}
                                          for s in items if s["since"] and s["since"] >= recent]})
    return report


# ACH ---------------------------------------------------------------------------------------------
def _toward_neutral(ratings: dict[str, str]) -> dict[str, str]:
    step = {"CC": "C", "C": "N", "N": "N", "I": "N", "II": "I"}
    return {h: step[r] for h, r in ratings.items()}


def ratings_for(item, status: str, hypotheses: list[str]) -> dict[str, str] | None:
    """A bound item's ratings under a status of its signpost; None when it has no data (left out)."""
    if status == "seen":
        return dict(item.ratings)
    if status == "emerging":
        return dict(item.when_emerging or _toward_neutral(item.ratings))
    if status == "no_data":
        return None
    return dict(item.when_not_seen or {h: "N" for h in hypotheses})


def current_rating(item, board: dict[str, dict], hypotheses: list[str]) -> tuple[dict[str, str] | None, str]:
    """The item's ratings now (None: left out), and why: bound evidence follows its signpost's status."""
    if not item.signpost:
        return dict(item.ratings), _("rated by the watch file's author")
    signpost = board[item.signpost]
    status = signpost["status"]
    since = _(" since %(day)s", day=Day(signpost["since"])) if signpost.get("since") else ""
    if status == "no_data":
        missing = Listing(", ", [f"{m['source']} {m['coverage']:.0%}" for m in signpost.get("missing", [])])
        coverage = _(" (coverage: %(missing)s)", missing=missing) if missing else ""
        return None, _("signpost %(signpost)s has no data%(since)s%(coverage)s", signpost=item.signpost, since=since,
                       coverage=coverage)
    return ratings_for(item, status, hypotheses), \
        _("signpost %(signpost)s is %(status)s%(since)s: ratings for '%(key)s'", signpost=item.signpost,
          status=Term(status, status.replace("_", " ")), since=since, key=Term(status))


def _weight(item) -> float:
    return ach.WEIGHT[item.credibility] * ach.WEIGHT[item.relevance]


def _sort_items(wl, by_id: dict, as_of: date, hypotheses: list[str]):
    """Scored rows with their display entries, and the excluded items with the reason."""
    rows, evidence, excluded = [], [], []
    for item in wl.watch.evidence:
        base = {"id": item.id, "title": item.title, "signpost": item.signpost,
                "date": item.date.isoformat() if item.date else None}
        if item.date and item.date > as_of:
            excluded.append({**base, "reason": _("counts from %(day)s, after %(as_of)s", day=Day(item.date.isoformat()),
                                                 as_of=Day(as_of.isoformat()))})
            continue
        ratings, why = current_rating(item, by_id, hypotheses)
        if ratings is None:
            excluded.append({**base, "reason": why})
            continue
        rows.append(ach.Row(item.id, _weight(item), ratings))
        evidence.append({**base, "credibility": item.credibility, "relevance": item.relevance,
                         "weight": round(_weight(item), 3), "ratings": ratings, "basis": why, "source": item.source})
    non_diagnostic = set(ach.non_diagnostic(rows, hypotheses))
    for entry in evidence:
        entry["diagnostic"] = entry["id"] not in non_diagnostic
    return rows, evidence, excluded


def _status_model(wl, by_id: dict, as_of: date, hypotheses: list[str], rows: list) -> tuple:
    """Rows fixed whatever the signposts say, and the bound items that move with them."""
    dated = [i for i in wl.watch.evidence if not (i.date and i.date > as_of)]
    bound = [ach.Bound(i.id, _weight(i), i.signpost, {s: ratings_for(i, s, hypotheses) for s in ach.STATUSES})
             for i in dated if i.signpost]
    fixed = [r for r in rows if r.id not in {b.id for b in bound}]
    status = {b.signpost: by_id[b.signpost]["status"] for b in bound}
    return ach.StatusModel(fixed, bound, status, hypotheses), bound


def ach_matrix(wl, board: list[dict], as_of: date | None = None) -> dict:
    """Hypotheses with Heuer inconsistency and posterior, the rated and the excluded evidence, the leaders
    (every hypothesis tied for the lowest score) and the sensitivity analysis, as of the board's date."""
    hypotheses = [h.id for h in wl.watch.hypotheses]
    by_id = {s["id"]: s for s in board}
    as_of = as_of or max((date.fromisoformat(s["as_of"]) for s in board), default=None) or evaluation_date(wl)
    rows, evidence, excluded = _sort_items(wl, by_id, as_of, hypotheses)
    scores, post = ach.inconsistency(rows, hypotheses), ach.posterior(rows, hypotheses)
    rank, leaders = ach.ranks(scores), ach.leaders(scores)
    model, bound = _status_model(wl, by_id, as_of, hypotheses, rows)
    return {"as_of": as_of.isoformat(),
            "hypotheses": [{"id": h.id, "title": h.title, "score": scores[h.id], "inconsistency": scores[h.id],
                            "posterior": post[h.id], "rank": rank[h.id]} for h in wl.watch.hypotheses],
            "leaders": leaders, "leading": leaders[0] if len(leaders) == 1 else None,
            "evidence": evidence, "excluded": excluded,
            "sensitivity": {"evidence": ach.sensitivity(rows, hypotheses),
                            "signposts": ach.status_sensitivity(model, bound),
                            "smallest_change": ach.smallest_change(model),
                            "non_diagnostic": ach.non_diagnostic(rows, hypotheses)}}
