"""Terminal renderings of the plain data that bloc analyses return."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


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
    console.print(result["summary"])


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
                          f"({e['mentions']} mentions) {e['url']}", highlight=False)


def print_alerts(found: list[dict], console: Console) -> None:
    if not found:
        console.print("No alerts: no watched dyad series shifted or spiked.")
        return
    for alert in found:
        console.print(f"[bold]{alert['period']}[/] {alert['kind'].replace('_', ' ')}: {alert['explanation']}")
        for e in alert["top_events"]:
            console.print(f"    {e['date']} {e['source']}→{e['target']} CAMEO {e['event_code']} "
                          f"({e['mentions']} mentions) {e['url']}", highlight=False)
        for c in alert["curated"]:
            console.print(f"    curated {c['date']} {c['kind']}: {c['description']}", highlight=False)


def print_compare(result: dict, console: Console) -> None:
    console.print(f"[bold]{result['headline']}[/]")
    for title, key, style in (("added", "sentences_added", "green"), ("removed", "sentences_removed", "red")):
        for sentence in result[key]:
            console.print(f"[{style}]{'+' if title == 'added' else '-'} {sentence}[/]", highlight=False)
    for pair in result["sentences_rewritten"]:
        console.print(f"[yellow]~ {pair['old']}\n  → {pair['new']}[/]", highlight=False)
    console.print(f"{result['sentences_unchanged']} sentence(s) unchanged")


STATUS_STYLE = {"seen": "bold red", "emerging": "yellow", "not_seen": "dim"}


def print_board(board: list[dict], console: Console) -> None:
    table = Table(title="Signposts", header_style="bold")
    for name in ("signpost", "status", "since", "detail"):
        table.add_column(name, overflow="fold")
    for s in board:
        style = STATUS_STYLE[s["status"]]
        table.add_row(s["id"], f"[{style}]{s['status'].replace('_', ' ')}[/]", s["since"] or "", s["detail"][:110])
    console.print(table)


def print_signpost(result: dict, console: Console) -> None:
    console.print(f"[bold]{result['id']}[/]: {result['question']}")
    console.print(f"status [{STATUS_STYLE[result['status']]}]{result['status']}[/] since {result['since']}; "
                  f"window {result['window']['since']} to {result['window']['until']}")
    console.print(result["detail"], highlight=False)
    if result["note"]:
        console.print(f"[dim]{result['note']}[/]")
    for e in result["evidence"]:
        console.print("  - " + "; ".join(f"{k}: {v}" for k, v in e.items() if v not in (None, "", [])),
                      highlight=False)
    console.print("history: " + ", ".join(f"{h['as_of']} {h['status']}" for h in result["history"]))


def print_ach(result: dict, console: Console) -> None:
    hypotheses = [h["id"] for h in result["hypotheses"]]
    table = Table(title="ACH matrix (lower inconsistency = less contradicted)", header_style="bold")
    for name in ("evidence", "weight", *hypotheses, "basis"):
        table.add_column(name, overflow="fold", justify="left" if name in ("evidence", "basis") else "center")
    for e in result["evidence"]:
        table.add_row(f"{e['id']} {e['title']}", f"{e['weight']:.2f}", *(e["ratings"][h] for h in hypotheses),
                      e["basis"])
    table.add_row("[bold]Heuer inconsistency[/]", "", *(f"{h['inconsistency']:.2f}" for h in result["hypotheses"]),
                  "")
    table.add_row("[bold]posterior (Bayesian reading)[/]", "",
                  *(f"{h['posterior']:.2f}" for h in result["hypotheses"]), "")
    console.print(table)
    leader = next(h for h in result["hypotheses"] if h["id"] == result["leading"])
    console.print(f"Least contradicted: {leader['id']} {leader['title']}.")
    console.print(f"{len(result['sensitivity'])} evidence item(s) could change the ranking "
                  "(`weaklink ach sensitivity`).")


def print_sensitivity(result: dict, console: Console) -> None:
    if not result["sensitivity"]:
        console.print("No single evidence item's removal or one-step re-rating changes the ranking.")
    for item in result["sensitivity"]:
        flag = " [bold](changes the leading hypothesis)[/]" if item["leader_changes"] else ""
        console.print(f"{item['evidence']}{flag}")
        for change in item["changes"]:
            console.print(f"    {change['change']}: ranking {' > '.join(change['ranking'])}", highlight=False)
