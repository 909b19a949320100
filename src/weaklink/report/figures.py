"""Static figures for the briefing (matplotlib, PNG embedded as base64): legible in print and grey scale.

Lines differ by style and marker, not by colour alone; every figure names its data sources.
"""

from __future__ import annotations

import base64
import io
from datetime import date

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from weaklink.text import analysis  # noqa: E402

STYLES = [("-", "o", "0.0"), ("--", "s", "0.35"), (":", "^", "0.55"), ("-.", "D", "0.2")]
plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "figure.dpi": 150, "savefig.bbox": "tight"})


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _figure(fid: str, title: str, fig, caption: str, sources: list[str]) -> dict:
    return {"id": fid, "title": title, "png": _png(fig), "caption": caption, "sources": sources}


def _empty(fid: str, title: str, message: str, sources: list[str]) -> dict:
    fig, ax = plt.subplots(figsize=(6.5, 1.2))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    return _figure(fid, title, fig, message, sources)


def bloc_graph(weak: dict) -> dict:
    members = [m["actor"] for m in weak["members"]]
    angles = np.linspace(np.pi / 2, np.pi / 2 + 2 * np.pi, len(members), endpoint=False)
    pos = {m: (np.cos(a), np.sin(a)) for m, a in zip(members, angles)}
    fig, ax = plt.subplots(figsize=(4.2, 3.8))
    for dyad in weak["components"]:
        a, b = dyad["dyad"].split("-")
        width = 1 + 10 * (dyad["tie_strength"] or 0)
        ax.plot(*zip(pos[a], pos[b]), color="0.45", linewidth=width, zorder=1, solid_capstyle="round")
        mid = np.mean([pos[a], pos[b]], axis=0)
        ax.text(*mid, f"{dyad['tie_strength']:.2f}" if dyad["tie_strength"] is not None else "n/a",
                ha="center", va="center", fontsize=8, bbox={"facecolor": "white", "edgecolor": "none"})
    for m in weak["members"]:
        size = 400 + 900 * (m["centrality"] or 0)
        marked = m["actor"] == (weak["weakest"] or weak["lowest"])
        ax.scatter(*pos[m["actor"]], s=size, color="0.85" if marked else "white", edgecolors="black",
                   linewidths=3.5 if marked else 1, zorder=2)
        ax.text(*pos[m["actor"]], m["actor"], ha="center", va="center", fontsize=10, fontweight="bold", zorder=3)
        if marked:
            note = "weakest link" if m["actor"] == weak["weakest"] else "lowest commitment\n(not clearly weakest)"
            x, y = pos[m["actor"]]
            ax.text(x, y - 0.32, note, ha="center", va="top", fontsize=8, zorder=3)
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.5, 1.6)
    ax.axis("off")
    caption = ("Node size: centrality (weighted degree). Edge width and label: tie strength (0-1). "
               "Grey fill, thick outline: the member with the lowest commitment.")
    return _figure("bloc-graph", f"The {weak['bloc']} bloc, {weak['window']['since']} to {weak['window']['until']}",
                   fig, caption, ["gdelt", "curated", "unga", "unsc", "documents"])


def dyad_series(wl, members: list[str], since: date, until: date, alerts: list[dict]) -> dict:
    fig, ax = plt.subplots(figsize=(6.5, 2.8))
    plotted = False
    pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]
    for (a, b), (line, marker, shade) in zip(pairs, STYLES):
        rows = [r for r in wl.dyads(a, b, freq="month", since=since, until=until).to_records()]
        if not rows:
            continue
        plotted = True
        x = [r["period"] for r in rows]
        ax.plot(x, [r["share_per_10k"] for r in rows], linestyle=line, marker=marker, color=shade, markersize=3,
                label=f"{a}-{b}")
        marked = [r for r in rows if any(al["dyad"] in (f"{a}-{b}", f"{b}-{a}") and
                                         al["period"] == r["period"].isoformat() for al in alerts)]
        ax.scatter([r["period"] for r in marked], [r["share_per_10k"] for r in marked], s=120, facecolors="none",
                   edgecolors="black", linewidths=1.5, zorder=3)
    if not plotted:
        plt.close(fig)
        return _empty("dyad-series", "Dyad event series", "No media-coded events in the window.", ["gdelt"])
    ax.set_ylabel("events per 10,000")
    ax.legend(frameon=False, fontsize=8)
    fig.autofmt_xdate()
    return _figure("dyad-series", "Events between the members, per month (share of all events)", fig,
                   "Circled points: change alerts (change points or anomalies).", ["gdelt"])


def bloc_vs_bloc(wl) -> dict:
    rows = wl.blocs(freq="year").to_records()
    if not rows:
        return _empty("bloc-vs-bloc", "Bloc against bloc", "No cohesion can be computed yet.", ["gdelt", "curated"])
    fig, ax = plt.subplots(figsize=(6.5, 2.6))
    for name, (line, marker, shade) in zip(sorted({r["bloc"] for r in rows}), STYLES):
        points = [(r["period"], r["cohesion"]) for r in rows if r["bloc"] == name and r["cohesion"] is not None]
        ax.plot(*zip(*points), linestyle=line, marker=marker, color=shade, label=name)
    ax.set_ylim(0, 1)
    ax.set_ylabel("cohesion (0-1)")
    ax.legend(frameon=False)
    return _figure("bloc-vs-bloc", "Cohesion per year: the two blocs", fig,
                   "Cohesion: mean tie strength of a bloc's dyads (docs/cohesion.md).", ["gdelt", "curated", "unga",
                                                                                         "unsc", "documents"])


def vote_agreement(wl, members: list[str]) -> dict:
    fig, ax = plt.subplots(figsize=(6.5, 2.6))
    pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1:]] + [("USA", "RUS"), ("USA", "CHN")]
    plotted = False
    for (a, b), (line, marker, shade) in zip(pairs, STYLES * 2):
        rows = [r for r in wl.vote_alignment(a, b, body="unga").to_records() if r["votes"]]
        if rows:
            plotted = True
            ax.plot([r["period"] for r in rows], [r["agreement"] for r in rows], linestyle=line, marker=marker,
                    color=shade, markersize=2, label=f"{a}-{b}")
    if not plotted:
        plt.close(fig)
        return _empty("vote-agreement", "UN General Assembly vote agreement",
                      "No UN General Assembly votes in the store (weaklink ingest unvotes).", ["unga"])
    ax.set_ylim(0, 1)
    ax.set_ylabel("agreement index")
    ax.legend(frameon=False, fontsize=7, ncol=3)
    return _figure("vote-agreement", "UN General Assembly vote agreement per year", fig,
                   "Lijphart agreement index: 1 same vote, 1/2 one abstains, 0 opposite (docs/votes.md).", ["unga"])


def us_mentions(wl) -> dict:
    rows = wl.store.con.execute("""SELECT date, text FROM documents WHERE kind = 'joint_statement'
        AND list_has_all(issuers, ['CHN', 'RUS']) ORDER BY date""").fetchall()
    if not rows:
        return _empty("us-mentions", "US mentions in China-Russia joint statements",
                      "No China-Russia joint statements in the store (weaklink ingest docs).", ["documents"])
    lex = analysis.lexicons(wl.watch)
    counts = [analysis.profile(text, lex)[0].get("USA", {}).get("count", 0) for _, text in rows]
    fig, ax = plt.subplots(figsize=(6.5, 2.4))
    ax.plot([d for d, _ in rows], counts, marker="o", color="0.0")
    ax.set_ylabel("names of the US")
    return _figure("us-mentions", "US mentions in China-Russia joint statements", fig,
                   "Names and abbreviations of the United States per joint statement (docs/documents.md).",
                   ["documents"])


def all_figures(wl, bloc: str, members: list[str], since: date, until: date, weak: dict,
                alerts: list[dict]) -> list[dict]:
    return [bloc_graph(weak), dyad_series(wl, members, since, until, alerts), bloc_vs_bloc(wl),
            vote_agreement(wl, members), us_mentions(wl)]
