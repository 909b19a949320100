"""Everything a briefing shows, as plain data computed through the API. Renderers add no numbers."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import PurePath

from weaklink.cohesion import default_window
from weaklink.coverage import Spans, covered_days, covered_fraction
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


def _media_span(wl, spans: Spans, windows: list[tuple[date, date]], facts: list[dict]) -> str:
    """' (media-coded events: gdelt covers 7 of the 365 days of the earlier window and 19 of the 365 of this
    one, the last on 2025-02-10)': what a media-based sentence rests on, every number recorded as a fact."""
    clauses = []
    for dataset in wl.watch.cohesion.datasets:
        counted = []
        for since, until in windows:
            key = f"{since.isoformat()}.{until.isoformat()}"
            days = _fact(facts, covered_days(spans.get(dataset), since, until), f"coverage.{dataset}.{key}", "{}")
            counted.append(f"{days} of the {_fact(facts, (until - since).days + 1, f'coverage.days.{key}', '{}')}")
        text = f"{dataset} covers {counted[0]} days" + (
            f" of the earlier window and {counted[1]} of this one" if len(counted) > 1 else " of the window")
        if spans.get(dataset):
            last = spans.get(dataset)[-1][1].isoformat()
            text += f", the last on {_fact(facts, last, f'coverage.{dataset}.until', '{}')}"
        clauses.append(text)
    return f" (media-coded events: {'; '.join(clauses)})" if clauses else ""


def _cohesion_sentence(wl, bloc: str, since: date, until: date, spans: Spans, facts: list[dict]) -> tuple[str, dict]:
    before = (since - timedelta(days=(until - since).days + 1), since - timedelta(days=1))
    moved = wl.attribution(bloc, before, (since, until))
    old, new = moved["cohesion"]
    media = _media_span(wl, spans, [before, (since, until)], facts)
    if old is None or new is None:
        return (f"The {bloc} bloc's cohesion cannot be compared with the previous period: too little data"
                f"{media}."), moved
    verb = "tightened" if new > old + 0.02 else "loosened" if new < old - 0.02 else "held steady"
    thin = _thin_media(wl, spans, [before, (since, until)])
    if thin and verb != "held steady":
        verb = f"may have {verb}, but the media data are too thin to be sure"
    top = max(moved["dyads"], key=lambda d: abs(d["change"] or 0))
    text = (f"The {bloc} bloc {verb}: cohesion {_fact(facts, old, 'attribution.cohesion[0]')} → "
            f"{_fact(facts, new, 'attribution.cohesion[1]')} against the previous period of equal length")
    if top["change"]:
        change = _fact(facts, top["change"], f"attribution.dyads.{top['dyad']}.change", "{:+.2f}")
        text += f", moved most by {top['dyad']} ({change})"
    return text + media + ".", moved


def _thin_media(wl, spans: Spans, windows: list[tuple[date, date]]) -> bool:
    """Whether a media dataset covers less than `[evaluation] min_coverage` of any of the windows."""
    need = wl.watch.evaluation.min_coverage
    return any(covered_fraction(spans.get(d), since, until) < need
               for d in wl.watch.cohesion.datasets for since, until in windows)


def _centrality(weak: dict, central: str, facts: list[dict]) -> str:
    """' (weighted degree 1.41: its ties CHN-RUS 0.69, interval 0.53-0.79; ...)': the intervals behind it."""
    member = next(m for m in weak["members"] if m["actor"] == central)
    degree = _fact(facts, member["centrality"], f"weakest.members.{central}.centrality")
    ties = []
    for d in (d for d in weak["components"] if central in d["dyad"].split("-") and d["tie_strength"] is not None):
        key = f"weakest.components.{d['dyad']}"
        interval = (f", interval {_fact(facts, d['low'], key + '.low')}–{_fact(facts, d['high'], key + '.high')}"
                    if d.get("low") is not None and d.get("high") is not None else ", no interval")
        ties.append(f"{d['dyad']} {_fact(facts, d['tie_strength'], key + '.tie_strength')}{interval}")
    return f" (weighted degree {degree}: its ties {'; '.join(ties)})" if ties else f" (weighted degree {degree})"


def _weakest_sentence(wl, weak: dict, spans: Spans, facts: list[dict]) -> str:
    window = (date.fromisoformat(weak["window"]["since"]), date.fromisoformat(weak["window"]["until"]))
    media = _media_span(wl, spans, [window], facts)
    level = _fact(facts, round(weak["method"]["level"] * 100), "weakest.method.level", "{}")
    members = {m["actor"]: m for m in weak["members"]}
    lowest = weak["lowest"]
    if lowest is None:
        return f"No member's commitment could be measured in this window{media}."
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
        text += f"; {central} is also the bloc's most central member{_centrality(weak, central, facts)}"
    elif central:
        text += f"; the most central member is {central}{_centrality(weak, central, facts)}"
    return text + media + "."


LEGEND = [
    "Cohesion (0 to 1): the mean tie strength of the bloc's pairs; 1 means every pair cooperates fully, "
    "0 means no cooperative tie at all.",
    "Commitment (0 to 1): how much a member puts into its ties against what it gets back; 0.5 means give and "
    "take are even, below 0.5 means it puts in less than it gets back. The 95% interval is the range the "
    "value would likely fall in with other samples of the same news and events.",
    "Tie strength (0 to 1): how close two members are, from their events, high-level exchanges, votes and "
    "words; weighted degree (centrality) adds up a member's tie strengths.",
    "Signposts: seen (the watched development happened), emerging (first signs), not seen (the data cover the "
    "period and show nothing), without data (the sources do not cover the period: no conclusion either way).",
    "Hypotheses: inconsistency counts how much of the evidence contradicts each (0 = nothing contradicts it; "
    "lower is better); the posterior (0 to 1, summing to 1) is a Bayesian reading of the same evidence.",
]

STATUS_WORDS = {"seen": "seen", "emerging": "emerging", "not_seen": "not seen", "no_data": "without data"}


def _signpost_sentence(changed: list[dict], board: list[dict], facts: list[dict]) -> str:
    counts = {s: sum(p["status"] == s for p in board) for s in STATUS_WORDS}
    tally = ", ".join(f"{_fact(facts, n, f'signposts.{s}', '{}')} {STATUS_WORDS[s]}" for s, n in counts.items())
    total = _fact(facts, len(board), "signposts.total", "{}")
    if not changed:
        return f"No signpost changed status in the period; of {total} signposts, {tally}."
    moves = ", ".join(f"{s['id'].replace('-', ' ')} → {STATUS_WORDS[s['status']]}" for s in changed[:4])
    number = _fact(facts, len(changed), "signposts.changed", "{}")
    return f"{number} signpost(s) changed status ({moves}); of {total} signposts, {tally}."


def _ach_sentence(matrix: dict, facts: list[dict]) -> str:
    ranked = sorted(matrix["hypotheses"], key=lambda h: h["rank"])
    if not ranked:
        return "No hypotheses are declared in the watch file."
    leaders = [h for h in ranked if h["id"] in matrix["leaders"]]
    others = [h for h in ranked if h["id"] not in matrix["leaders"]]
    lead, key = leaders[0], f"ach.hypotheses.{leaders[0]['id']}"
    if len(leaders) > 1:
        names = " and ".join(f"{h['id']} ({h['title']})" for h in leaders)
        text = (f"The evidence contradicts {names} equally least: inconsistency "
                f"{_fact(facts, lead['inconsistency'], key + '.inconsistency')} each, a tie")
    else:
        text = (f"The evidence contradicts {lead['id']} ({lead['title']}) least: inconsistency "
                f"{_fact(facts, lead['inconsistency'], key + '.inconsistency')}")
        text += f", posterior {_fact(facts, lead['posterior'], key + '.posterior')}"
    if others:
        other = _fact(facts, others[0]["inconsistency"], f"ach.hypotheses.{others[0]['id']}.inconsistency")
        text += f", against {other} for {others[0]['id']} ({others[0]['title']})"
    sensitivity = matrix["sensitivity"]
    firm = "fragile: a single evidence item could change the leaders" if any(
        s["leader_changes"] for s in sensitivity["evidence"]) else "robust to any single evidence item"
    text += f"; the ranking is {firm}"
    smallest = sensitivity["smallest_change"]
    if smallest["size"]:
        moved = sorted({c["signpost"] for found in smallest["sets"] for c in found["changes"]})
        size = _fact(facts, smallest["size"], "ach.sensitivity.smallest_change.size", "{}")
        named = ", ".join(m.replace("-", " ") for m in moved[:4])
        text += f"; a change in the status of {size} signpost(s) would change the leaders ({named})"
    late = [e["id"] for e in matrix["excluded"] if e["reason"].startswith("counts from")]
    unmeasured = [e["id"] for e in matrix["excluded"] if e["id"] not in late]
    if unmeasured:
        number = _fact(facts, len(unmeasured), "ach.excluded.no_data", "{}")
        text += (f". {number} evidence item(s) are left out because their signposts have no data "
                 f"({', '.join(unmeasured)})")
    if late:
        number = _fact(facts, len(late), "ach.excluded.later", "{}")
        text += (f". {number} item(s) date from after {_fact(facts, matrix['as_of'], 'ach.as_of', '{}')} "
                 f"and do not count yet ({', '.join(late)})")
    return text + "."


def brief_data(wl, bloc: str = "axis", since: date | None = None, until: date | None = None) -> dict:
    """The briefing's content for one bloc and window, which ends (by default) on the last day the data cover;
    everything in it is evaluated as of that day, the briefing's `as_of`."""
    since, until = default_window(wl, since, until)
    spans = Spans(wl)
    before = {s["id"]: s["status"] for s in wl.signposts(as_of=since - timedelta(days=1))}
    wl.replay_signposts(since, until, "quarter")
    board = wl.signposts(as_of=until)
    changed = [s for s in board if s["status"] != before.get(s["id"])]
    weak, matrix = wl.weakest(bloc, since, until), wl.ach(as_of=until)
    alerts = [a for a in wl.alerts(freq="month", until=until) if since.isoformat() <= a["period"] <= until.isoformat()]
    facts: list[dict] = []
    cohesion_text, moved = _cohesion_sentence(wl, bloc, since, until, spans, facts)
    bluf = [cohesion_text, _weakest_sentence(wl, weak, spans, facts), _signpost_sentence(changed, board, facts),
            _ach_sentence(matrix, facts)]
    members = wl.watch.bloc(bloc).members
    return {
        "legend": LEGEND, "implications": implications(wl, board),
        "statements": {h.id: h.statement for h in wl.watch.hypotheses},
        "title": f"{wl.watch.bloc(bloc).name or bloc}: situation {since.isoformat()} to {until.isoformat()}, "
                 f"as of {until.isoformat()}",
        "bloc": bloc, "as_of": until.isoformat(), "window": {"since": since.isoformat(), "until": until.isoformat()},
        "bluf": bluf, "facts": facts, "weakest": weak, "attribution": moved, "signposts": board,
        "changed": changed, "ach": matrix, "alerts": alerts[:12], "coverage": wl.coverage(),
        "timeline": wl.timeline(members, since=since, until=until).to_records()
                    or wl.timeline(since=since, until=until).to_records()[:40],
        "figures": figures.all_figures(wl, bloc, members, since, until, weak, alerts, spans),
        "sources": sources(wl), "generated": date.today().isoformat(),
    }


def relative_names(paths: list[str]) -> dict[str, str]:
    """Each ingested file's name relative to the folder all of them were ingested from (never a full local
    path): the path below their common folder, or the bare file name when they share no deeper folder."""
    parents = [str(PurePath(p).parent) for p in paths if p]
    try:
        common = PurePath(os.path.commonpath(parents)) if parents else None
    except ValueError:
        common = None
    deep = common is not None and common.is_absolute() and len(common.parts) >= 3
    return {p: (str(PurePath(p).relative_to(common)) if deep and PurePath(p).is_relative_to(common)
                else PurePath(p or "").name) for p in paths}


def implications(wl, board: list[dict]) -> dict:
    """The watch file's implications per scenario, split into the scenarios whose signposts are seen or
    emerging (triggered) and the rest, with the signposts behind each."""
    status = {s["id"]: s["status"] for s in board}
    triggered, quiet = [], []
    for scenario in wl.watch.scenarios:
        moved = [{"id": i, "question": next((s["question"] for s in board if s["id"] == i), i),
                  "status": STATUS_WORDS[status[i]]} for i in scenario.signposts if status.get(i) in ("seen", "emerging")]
        entry = {"id": scenario.id, "title": scenario.title, "implications": list(scenario.implications),
                 "signposts": moved, "measured": sum(status.get(i) not in (None, "no_data") for i in scenario.signposts),
                 "total": len(scenario.signposts)}
        (triggered if moved else quiet).append(entry)
    return {"triggered": triggered, "quiet": quiet}


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
    names = relative_names([p for _, p, _, _, _ in files])
    return {"files": [{"dataset": d, "path": p, "file": names[p], "sha256": s, "short": (s or "")[:12], "rows": n,
                       "ingested": str(i)} for d, p, s, n, i in files],
            "vintage": [{"dataset": d, "first": str(a), "last": str(b), "rows": n} for d, a, b, n in vintage],
            "citations": {d: c for d, c in CITATIONS.items() if any(v[0] == d for v in vintage)}}
