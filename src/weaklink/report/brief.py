"""Everything a briefing shows, as plain data computed through the API. Renderers add no numbers."""

from __future__ import annotations

from datetime import date, timedelta

from weaklink.cohesion import default_window
from weaklink.report import figures

CITATIONS = {
    "gdelt": "Leetaru, Kalev and Philip A. Schrodt (2013). GDELT: Global Data on Events, Location and Tone, "
             "1979-2012. ISA Annual Convention. The GDELT Project, https://www.gdeltproject.org/.",
    "curated": "weaklink curated timeline of the China-DPRK-Russia relationship and the ROK-US-Japan side "
               "(each entry with its own sources, listed in the tables).",
    "unga": "Voeten, Erik, Anton Strezhnev and Michael Bailey (2009). United Nations General Assembly Voting Data. "
            "Harvard Dataverse, hdl:1902.1/12379.",
    "unsc": "weaklink table of UN Security Council decisions on the DPRK (sources per decision); UN Security "
            "Council veto list, The World Politics Data Lab (2022).",
    "documents": "Statements and documents ingested by the analyst (sources per document).",
}


def _fact(facts: list[dict], value, source: str, fmt: str = "{:.2f}") -> str:
    """Record a number used in the text with the API value it came from; return it formatted."""
    text = fmt.format(value)
    facts.append({"text": text, "value": value, "source": source})
    return text


def _cohesion_sentence(wl, bloc: str, since: date, until: date, facts: list[dict]) -> tuple[str, dict]:
    before = (since - timedelta(days=(until - since).days + 1), since - timedelta(days=1))
    moved = wl.attribution(bloc, before, (since, until))
    old, new = moved["cohesion"]
    if old is None or new is None:
        return f"The {bloc} bloc's cohesion cannot be compared with the previous period: too little data.", moved
    verb = "tightened" if new > old + 0.02 else "loosened" if new < old - 0.02 else "held steady"
    top = max(moved["dyads"], key=lambda d: abs(d["change"] or 0))
    text = (f"The {bloc} bloc {verb}: cohesion {_fact(facts, old, 'attribution.cohesion[0]')} → "
            f"{_fact(facts, new, 'attribution.cohesion[1]')} against the previous period of equal length")
    if top["change"]:
        change = _fact(facts, top["change"], f"attribution.dyads.{top['dyad']}.change", "{:+.2f}")
        text += f", moved most by {top['dyad']} ({change})"
    return text + ".", moved


def _weakest_sentence(weak: dict, facts: list[dict]) -> str:
    level = _fact(facts, round(weak["method"]["level"] * 100), "weakest.method.level", "{}")
    members = {m["actor"]: m for m in weak["members"]}
    lowest = weak["lowest"]
    if lowest is None:
        return "No member's commitment could be measured in this window."
    m, key = members[lowest], f"weakest.members.{lowest}"
    interval = (f"{_fact(facts, m['commitment'], key + '.commitment')} ({level}% interval "
                f"{_fact(facts, m['low'], key + '.low')}–{_fact(facts, m['high'], key + '.high')})")
    if weak["weakest"]:
        text = f"{lowest} is the weakest link: its commitment, {interval}, lies below every other member's"
    else:
        text = (f"No member is clearly the weakest: {lowest} has the lowest commitment, {interval}, but its "
                "interval overlaps another member's")
    central = weak["most_central"]
    if central == lowest:
        text += f"; {central} is also the bloc's most central member"
    elif central:
        text += f"; the most central member is {central}"
    return text + "."


def _signpost_sentence(changed: list[dict], board: list[dict], facts: list[dict]) -> str:
    seen = [s["id"] for s in board if s["status"] == "seen"]
    count = _fact(facts, len(seen), "signposts.seen", "{}")
    total = _fact(facts, len(board), "signposts.total", "{}")
    if not changed:
        return f"No signpost changed status in the period; {count} of {total} are seen."
    moves = ", ".join(f"{s['id']} → {s['status'].replace('_', ' ')}" for s in changed[:4])
    number = _fact(facts, len(changed), "signposts.changed", "{}")
    return f"{number} signpost(s) changed status ({moves}); {count} of {total} are seen."


def _ach_sentence(matrix: dict, facts: list[dict]) -> str:
    ranked = sorted(matrix["hypotheses"], key=lambda h: h["rank"])
    if not ranked:
        return "No hypotheses are declared in the watch file."
    lead, second = ranked[0], ranked[1] if len(ranked) > 1 else None
    firm = "fragile: a single evidence item could change the leading hypothesis" if any(
        s["leader_changes"] for s in matrix["sensitivity"]) else "robust to any single evidence item"
    key = f"ach.hypotheses.{lead['id']}"
    text = (f"The evidence contradicts {lead['id']} ({lead['title']}) least: inconsistency "
            f"{_fact(facts, lead['inconsistency'], key + '.inconsistency')}")
    if second:
        other = _fact(facts, second["inconsistency"], f"ach.hypotheses.{second['id']}.inconsistency")
        text += f" against {other} for {second['id']}"
    return text + f", posterior {_fact(facts, lead['posterior'], key + '.posterior')}; the ranking is {firm}."


def brief_data(wl, bloc: str = "axis", since: date | None = None, until: date | None = None) -> dict:
    """The briefing's content: bottom line, figures, tables and sources for one bloc and window."""
    since, until = default_window(wl, since, until)
    before = {s["id"]: s["status"] for s in wl.signposts(as_of=since - timedelta(days=1))}
    wl.replay_signposts(since, until, "quarter")
    board = wl.signposts(as_of=until)
    changed = [s for s in board if s["status"] != before.get(s["id"])]
    weak, matrix = wl.weakest(bloc, since, until), wl.ach(as_of=until)
    alerts = [a for a in wl.alerts(freq="month", until=until) if since.isoformat() <= a["period"] <= until.isoformat()]
    facts: list[dict] = []
    cohesion_text, moved = _cohesion_sentence(wl, bloc, since, until, facts)
    bluf = [cohesion_text, _weakest_sentence(weak, facts), _signpost_sentence(changed, board, facts),
            _ach_sentence(matrix, facts)]
    members = wl.watch.bloc(bloc).members
    return {
        "title": f"{wl.watch.bloc(bloc).name or bloc}: situation {since.isoformat()} to {until.isoformat()}",
        "bloc": bloc, "window": {"since": since.isoformat(), "until": until.isoformat()},
        "bluf": bluf, "facts": facts, "weakest": weak, "attribution": moved, "signposts": board,
        "changed": changed, "ach": matrix, "alerts": alerts[:12],
        "timeline": wl.timeline(members, since=since, until=until).to_records()
                    or wl.timeline(since=since, until=until).to_records()[:40],
        "figures": figures.all_figures(wl, bloc, members, since, until, weak, alerts),
        "sources": sources(wl), "generated": date.today().isoformat(),
    }


def sources(wl) -> dict:
    """Files behind the store (with sha256 and ingest date), each dataset's vintage, and citations."""
    con = wl.store.con
    files = con.execute("""SELECT dataset, path, sha256, rows_stored, CAST(finished_at AS DATE) FROM provenance
        ORDER BY dataset, path""").fetchall()
    vintage = con.execute("""
        SELECT dataset, min(event_date), max(event_date), count(*) FROM events GROUP BY dataset
        UNION ALL SELECT body, min(date), max(date), count(*) FROM decisions GROUP BY body
        UNION ALL SELECT 'documents', min(date), max(date), count(*) FROM documents HAVING count(*) > 0
        ORDER BY 1""").fetchall()
    return {"files": [{"dataset": d, "path": p, "sha256": s, "rows": n, "ingested": str(i)} for d, p, s, n, i in files],
            "vintage": [{"dataset": d, "first": str(a), "last": str(b), "rows": n} for d, a, b, n in vintage],
            "citations": {d: c for d, c in CITATIONS.items() if any(v[0] == d for v in vintage)}}
