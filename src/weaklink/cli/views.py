"""Terminal renderings of the plain data that bloc analyses return."""

from __future__ import annotations

from datetime import date

from rich.console import Console
from rich.table import Table

from weaklink.cli.common import escape


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def print_weakest(result: dict, console: Console) -> None:
    window = result["window"]
    table = Table(title=f"Commitment in {result['bloc']}, {window['since']} to {window['until']}", header_style="bold")
    for name in ("actor", "commitment", "interval", "P(weakest)", "centrality", "betweenness"):
        table.add_column(name, justify="left" if name == "actor" else "right")
    for m in result["members"]:
        table.add_row(m["actor"], _fmt(m["commitment"]), f"{_fmt(m['low'])}–{_fmt(m['high'])}",
                      _fmt(m["p_weakest"]), _fmt(m["centrality"]), _fmt(m["betweenness"]))
    console.print(table)
    ties = Table(title="Tie strength by dyad (components in [0, 1])", header_style="bold")
    for name in ("dyad", "tie", "interval", "events", "exchanges", "votes", "rhetoric"):
        ties.add_column(name, justify="left" if name == "dyad" else "right")
    for d in result["components"]:
        ties.add_row(d["dyad"], _fmt(d["tie_strength"]), f"{_fmt(d.get('low'))}–{_fmt(d.get('high'))}",
                     *(_fmt(d[c]) for c in ("events", "exchanges", "votes", "rhetoric")))
    console.print(ties)
    missing = {c: why for d in result["components"] for c, why in d["missing"].items()}
    for component, why in missing.items():
        console.print(f"[dim]left out where missing: {component}: {why}[/]")
    console.print(escape(result["summary"]))


def print_attribution(result: dict, console: Console) -> None:
    before, after = result["cohesion"]
    console.print(f"Cohesion of {result['bloc']}: {_fmt(before)} ({' to '.join(result['first'])}) → {_fmt(after)} "
                  f"({' to '.join(result['second'])}), change {_fmt(result['change'])}")
    table = Table(header_style="bold")
    for name in ("dyad", "before", "after", "change", "events", "exchanges", "votes", "rhetoric"):
        table.add_column(name, justify="left" if name == "dyad" else "right")
    for d in result["dyads"]:
        table.add_row(d["dyad"], _fmt(d["before"]), _fmt(d["after"]), _fmt(d["change"]),
                      *(_fmt(d["components"].get(c)) for c in ("events", "exchanges", "votes", "rhetoric")))
    console.print(table)
    for d in result["dyads"]:
        for e in d["top_events"]:
            console.print(f"  {d['dyad']} {e['date']} {e['source']}→{e['target']} CAMEO {e['event_code']} "
                          f"({e['mentions']} mentions) {escape(str(e['url']))}", highlight=False)


def print_alerts(found: list[dict], console: Console) -> None:
    if not found:
        console.print("No alerts: no watched dyad series shifted or spiked.")
        return
    for alert in found:
        console.print(f"[bold]{alert['period']}[/] {alert['kind'].replace('_', ' ')}: {escape(alert['explanation'])}")
        for e in alert["top_events"]:
            console.print(f"    {e['date']} {e['source']}→{e['target']} CAMEO {e['event_code']} "
                          f"({e['mentions']} mentions) {escape(str(e['url']))}", highlight=False)
        for c in alert["curated"]:
            console.print(f"    curated {c['date']} {c['kind']}: {escape(str(c['description']))}", highlight=False)


def print_compare(result: dict, console: Console) -> None:
    console.print(f"[bold]{escape(result['headline'])}[/]")
    for title, key, style in (("added", "sentences_added", "green"), ("removed", "sentences_removed", "red")):
        for sentence in result[key]:
            console.print(f"[{style}]{'+' if title == 'added' else '-'} {escape(sentence)}[/]", highlight=False)
    for pair in result["sentences_rewritten"]:
        console.print(f"[yellow]~ {escape(pair['old'])}\n  → {escape(pair['new'])}[/]", highlight=False)
    console.print(f"{result['sentences_unchanged']} sentence(s) unchanged")


STATUS_STYLE = {"seen": "bold red", "emerging": "yellow", "not_seen": "dim", "no_data": "magenta"}


def _coverage(value) -> str:
    return "—" if value is None else f"{value:.0%}"


def print_board(board: list[dict], console: Console) -> None:
    as_of = board[0]["as_of"] if board else "—"
    table = Table(title=f"Signposts as of {as_of}", header_style="bold")
    for name in ("signpost", "status", "coverage", "since", "detail"):
        table.add_column(name, overflow="fold", justify="right" if name == "coverage" else "left")
    for s in board:
        style = STATUS_STYLE[s["status"]]
        table.add_row(s["id"], f"[{style}]{s['status'].replace('_', ' ')}[/]", _coverage(s.get("coverage")),
                      s["since"] or "", escape(s["detail"][:110]))
    console.print(table)
    tally = {status: sum(s["status"] == status for s in board) for status in STATUS_STYLE}
    dated = {"request": "the date asked for", "data": "the last day the data cover",
             "clock": "today: the store holds no data yet (`weaklink ingest ...` or `weaklink demo`)"}
    why = dated.get(board[0].get("dated_by"), "the last day the data cover unless --as-of") if board else ""
    console.print(f"{tally['seen']} seen, {tally['emerging']} emerging, {tally['not_seen']} not seen, "
                  f"{tally['no_data']} without data (as of {as_of}, {why}).")


def print_signpost(result: dict, console: Console) -> None:
    console.print(f"[bold]{result['id']}[/]: {escape(result['question'])}")
    console.print(f"status [{STATUS_STYLE[result['status']]}]{result['status']}[/] since {result['since']}; "
                  f"window {result['window']['since']} to {result['window']['until']}; "
                  f"coverage {_coverage(result.get('coverage'))}")
    console.print(escape(result["detail"]), highlight=False)
    for m in result.get("missing", []):
        console.print(f"  [magenta]missing[/]: {m['source']} covers {m['coverage']:.0%} of the window", highlight=False)
    if result["note"]:
        console.print(f"[dim]{escape(result['note'])}[/]")
    for e in result["evidence"]:
        console.print("  - " + escape("; ".join(f"{k}: {v}" for k, v in e.items() if v not in (None, "", []))),
                      highlight=False)
    console.print("history: " + ", ".join(f"{h['as_of']} {h['status']}" for h in result["history"]))


def print_ach(result: dict, console: Console) -> None:
    hypotheses = [h["id"] for h in result["hypotheses"]]
    table = Table(title=f"ACH matrix as of {result['as_of']} (lower inconsistency = less contradicted)",
                  header_style="bold")
    for name in ("evidence", "weight", *hypotheses, "basis"):
        table.add_column(name, overflow="fold", justify="left" if name in ("evidence", "basis") else "center")
    for e in result["evidence"]:
        table.add_row(escape(f"{e['id']} {e['title']}"), f"{e['weight']:.2f}", *(e["ratings"][h] for h in hypotheses),
                      escape(e["basis"]) + ("" if e.get("diagnostic", True) else " [dim](non-diagnostic)[/]"))
    table.add_row("[bold]Heuer inconsistency[/]", "", *(f"{h['inconsistency']:.2f}" for h in result["hypotheses"]),
                  "")
    table.add_row("[bold]posterior (Bayesian reading)[/]", "",
                  *(f"{h['posterior']:.2f}" for h in result["hypotheses"]), "")
    console.print(table)
    for item in result["excluded"]:
        console.print(f"[magenta]left out[/] {escape(item['id'])} {escape(item['title'])}: {escape(item['reason'])}",
                      highlight=False)
    titles = {h["id"]: h["title"] for h in result["hypotheses"]}
    names = escape(", ".join(f"{h} {titles[h]}" for h in result["leaders"]))
    if len(result["leaders"]) > 1:
        console.print(f"Tied for least contradicted: {names}.")
    elif result["leaders"]:
        console.print(f"Least contradicted: {names}.")
    smallest = result["sensitivity"]["smallest_change"]
    if smallest["size"]:
        first = smallest["sets"][0]
        moves = "; ".join(f"{c['signpost']}: {c['from'].replace('_', ' ')} → {c['to'].replace('_', ' ')}"
                          for c in first["changes"])
        console.print(f"Fewest signpost changes that change the leaders: {smallest['size']} "
                      f"({len(smallest['sets'])} such set(s); e.g. {moves} gives leaders {', '.join(first['leaders'])}).")
    console.print(f"{len(result['sensitivity']['evidence'])} evidence item(s) could change the ranking "
                  "(`weaklink ach sensitivity`).")


def print_sensitivity(result: dict, console: Console) -> None:
    sensitivity = result["sensitivity"]
    if not sensitivity["evidence"]:
        console.print("No single evidence item's removal or one-step re-rating changes the ranking.")
    for item in sensitivity["evidence"]:
        flag = " [bold](changes the leaders)[/]" if item["leader_changes"] else ""
        console.print(f"{item['evidence']}{flag}")
        for change in item["changes"]:
            console.print(f"    {change['change']}: ranking {' > '.join(change['ranking'])}", highlight=False)
    for item in sensitivity["signposts"]:
        console.print(f"{item['evidence']} (signpost {item['signpost']}, now {item['status'].replace('_', ' ')}):")
        for alt in item["under"]:
            console.print(f"    if {alt['status'].replace('_', ' ')}: leaders {', '.join(alt['leaders'])}; ranking "
                          f"{' > '.join(alt['ranking'])}", highlight=False)
    smallest = sensitivity["smallest_change"]
    if smallest["size"] is None:
        console.print(f"No change of signpost statuses (searched up to {smallest['searched_up_to']} at once) "
                      "changes the leaders.")
    for found in smallest["sets"][:10]:
        moves = "; ".join(f"{c['signpost']} {c['from']} → {c['to']}" for c in found["changes"])
        console.print(f"smallest change: {moves} → leaders {', '.join(found['leaders'])}", highlight=False)
    if sensitivity["non_diagnostic"]:
        console.print(f"Non-diagnostic (rated alike for every hypothesis): {', '.join(sensitivity['non_diagnostic'])}")


def print_coverage(result: dict, console: Console) -> None:
    table = Table(title=f"What the store covers (data as of {result['as_of'] or '—'})", header_style="bold")
    for name in ("source", "kind", "since", "until", "days covered", "gaps", "rows"):
        table.add_column(name, overflow="fold", justify="right" if name in ("days covered", "gaps", "rows") else "left")
    for s in result["sources"]:
        table.add_row(s["source"], s["kind"], s["since"], s["until"], f"{s['days_covered']:,}", str(len(s["gaps"])),
                      f"{s['rows']:,}")
    console.print(table)
    for kind, note in {s["kind"] if s["source"] not in ("unga", "unsc") else s["source"]: s["note"]
                       for s in result["sources"]}.items():
        console.print(f"[dim]{kind}: {note}[/]", highlight=False)
    for s in result["sources"]:
        if s["gaps"]:
            longest = max(s["gaps"], key=lambda g: (date.fromisoformat(g[1]) - date.fromisoformat(g[0])).days)
            console.print(f"[dim]{s['source']}: {len(s['gaps'])} gap(s); the longest {longest[0]} to {longest[1]}[/]",
                          highlight=False)
