"""Static figures for the briefing (matplotlib, PNG embedded as base64): legible in print and grey scale.

Lines take the Okabe-Ito colours (safe for colour-blind readers) and differ by line style and marker too, so
they read in grey scale; a line never joins points across a period without data (a gap is a NaN), the
span each source covers is shaded, dates get concise ticks, and legends sit outside the data.
Every figure names its data sources.
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from weaklink.coverage import Spans, covered_days  # noqa: E402
from weaklink.errors import WeaklinkError  # noqa: E402
from weaklink.report.i18n import _, day, language  # noqa: E402
from weaklink.text import analysis  # noqa: E402

# Okabe-Ito colours, ordered so that neighbours differ in lightness too (black, vermillion, sky blue, bluish
# green, reddish purple, blue); each with its own line style and marker for print in grey.
STYLES = [("-", "o", "#000000"), ("--", "s", "#D55E00"), (":", "^", "#56B4E9"), ("-.", "D", "#009E73"),
          ((0, (5, 1, 1, 1, 1, 1)), "v", "#CC79A7"), ((0, (1, 1)), "P", "#0072B2")]
COVERED = {"color": "#E69F00", "alpha": 0.25, "linewidth": 0}
plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "figure.dpi": 150, "savefig.bbox": "tight"})


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _figure(fid: str, title: str, fig, caption: str, sources: list[str]) -> dict:
    return {"id": fid, "title": title, "png": _png(fig), "caption": caption, "sources": sources}


def _empty(fid: str, title: str, message: str, sources: list[str]) -> dict:
    """A figure without data: the brief prints its message instead of an empty chart (`empty`)."""
    fig, ax = plt.subplots(figsize=(6.5, 0.5))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    return {**_figure(fid, title, fig, message, sources), "empty": True}


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
            note = _("weakest link") if m["actor"] == weak["weakest"] else _("lowest commitment\n(not clearly weakest)")
            x, y = pos[m["actor"]]
            ax.text(x, y - 0.32, note, ha="center", va="top", fontsize=8, zorder=3)
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.5, 1.6)
    ax.axis("off")
    caption = _("Node size: centrality (weighted degree). Edge width and label: tie strength (0-1). "
                "Grey fill, thick outline: the member with the lowest commitment.")
    title = _("The %(bloc)s bloc, %(since)s to %(until)s", bloc=weak.get("label", weak["bloc"]), since=day(weak["window"]["since"]),
              until=day(weak["window"]["until"]))
    return _figure("bloc-graph", title, fig, caption, ["gdelt", "curated", "unga", "unsc", "documents"])


def _months(since: date, until: date) -> list[date]:
    months, day = [], date(since.year, since.month, 1)
    while day <= until:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _month_end(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1) - timedelta(days=1)


# Concise date ticks (years, months, days, ...) in the way a language writes them; English keeps matplotlib's.
TICK_FORMATS = {"ko": {"formats": ["%Y년", "%-m월", "%-d일", "%H:%M", "%H:%M", "%S.%f"],
                       "zero_formats": ["", "%Y년", "%-m월", "%-m월 %-d일", "%H:%M", "%H:%M"],
                       "offset_formats": ["", "%Y년", "%Y년 %-m월", "%Y년 %-m월 %-d일", "%Y년 %-m월 %-d일",
                                          "%Y년 %-m월 %-d일 %H:%M"]}}


def _date_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, **TICK_FORMATS.get(language(), {})))


def _legend_outside(ax, **kwargs) -> None:
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, borderaxespad=0, **kwargs)


def _shade_coverage(ax, spans: list[tuple[date, date]], since: date, until: date, label: str) -> bool:
    """Shade the spans a source covers inside the window; True when any is shown."""
    shown = False
    for first, last in spans:
        first, last = max(first, since), min(last, until)
        if first <= last:
            ax.axvspan(first, last + timedelta(days=1), **COVERED, label=None if shown else label)
            shown = True
    return shown


def dyad_series(wl, members: list[str], since: date, until: date, alerts: list[dict],
                spans: Spans | None = None) -> dict:
    dataset = (wl.watch.cohesion.datasets or ["gdelt"])[0]
    covered = (spans or Spans(wl)).get(dataset) or []
    months = _months(since, until)
    fig, ax = plt.subplots(figsize=(6.5, 2.6))
    plotted = False
    pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]
    for (a, b), (line, marker, colour) in zip(pairs, STYLES):
        rows = {r["period"]: r["share_per_10k"] for r in
                wl.dyads(a, b, freq="month", since=since, until=until).to_records()}
        if not rows:
            continue
        plotted = True
        # a month the source does not cover is a gap (NaN), never a zero and never bridged by the line
        values = [rows[m] if m in rows else 0.0 if covered_days(covered, max(m, since), min(_month_end(m), until))
                  else np.nan for m in months]
        middle = [m + timedelta(days=14) for m in months]  # each month's value sits in the middle of its month
        ax.plot(middle, values, linestyle=line, marker=marker, color=colour, markersize=3.5, label=f"{a}-{b}")
        marked = [m for m in months if m in rows and any(al["dyad"] in (f"{a}-{b}", f"{b}-{a}") and
                                                          al["period"] == m.isoformat() for al in alerts)]
        ax.scatter([m + timedelta(days=14) for m in marked], [rows[m] for m in marked], s=120, facecolors="none", edgecolors="black",
                   linewidths=1.5, zorder=3, label=None)
    if not plotted:
        plt.close(fig)
        return _empty("dyad-series", _("Events between the members, per month"),
                      _("No media-coded events in the window."), [dataset])
    _shade_coverage(ax, covered, months[0], until, _("%(dataset)s covers", dataset=dataset))
    ax.set_xlim(months[0], _month_end(months[-1]) + timedelta(days=1))
    ax.set_ylim(bottom=0)
    ax.set_ylabel(_("events per 10,000"))
    _date_axis(ax)
    _legend_outside(ax, fontsize=8)
    return _figure("dyad-series", _("Events between the members, per month (share of all events)"), fig,
                   _("Shaded: the days %(dataset)s covers; outside them there is no data (no line is drawn). "
                     "Circled points: change alerts (change points or anomalies).", dataset=dataset), [dataset])


def _bloc_label(wl, bloc: str) -> str:
    """A bloc's id, or in another language its name from the watch file's translations when it gives one."""
    table = wl.watch.translations.get(language()) if language() != "en" else None
    return (table.blocs.get(bloc) if table is not None else None) or bloc


def bloc_vs_bloc(wl) -> dict:
    rows = wl.blocs(freq="year").to_records()
    if not rows:
        return _empty("bloc-vs-bloc", _("Bloc against bloc"), _("No cohesion can be computed yet."),
                      ["gdelt", "curated"])
    fig, ax = plt.subplots(figsize=(6.5, 2.4))
    years = sorted({r["period"] for r in rows})
    for name, (line, marker, colour) in zip(sorted({r["bloc"] for r in rows}), STYLES):
        values = {r["period"]: r["cohesion"] for r in rows if r["bloc"] == name}
        ax.plot(years, [np.nan if values.get(y) is None else values[y] for y in years], linestyle=line,
                marker=marker, color=colour, label=_bloc_label(wl, name))
    ax.set_ylim(0, 1)
    ax.set_ylabel(_("cohesion (0-1)"))
    _date_axis(ax)
    _legend_outside(ax)
    return _figure("bloc-vs-bloc", _("Cohesion per year: the two blocs"), fig,
                   _("Cohesion: mean tie strength of a bloc's dyads (docs/cohesion.md)."),
                   ["gdelt", "curated", "unga", "unsc", "documents"])


def yearly_with_gaps(values: dict[date, float]) -> tuple[list[date], list[float]]:
    """Yearly points in order, with a NaN in each run of missing years so that no line bridges them."""
    x, y = [], []
    periods = sorted(values)
    for before, period in zip([None, *periods], periods):
        if before is not None and period.year - before.year > 1:
            x.append(date(before.year + 1, 1, 1))
            y.append(np.nan)
        x.append(period)
        y.append(values[period])
    return x, y


def vote_agreement(wl, members: list[str]) -> dict:
    fig, ax = plt.subplots(figsize=(6.5, 2.4))
    pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1:]] + [("USA", "RUS"), ("USA", "CHN")]
    plotted = False
    for (a, b), (line, marker, colour) in zip(pairs, STYLES):
        rows = {r["period"]: r["agreement"] for r in wl.vote_alignment(a, b, body="unga").to_records() if r["votes"]}
        if rows:
            plotted = True
            x, y = yearly_with_gaps(rows)
            ax.plot(x, y, linestyle=line, marker=marker, color=colour, markersize=2.5, label=f"{a}-{b}")
    if not plotted:
        plt.close(fig)
        return _empty("vote-agreement", _("UN General Assembly vote agreement"),
                      _("No UN General Assembly votes in the store (weaklink ingest unvotes)."), ["unga"])
    ax.set_ylim(0, 1)
    ax.set_ylabel(_("agreement index"))
    _date_axis(ax)
    _legend_outside(ax, fontsize=7)
    return _figure("vote-agreement", _("UN General Assembly vote agreement per year"), fig,
                   _("Lijphart agreement index: 1 same vote, 1/2 one abstains, 0 opposite (docs/votes.md)."), ["unga"])


def us_mentions(wl) -> dict:
    rows = wl.store.con.execute("""SELECT date, text FROM documents WHERE kind = 'joint_statement'
        AND list_has_all(issuers, ['CHN', 'RUS']) ORDER BY date""").fetchall()
    if not rows:
        return _empty("us-mentions", _("US mentions in China-Russia joint statements"),
                      _("No China-Russia joint statements in the store (weaklink ingest docs)."), ["documents"])
    lex = analysis.lexicons(wl.watch)
    counts = [analysis.profile(text, lex)[0].get("USA", {}).get("count", 0) for _, text in rows]
    fig, ax = plt.subplots(figsize=(6.5, 2.2))
    ax.plot([d for d, _ in rows], counts, linestyle="none", marker="o", color=STYLES[0][2])  # one dot per statement
    ax.set_ylim(bottom=0)
    ax.set_ylabel(_("names of the US"))
    _date_axis(ax)
    return _figure("us-mentions", _("US mentions in China-Russia joint statements"), fig,
                   _("Names and abbreviations of the United States per joint statement (docs/documents.md)."),
                   ["documents"])


# Fonts that carry a language's script, for figure text in that language (Debian's fonts-noto-cjk); the first
# one matplotlib's font manager finds is used. English keeps matplotlib's default (DejaVu Sans).
SCRIPT_FONTS = {"ko": ["Noto Sans CJK KR", "Noto Sans KR", "NanumGothic"]}


class MissingFont(WeaklinkError):
    """No font on this machine can draw the figure text of the briefing's language."""


def _installed_family(names: list[str]) -> str | None:
    """The first of `names` that matplotlib can use, registering the system font file (fc-match) if needed."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    for name in names:
        if name in known:
            return name
        found = shutil.which("fc-match") and subprocess.run(["fc-match", "--format=%{file}", name],
                                                            capture_output=True, text=True, check=False).stdout
        if found and Path(found).is_file() and name.split()[0].lower() in Path(found).name.lower():
            font_manager.fontManager.addfont(found)
            if name in {f.name for f in font_manager.fontManager.ttflist}:
                return name
    return None


def font_settings(lang: str) -> dict:
    """matplotlib rcParams that draw `lang`'s script: a font family that has its glyphs (no tofu boxes)."""
    if lang not in SCRIPT_FONTS:
        return {}
    family = _installed_family(SCRIPT_FONTS[lang])
    if family is None:
        raise MissingFont(f"no font for {lang!r} figure text: install one of {', '.join(SCRIPT_FONTS[lang])} "
                          "(Debian: apt-get install fonts-noto-cjk; scripts/system-deps.sh)")
    return {"font.family": "sans-serif", "font.sans-serif": [family, "DejaVu Sans"], "axes.unicode_minus": False}


def all_figures(wl, bloc: str, members: list[str], since: date, until: date, weak: dict,
                alerts: list[dict], spans: Spans | None = None) -> list[dict]:
    with plt.rc_context(font_settings(language())):
        return [bloc_graph(weak), dyad_series(wl, members, since, until, alerts, spans), bloc_vs_bloc(wl),
                vote_agreement(wl, members), us_mentions(wl)]
