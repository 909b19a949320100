"""The signpost board, its history, the scenarios and the ACH matrix, as plain data."""

from __future__ import annotations

import json
from datetime import date, timedelta

from weaklink.errors import InvalidArgument
from weaklink.indicators.exchanges import period_end, period_grid
from weaklink.signposts import ach
from weaklink.signposts.evaluate import evaluate


def _last_record(con, signpost_id: str, as_of: date) -> tuple | None:
    rows = con.execute("""SELECT status, as_of FROM signpost_history WHERE signpost_id = ? AND as_of <= ?
        ORDER BY as_of DESC, evaluated_at DESC LIMIT 1""", [signpost_id, as_of]).fetchall()
    return rows[0] if rows else None


def _record(con, signpost_id: str, as_of: date, outcome) -> None:
    """Store the status when it differs from the last stored one: the table holds the changes."""
    last = _last_record(con, signpost_id, as_of)
    if last is None or last[0] != outcome.status:
        evidence = json.dumps(outcome.evidence, default=str)
        con.execute("INSERT INTO signpost_history (signpost_id, as_of, status, detail, evidence) "
                    "VALUES (?, ?, ?, ?, ?)", [signpost_id, as_of, outcome.status, outcome.detail, evidence])


def evaluate_all(wl, as_of: date | None = None, record: bool = True) -> list[dict]:
    """Every signpost's status as of a date (default today), stored in the history when it changed."""
    as_of = as_of or date.today()
    board = []
    for signpost in wl.watch.signposts:
        since = as_of - timedelta(days=signpost.window_days - 1)
        outcome = evaluate(wl, signpost.rule, since, as_of)
        if record:
            _record(wl.store.con, signpost.id, as_of, outcome)
        last = _last_record(wl.store.con, signpost.id, as_of)
        board.append({"id": signpost.id, "question": signpost.question, "status": outcome.status,
                      "since": last[1].isoformat() if last and last[0] == outcome.status else None,
                      "window": {"since": since.isoformat(), "until": as_of.isoformat()},
                      "detail": outcome.detail, "evidence": outcome.evidence})
    return board


def replay(wl, start: date, end: date, freq: str = "quarter") -> list[dict]:
    """Evaluate at the end of every period from start to end, building the history; the last board."""
    if end < start:
        raise InvalidArgument(f"replay end {end} is before its start {start}")
    board = []
    for period_start in period_grid(start, end, freq):
        board = evaluate_all(wl, min(period_end(period_start, freq), end))
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
    as_of = max((date.fromisoformat(s["window"]["until"]) for s in board), default=date.today())
    recent = (as_of - timedelta(days=recent_days)).isoformat()
    report = []
    for scenario in wl.watch.scenarios:
        items = [status[i] for i in scenario.signposts if i in status]
        report.append({"id": scenario.id, "title": scenario.title, "signposts": len(items),
                       "seen": [s["id"] for s in items if s["status"] == "seen"],
                       "emerging": [s["id"] for s in items if s["status"] == "emerging"],
                       "moved_recently": [{"id": s["id"], "status": s["status"], "since": s["since"]}
                                          for s in items if s["since"] and s["since"] >= recent]})
    return report


# ACH ---------------------------------------------------------------------------------------------
def _toward_neutral(ratings: dict[str, str]) -> dict[str, str]:
    step = {"CC": "C", "C": "N", "N": "N", "I": "N", "II": "I"}
    return {h: step[r] for h, r in ratings.items()}


def current_rating(item, board: dict[str, dict], hypotheses: list[str]) -> tuple[dict[str, str], str]:
    """The item's ratings now, and why: bound evidence follows its signpost's status."""
    if not item.signpost:
        return dict(item.ratings), "rated by the watch file's author"
    signpost = board.get(item.signpost)
    status = signpost["status"] if signpost else "not_seen"
    since = f" since {signpost['since']}" if signpost and signpost.get("since") else ""
    if status == "seen":
        ratings = dict(item.ratings)
    elif status == "emerging":
        ratings = dict(item.when_emerging or _toward_neutral(item.ratings))
    else:
        ratings = dict(item.when_not_seen or {h: "N" for h in hypotheses})
    return ratings, f"signpost {item.signpost} is {status.replace('_', ' ')}{since}: ratings for '{status}'"


def ach_matrix(wl, board: list[dict]) -> dict:
    """Hypotheses with Heuer inconsistency and posterior, the rated evidence, and the sensitivity list."""
    hypotheses = [h.id for h in wl.watch.hypotheses]
    by_id = {s["id"]: s for s in board}
    rows, evidence = [], []
    for item in wl.watch.evidence:
        ratings, why = current_rating(item, by_id, hypotheses)
        weight = ach.WEIGHT[item.credibility] * ach.WEIGHT[item.relevance]
        rows.append(ach.Row(item.id, weight, ratings))
        evidence.append({"id": item.id, "title": item.title, "credibility": item.credibility,
                         "relevance": item.relevance, "weight": round(weight, 3), "signpost": item.signpost,
                         "ratings": ratings, "basis": why, "source": item.source})
    scores, post = ach.inconsistency(rows, hypotheses), ach.posterior(rows, hypotheses)
    order = ach.ranking(scores)
    return {"hypotheses": [{"id": h.id, "title": h.title, "inconsistency": scores[h.id], "posterior": post[h.id],
                            "rank": order.index(h.id) + 1} for h in wl.watch.hypotheses],
            "evidence": evidence, "sensitivity": ach.sensitivity(rows, hypotheses),
            "leading": order[0] if order else None}
