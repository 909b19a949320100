"""Bloc cohesion and the weakest link: gathers counts from the store, computes with indicators/ties.py.

Every function returns plain data (dicts and lists) for the API, CLI and reports to render.
See docs/cohesion.md for the method.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from weaklink.errors import InvalidArgument
from weaklink.indicators import ties
from weaklink.indicators.bloc_counts import OTHER, code_table, curated_cells, exchange_totals, media_cells
from weaklink.indicators.exchanges import period_grid
from weaklink.indicators.votes import alignment, paired_votes
from weaklink.reference import countries
from weaklink.text import analysis

MISSING = {
    "events": "no media-coded event between the two in the window",
    "exchanges": "the curated timeline in the store does not cover this window",
    "votes": "no vote cast by both states in the window",
    "rhetoric": "no document by one of them that names the other with warm or hostile words in the window",
}


def _code_map(wl, members: list[str]) -> dict[str, str]:
    """Every state's event codes -> the member it belongs to, or OTHER."""
    codes = {}
    for country in countries.load_countries():
        for code in (country.cameo, country.iso3):
            if code:
                codes.setdefault(code, OTHER)
    for member in members:
        for code in wl.actor_codes(member):
            codes[code] = member
    return codes


def _tensor(cells: pa.Table, members: list[str], value: str = "n") -> np.ndarray:
    """Arrow cells (src, tgt, quad_class, value) into a dense [M, M+1, 4] array."""
    index = {m: i for i, m in enumerate(members)} | {OTHER: len(members)}
    out = np.zeros((len(members), len(members) + 1, 4))
    if cells.num_rows:
        src = np.array([index[s] for s in cells["src"].to_pylist()])
        tgt = np.array([index[t] for t in cells["tgt"].to_pylist()])
        quad = np.array(cells["quad_class"].to_pylist()) - 1
        np.add.at(out, (src, tgt, quad), np.nan_to_num(np.array(cells[value].to_pylist(), dtype=float)))
    return out


class BlocData:
    """Everything the tie measures need for one bloc and window (optionally split into periods)."""

    def __init__(self, wl, bloc: str, since: date | None, until: date | None, freq: str | None = None):
        self.wl, self.bloc, self.freq = wl, bloc, freq
        self.members = list(wl.watch.bloc(bloc).members)
        self.settings = wl.watch.cohesion
        self.since, self.until = since, until
        events = wl.store.table("events")
        codes = code_table(_code_map(wl, self.members))
        self.media = media_cells(events, codes, since, until, freq, tuple(self.settings.datasets)).to_pyarrow()
        self.curated = curated_cells(events, self.members, since, until, freq).to_pyarrow()
        self.exchanges = exchange_totals(events, self.members, since, until, freq).to_pyarrow()
        self.timeline_start = wl.store.con.execute(
            "SELECT min(event_date) FROM events WHERE dataset = 'curated'").fetchall()[0][0]
        self.baseline_rate = self._baseline_rate(events)
        self.votes = self._vote_agreement()
        self.rhetoric = self._rhetoric()

    def counts(self, period=None) -> ties.BlocCounts:
        media = _pick(self.media, period)
        return ties.BlocCounts(self.members, _tensor(media, self.members), _tensor(media, self.members,
                               "goldstein_mean"), _tensor(_pick(self.curated, period), self.members))

    def _baseline_rate(self, events) -> np.ndarray:
        s = self.settings
        table = exchange_totals(events, self.members, s.baseline_since, s.baseline_until).to_pyarrow()
        years = max((s.baseline_until - s.baseline_since).days + 1, 1) / 365.25
        return self._pair_matrix(table) / years

    def _pair_matrix(self, table: pa.Table) -> np.ndarray:
        index = {m: i for i, m in enumerate(self.members)}
        out = np.zeros((len(self.members), len(self.members)))
        for a, b, n in zip(table["a"].to_pylist(), table["b"].to_pylist(), table["n"].to_pylist()):
            out[index[a], index[b]] += n
            out[index[b], index[a]] += n
        return out

    def _vote_agreement(self) -> dict:
        """{period: [M, M] agreement (NaN where no shared vote)}, UNGA and UNSC votes pooled."""
        store, result = self.wl.store, {}
        for i, a in enumerate(self.members):
            for j, b in enumerate(self.members[i + 1:], start=i + 1):
                for body in ("unga", "unsc"):
                    paired = paired_votes(store.table("votes"), store.table("decisions"),
                                          store.table("decision_issues"), a, b, body=body, since=self.since,
                                          until=self.until)
                    for row in alignment(paired, self.freq).to_pyarrow().to_pylist():
                        if not row["votes"]:
                            continue
                        cell = result.setdefault(row.get("period"), {}).setdefault((i, j), [0.0, 0])
                        cell[0] += row["agreement"] * row["votes"]
                        cell[1] += row["votes"]
        return {p: _symmetric(cells, len(self.members)) for p, cells in result.items()}

    def _rhetoric(self) -> dict:
        """{period: [M, M] mean warmth, (score + 1) / 2, of members' documents toward each other}."""
        con, index = self.wl.store.con, {m: i for i, m in enumerate(self.members)}
        rows = con.execute("""SELECT date, issuers, parties, text FROM documents
            WHERE list_has_any(issuers, ?) AND (? IS NULL OR date >= ?) AND (? IS NULL OR date <= ?)""",
                           [self.members, self.since, self.since, self.until, self.until]).fetchall()
        lex, cells = analysis.lexicons(self.wl.watch), {}
        for day, issuers, parties, text in rows:
            period = period_grid(day, day, self.freq)[0] if self.freq else None
            scores = analysis.warmth(text, lex, [p for p in parties or [] if p not in issuers], list(issuers))
            for issuer in (i for i in issuers if i in index):
                for actor, entry in scores.items():
                    if actor in index and entry["warm"] + entry["hostile"]:
                        cell = cells.setdefault(period, {}).setdefault(tuple(sorted((index[issuer], index[actor]))),
                                                                       [0.0, 0])
                        cell[0] += (entry["score"] + 1) / 2
                        cell[1] += 1
        return {p: _symmetric(c, len(self.members)) for p, c in cells.items()}

    def components(self, period=None, years: float | None = None) -> dict[str, np.ndarray]:
        m = len(self.members)
        counts = self.counts(period)
        nan = np.full((m, m), np.nan)
        rate = self._pair_matrix(_pick(self.exchanges, period)) / (years or self._years())
        exchanges = ties._ratio(rate, rate + self.baseline_rate)
        exchanges = np.where(np.isnan(exchanges), 0.0, exchanges) if self._covered(period) else nan.copy()
        np.fill_diagonal(exchanges, np.nan)
        return {"events": ties.events_component(counts.media, counts.goldstein), "exchanges": exchanges,
                "votes": self.votes.get(period, nan), "rhetoric": self.rhetoric.get(period, nan)}

    def _covered(self, period) -> bool:
        """Whether the curated timeline covers the period (or window): no entry is news only then."""
        start, first = period or self.since, self.timeline_start
        return first is not None and (start is None or start >= first.replace(month=1, day=1))

    def _years(self) -> float:
        if self.since is None or self.until is None:
            return 1.0
        return max((self.until - self.since).days + 1, 1) / 365.25


def _pick(table: pa.Table, period) -> pa.Table:
    if period is None or table.num_rows == 0:
        return table
    return table.filter(pa.compute.equal(table["period"], pa.scalar(period, table.schema.field("period").type)))


def _symmetric(cells: dict, m: int) -> np.ndarray:
    out = np.full((m, m), np.nan)
    for (i, j), (total, n) in cells.items():
        if n:
            out[i, j] = out[j, i] = total / n
    return out


def _weights(settings) -> dict[str, float]:
    return {c: settings.weights.get(c, 0.0) for c in ties.COMPONENTS}


def _dyad_rows(members, components, strength, weights, low=None, high=None) -> list[dict]:
    """Per dyad: tie strength, each component's value, which were used and why others were missing."""
    rows, active = [], [c for c in ties.COMPONENTS if weights[c] > 0]
    for i, a in enumerate(members):
        for j, b in enumerate(members[i + 1:], start=i + 1):
            values = {c: _num(components[c][i, j]) for c in ties.COMPONENTS}
            row = {"dyad": f"{a}-{b}", "tie_strength": _num(strength[i, j]), **values,
                   "used": [c for c in active if values[c] is not None],
                   "missing": {c: MISSING[c] for c in active if values[c] is None}}
            if low is not None:
                row.update(low=_num(low[i, j]), high=_num(high[i, j]))
            rows.append(row)
    return rows


def _num(value) -> float | None:
    return None if value is None or np.isnan(value) else round(float(value), 4)


def default_window(wl, since: date | None, until: date | None) -> tuple[date, date]:
    """The window asked for, or the last `window_days` up to the latest event in the store."""
    if since and until:
        return since, until
    latest = wl.store.con.execute("SELECT max(event_date) FROM events").fetchall()[0][0]
    if latest is None:
        raise InvalidArgument("the store holds no events: run `weaklink demo` or ingest data first")
    until = until or latest
    return since or until - timedelta(days=wl.watch.cohesion.window_days - 1), until


def weakest_link(wl, bloc: str, since: date | None = None, until: date | None = None) -> dict:
    """The member with the lowest commitment (or None when intervals overlap), with centrality."""
    since, until = default_window(wl, since, until)
    data, settings = BlocData(wl, bloc, since, until), wl.watch.cohesion
    members, weights = data.members, _weights(settings)
    counts, components = data.counts(), data.components()
    strength = ties.tie_strength(components, weights)
    commitment = ties.member_commitment(ties.directed_commitment(counts))
    boot = ties.bootstrap(counts, {k: v for k, v in components.items() if k != "events"}, weights,
                          settings.replicates, settings.seed)
    low, high = ties.interval(boot.commitment, settings.level)
    s_low, s_high = ties.interval(boot.strength, settings.level)
    degree = ties.weighted_degree(strength)
    weakest_index = ties.weakest(commitment, low, high)
    p_weakest = np.bincount(np.nanargmin(np.where(np.isnan(boot.commitment), np.inf, boot.commitment), axis=1),
                            minlength=len(members)) / settings.replicates
    central = int(np.nanargmax(degree)) if np.any(degree > 0) else None
    return {
        "bloc": bloc, "window": {"since": since.isoformat(), "until": until.isoformat()},
        "weakest": members[weakest_index] if weakest_index is not None else None,
        "lowest": members[int(np.nanargmin(commitment))] if not np.all(np.isnan(commitment)) else None,
        "most_central": members[central] if central is not None else None,
        "members": [{"actor": m, "commitment": _num(commitment[k]), "low": _num(low[k]), "high": _num(high[k]),
                     "centrality": _num(degree[k]), "betweenness": _num(b),
                     "p_weakest": round(float(p_weakest[k]), 3)}
                    for k, (m, b) in enumerate(zip(members, _betweenness(members, strength)))],
        "components": _dyad_rows(members, components, strength, weights, s_low, s_high),
        "method": {"weights": weights, "replicates": settings.replicates, "level": settings.level,
                   "seed": settings.seed, "datasets": settings.datasets},
        "events_used": int(counts.media.sum()), "curated_used": int(counts.curated.sum()),
        "summary": _summary(members, commitment, low, high, weakest_index, central),
    }


def _betweenness(members: list[str], strength: np.ndarray) -> list[float]:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(members)
    for i, a in enumerate(members):
        for j, b in enumerate(members[i + 1:], start=i + 1):
            if not np.isnan(strength[i, j]) and strength[i, j] > 0:
                graph.add_edge(a, b, distance=1.0 / strength[i, j])
    scores = nx.betweenness_centrality(graph, weight="distance", normalized=True)
    return [scores[m] for m in members]


def _summary(members, commitment, low, high, weakest_index, central) -> str:
    if np.all(np.isnan(commitment)):
        return "No member's commitment can be measured in this window: no events or curated entries among them."
    lowest = int(np.nanargmin(commitment))
    name = members[lowest]
    text = (f"{name} has the lowest commitment ({commitment[lowest]:.2f}, interval {low[lowest]:.2f}–"
            f"{high[lowest]:.2f}).")
    if weakest_index is None:
        text += " Its interval overlaps another member's: no member is clearly the weakest."
    else:
        text += f" Its interval lies below every other member's: {name} is the weakest link."
    if central is not None:
        text += f" The most central member (weighted degree) is {members[central]}."
        if weakest_index is not None and central == weakest_index:
            text += " It is both the most central and the least committed member."
    return text


def cohesion_series(wl, bloc: str, freq: str, since: date | None, until: date | None) -> list[dict]:
    """Per period: bloc cohesion (mean tie strength over its dyads) and each dyad's tie strength."""
    data, weights = BlocData(wl, bloc, since, until, freq), _weights(wl.watch.cohesion)
    periods = sorted({p for t in (data.media, data.curated) for p in t["period"].to_pylist() if p is not None})
    years = {"day": 1 / 365.25, "week": 7 / 365.25, "month": 1 / 12, "quarter": 0.25, "year": 1.0}[freq]
    rows = []
    for period in periods:
        components = data.components(period, years)
        strength = ties.tie_strength(components, weights)
        dyads = _dyad_rows(data.members, components, strength, weights)
        values = [d["tie_strength"] for d in dyads if d["tie_strength"] is not None]
        rows.append({"period": period, "bloc": bloc, "cohesion": _num(np.mean(values)) if values else None,
                     "dyads_measured": len(values), **{d["dyad"]: d["tie_strength"] for d in dyads}})
    return rows


def attribution(wl, bloc: str, first: tuple[date, date], second: tuple[date, date], top: int = 3) -> dict:
    """Which dyads and components moved the bloc's cohesion between two windows, with the events behind."""
    weights = _weights(wl.watch.cohesion)
    windows = [BlocData(wl, bloc, *first), BlocData(wl, bloc, *second)]
    parts = [w.components() for w in windows]
    strengths = [ties.tie_strength(p, weights) for p in parts]
    members, moves = windows[0].members, []
    for i, a in enumerate(members):
        for j, b in enumerate(members[i + 1:], start=i + 1):
            moves.append(_dyad_move(wl, a, b, i, j, parts, strengths, weights, second, top))
    cohesion = [_num(np.nanmean([strengths[k][i, j] for i in range(len(members)) for j in range(i + 1, len(members))]))
                for k in (0, 1)]
    moves.sort(key=lambda m: -abs(m["change"] or 0))
    return {"bloc": bloc, "first": [d.isoformat() for d in first], "second": [d.isoformat() for d in second],
            "cohesion": cohesion, "change": _num((cohesion[1] or 0) - (cohesion[0] or 0))
            if None not in cohesion else None, "dyads": moves}


def _weighted_parts(part: dict, weights: dict, i: int, j: int) -> dict[str, float]:
    """Each available component's share of the tie strength: w_c * x_c / (sum of available w)."""
    available = {c: part[c][i, j] for c in ties.COMPONENTS if not np.isnan(part[c][i, j]) and weights[c] > 0}
    total = sum(weights[c] for c in available)
    return {c: weights[c] * x / total for c, x in available.items()} if total else {}


def _dyad_move(wl, a, b, i, j, parts, strengths, weights, window, top) -> dict:
    """A dyad's change in tie strength, split exactly into its components' changes."""
    before, after = (_weighted_parts(p, weights, i, j) for p in parts)
    contributions = {c: _num(after.get(c, 0.0) - before.get(c, 0.0)) for c in ties.COMPONENTS
                     if c in before or c in after}
    change = strengths[1][i, j] - strengths[0][i, j]
    return {"dyad": f"{a}-{b}", "before": _num(strengths[0][i, j]), "after": _num(strengths[1][i, j]),
            "change": _num(change), "components": contributions,
            "top_events": wl.top_events(a, b, *window, limit=top)}
