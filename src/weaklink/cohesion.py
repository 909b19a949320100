"""Bloc cohesion and the weakest link: gathers counts from the store, computes with indicators/ties.py.

Every function returns plain data (dicts and lists) for the API, CLI and reports to render.
See docs/cohesion.md for the method.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from weaklink.coverage import window_coverage
from weaklink.errors import InvalidArgument
from weaklink.indicators import ties
from weaklink.indicators.bloc_counts import (
    OTHER,
    code_table,
    curated_cells,
    exchange_totals,
    media_cells,
    vote_pairs,
)
from weaklink.indicators.exchanges import period_grid
from weaklink.messages import message as _
from weaklink.reference import countries

MISSING = {
    "events": _("no media-coded event between the two in the window"),
    "exchanges": _("the curated timeline in the store does not cover this window"),
    "votes": _("no vote cast by both states in the window"),
    "rhetoric": _("no document by one of them that names the other with warm or hostile words in the window"),
}
MISSING_EVER = {   # the same, for a series over many periods
    "events": _("no media-coded event between the two in any period"),
    "exchanges": _("the curated timeline in the store does not cover this window"),
    "votes": _("no vote cast by both states in any period"),
    "rhetoric": _("no document by one of them that names the other with warm or hostile words in any period"),
}
CLUSTER_NAMES = {"media": "media_articles", "curated": "curated_entries", "votes": "vote_decisions"}
YEARS = {"day": 1 / 365.25, "week": 7 / 365.25, "month": 1 / 12, "quarter": 0.25, "year": 1.0}


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


def _positions(column: pa.ChunkedArray, index: dict[str, int]) -> np.ndarray:
    return np.array([index[v] for v in column.to_pylist()], dtype=int)


def _values(table: pa.Table, column: str | None) -> np.ndarray:
    if column is None:
        return np.ones(table.num_rows)
    return np.nan_to_num(np.array(table[column].to_pylist(), dtype=float))


def _cell_part(table: pa.Table, index: dict[str, int], value: str) -> tuple:
    """Rows (cluster, src, tgt, quad_class, value) -> cells of a [M, M + 1, 4] array."""
    m = len(index) - 1
    quad = np.array(table["quad_class"].to_pylist(), dtype=int) - 1
    cells = (_positions(table["src"], index) * (m + 1) + _positions(table["tgt"], index)) * 4 + quad
    return table["cluster"].to_pylist(), cells, _values(table, value), (m, m + 1, 4)


def _pair_part(table: pa.Table, index: dict[str, int], value: str | None) -> tuple:
    """Rows (cluster, a, b, value) -> both cells (a, b) and (b, a) of a [M, M] array."""
    m, keys = len(index) - 1, table["cluster"].to_pylist()
    a, b, values = _positions(table["a"], index), _positions(table["b"], index), _values(table, value)
    return keys + keys, np.r_[a * m + b, b * m + a].astype(int), np.r_[values, values], (m, m)


def _clusters(parts: dict[str, tuple]) -> ties.Clusters:
    """Parts (keys, cells, values, shape) sharing one cluster index, clusters in a fixed (sorted) order."""
    keys = sorted({k for part in parts.values() for k in part[0]})
    index = {k: i for i, k in enumerate(keys)}
    return ties.Clusters(len(keys), {name: (np.array([index[k] for k in ks], dtype=int), cells, values, shape)
                                     for name, (ks, cells, values, shape) in parts.items()})


def _sample(sources: dict[str, ties.Clusters]) -> dict[str, np.ndarray]:
    return {name: value for clusters in sources.values() for name, value in clusters.total().items()}


class BlocData:
    """Everything the tie measures need for one bloc and window (optionally split into periods), kept
    cluster by cluster: media events per article, curated entries, votes per decision."""

    def __init__(self, wl, bloc: str, since: date | None, until: date | None, freq: str | None = None):
        self.wl, self.bloc, self.freq = wl, bloc, freq
        self.members = list(wl.watch.bloc(bloc).members)
        self.settings = wl.watch.cohesion
        self.since, self.until = since, until
        events, low = wl.events(), self.settings.include_low_confidence
        codes = code_table(_code_map(wl, self.members))
        self.media = media_cells(events, codes, since, until, freq, tuple(self.settings.datasets)).to_pyarrow()
        self.curated = curated_cells(events, self.members, since, until, freq, low).to_pyarrow()
        self.exchanges = exchange_totals(events, self.members, since, until, freq, low).to_pyarrow()
        self.votes = vote_pairs(wl.store.table("votes"), wl.store.table("decisions"), self.members, since, until,
                                freq).to_pyarrow()
        self.pair_start = self._pair_start()
        self.baseline_rate = self._baseline_rate(events)
        self.rhetoric = self._rhetoric()

    def clusters(self, period=None) -> dict[str, ties.Clusters]:
        """The window's (or one period's) data as clusters: media articles, curated entries, vote decisions."""
        index = {m: i for i, m in enumerate(self.members)} | {OTHER: len(self.members)}
        media, curated, exchanges, votes = (_pick(t, period) for t in
                                            (self.media, self.curated, self.exchanges, self.votes))
        return {
            "media": _clusters({"media": _cell_part(media, index, "n"),
                                "goldstein_sum": _cell_part(media, index, "goldstein_sum")}),
            "curated": _clusters({"curated": _cell_part(curated, index, "n"),
                                  "exchanges": _pair_part(exchanges, index, "n")}),
            "votes": _clusters({"vote_sum": _pair_part(votes, index, "agreement"),
                                "vote_n": _pair_part(votes, index, None)}),
        }

    def fixed(self, period=None, years: float | None = None) -> ties.Fixed:
        """What resampling holds fixed for the window (or one period)."""
        nan = np.full((len(self.members),) * 2, np.nan)
        return ties.Fixed(self.baseline_rate, years or self._years(), self._covered(period),
                          self.rhetoric.get(period, nan))

    def components(self, period=None, years: float | None = None) -> dict[str, np.ndarray]:
        return ties.components(_sample(self.clusters(period)), self.fixed(period, years))

    def periods(self) -> list[date]:
        """Every period from the first to the last in which the bloc has media events or curated entries."""
        found = {p for t in (self.media, self.curated) for p in t["period"].to_pylist() if p is not None}
        return period_grid(min(found), max(found), self.freq) if found else []

    def _pair_start(self) -> np.ndarray:
        """[M, M] the first day of the year in which the timeline first records the two together (None: never).
        The timeline is taken to cover a dyad from then on; before, its exchanges are unknown, not zero."""
        rows = self.wl.store.sql.execute("""
            WITH parts AS (SELECT record_id, event_date, unnest(actors) AS actor FROM events WHERE dataset = 'curated')
            SELECT a.actor, b.actor, min(a.event_date) FROM parts AS a JOIN parts AS b USING (record_id)
            WHERE a.actor < b.actor GROUP BY 1, 2""").fetchall()
        index, out = {m: i for i, m in enumerate(self.members)}, np.full((len(self.members),) * 2, None)
        for a, b, first in rows:
            if a in index and b in index:
                out[index[a], index[b]] = out[index[b], index[a]] = first.replace(month=1, day=1)
        return out

    def _baseline_rate(self, events) -> np.ndarray:
        """[M, M] exchanges per year over the part of the baseline the timeline covers for each dyad."""
        s = self.settings
        table = exchange_totals(events, self.members, s.baseline_since, s.baseline_until,
                                include_low=s.include_low_confidence).to_pyarrow()
        starts = [[max(first, s.baseline_since) if first else None for first in row] for row in self.pair_start]
        years = np.array([[((s.baseline_until - start).days + 1) / 365.25 if start and start <= s.baseline_until
                            else np.nan for start in row] for row in starts])
        with np.errstate(invalid="ignore"):
            return self._pair_matrix(table) / years

    def _pair_matrix(self, table: pa.Table) -> np.ndarray:
        index = {m: i for i, m in enumerate(self.members)}
        out = np.zeros((len(self.members), len(self.members)))
        for a, b, n in zip(table["a"].to_pylist(), table["b"].to_pylist(), table["n"].to_pylist()):
            out[index[a], index[b]] += n
            out[index[b], index[a]] += n
        return out

    def _rhetoric(self) -> dict:
        """{period: [M, M] directed warmth: [i, j] the mean of (score + 1) / 2 over member i's documents naming
        member j with warm or hostile words}, score = (warm - hostile) / (warm + hostile) words in the sentences
        naming j (from the statistics tables, docs/rhetoric.md). Not symmetric: i on j is not j on i."""
        if not self.wl.store.supports("documents"):  # no documents on this backend (docs/store.md, "Backends")
            return {}
        self.wl._ensure_text_stats()
        index = {m: i for i, m in enumerate(self.members)}
        rows = self.wl.store.con.execute("""
            SELECT d.date, d.issuers, a.actor, a.warm_terms, a.hostile_terms
            FROM documents AS d JOIN doc_actor_stats AS a USING (doc_id)
            WHERE list_has_any(d.issuers, $members) AND list_contains($members, a.actor)
              AND NOT list_contains(d.issuers, a.actor) AND a.warm_terms + a.hostile_terms > 0
              AND ($since IS NULL OR d.date >= $since) AND ($until IS NULL OR d.date <= $until)""",
                                         {"members": self.members, "since": self.since, "until": self.until}
                                         ).fetchall()
        cells: dict = {}
        for day, issuers, actor, warm, hostile in rows:
            period = period_grid(day, day, self.freq)[0] if self.freq else None
            for issuer in (i for i in issuers if i in index):
                cell = cells.setdefault(period, {}).setdefault((index[issuer], index[actor]), [0.0, 0])
                cell[0] += ((warm - hostile) / (warm + hostile) + 1) / 2
                cell[1] += 1
        return {p: _directed(c, len(self.members)) for p, c in cells.items()}
    def _covered(self, period) -> np.ndarray:
        """[M, M] whether the timeline covers each dyad in the period (or window): no entry is news only then."""
        start = period or self.since
        return np.array([[first is not None and (start is None or start >= first) for first in row]
                         for row in self.pair_start])

    def _years(self) -> float:
        if self.since is None or self.until is None:
            return 1.0
        return max((self.until - self.since).days + 1, 1) / 365.25


def _pick(table: pa.Table, period) -> pa.Table:
    if period is None or table.num_rows == 0:
        return table
    return table.filter(pa.compute.equal(table["period"], pa.scalar(period, table.schema.field("period").type)))


def _directed(cells: dict, m: int) -> np.ndarray:
    out = np.full((m, m), np.nan)
    for (i, j), (total, n) in cells.items():
        out[i, j] = total / n
    return out


def _weights(settings) -> dict[str, float]:
    return {c: settings.weights.get(c, 0.0) for c in ties.COMPONENTS}


def _named(components: list[str] | None, weights: dict[str, float]) -> list[str] | None:
    """The components the user asked for, checked; None when they asked for none."""
    if not components:
        return None
    for c in components:
        if c not in ties.COMPONENTS:
            raise InvalidArgument(f"unknown component {c!r}: use {', '.join(ties.COMPONENTS)}")
        if weights[c] <= 0:
            raise InvalidArgument(f"component {c!r} has weight 0 in the watch file's [cohesion] weights")
    return list(dict.fromkeys(components))


def _pairs(members: list[str]):
    for i, a in enumerate(members):
        for j, b in enumerate(members[i + 1:], start=i + 1):
            yield f"{a}-{b}", i, j


def _dyad_rows(members, components, strength, weights, low=None, high=None, clusters=None,
               directed=None) -> list[dict]:
    """Per dyad: tie strength, each component's value, which were used and why others were missing, and
    (given `directed`, [M, M]) the rhetoric of each member toward the other."""
    rows, active = [], [c for c in ties.COMPONENTS if weights[c] > 0]
    for name, i, j in _pairs(members):
        values = {c: _num(components[c][i, j]) for c in ties.COMPONENTS}
        row = {"dyad": name, "tie_strength": _num(strength[i, j]), **values,
               "used": [c for c in active if values[c] is not None],
               "missing": {c: MISSING[c] for c in active if values[c] is None}}
        if directed is not None:
            row["rhetoric_directed"] = {f"{members[i]}→{members[j]}": _num(directed[i, j]),
                                        f"{members[j]}→{members[i]}": _num(directed[j, i])}
        if low is not None:
            row.update(low=_num(low[i, j]), high=_num(high[i, j]))
        if clusters is not None:
            row["clusters"] = {key: int(counts[i, j]) for key, counts in clusters.items()}
        rows.append(row)
    return rows


def _num(value) -> float | None:
    return None if value is None or np.isnan(value) else round(float(value), 4)


def default_window(wl, since: date | None, until: date | None) -> tuple[date, date]:
    """The window asked for, or the last `window_days` up to the last day the data cover (coverage.data_as_of)."""
    if since and until:
        return since, until
    from weaklink.coverage import data_as_of

    latest = until or data_as_of(wl)
    if latest is None:
        raise InvalidArgument("the store holds no data: run `weaklink demo` or ingest data first")
    return since or latest - timedelta(days=wl.watch.cohesion.window_days - 1), latest


def weakest_link(wl, bloc: str, since: date | None = None, until: date | None = None) -> dict:
    """The member with the lowest commitment (or None when intervals overlap), with centrality."""
    since, until = default_window(wl, since, until)
    data, settings = BlocData(wl, bloc, since, until), wl.watch.cohesion
    members, weights = data.members, _weights(settings)
    sources, fixed = data.clusters(), data.fixed()
    sample = _sample(sources)
    components = ties.components(sample, fixed)
    use = {c: ~np.isnan(v) for c, v in components.items()}  # replicates keep the point estimate's footing
    strength = ties.tie_strength(components, weights, use)
    commitment = ties.commitment(sample, members)
    boot = ties.bootstrap(list(sources.values()), fixed, members, weights, use, settings.replicates, settings.seed)
    low, high = ties.interval(boot.commitment, settings.level)
    s_low, s_high = ties.interval(boot.strength, settings.level)
    degree = ties.weighted_degree(strength)
    weakest_index = ties.weakest(commitment, low, high)
    p_weakest = _p_lowest(boot.commitment)
    ranks = _ranks(members, commitment, degree)
    central = members.index(ranks["most_central"]) if ranks["most_central"] else None
    clusters = {CLUSTER_NAMES[k]: c.size for k, c in sources.items()}
    covered = window_coverage(wl, [*settings.datasets, "curated", "unga", "unsc"], since, until)
    return {
        "bloc": bloc, "window": {"since": since.isoformat(), "until": until.isoformat()},
        "weakest": members[weakest_index] if weakest_index is not None else None, **ranks,
        "members": [{"actor": m, "commitment": _num(commitment[k]), "low": _num(low[k]), "high": _num(high[k]),
                     "centrality": _num(degree[k]), "betweenness": _num(b),
                     "p_weakest": round(float(p_weakest[k]), 3)}
                    for k, (m, b) in enumerate(zip(members, _betweenness(members, strength)))],
        "components": _dyad_rows(members, components, strength, weights, s_low, s_high,
                                 _dyad_clusters(sources, len(members)), fixed.rhetoric),
        "clusters": clusters, "coverage": covered,
        "method": {"weights": weights, "replicates": settings.replicates, "level": settings.level,
                   "seed": settings.seed, "datasets": settings.datasets,
                   "resampled": "clusters: media events by article, curated entries, votes by decision",
                   "include_low_confidence": settings.include_low_confidence},
        "events_used": int(sample["media"].sum()), "curated_used": clusters["curated_entries"],
        "summary": _summary(members, commitment, low, high, weakest_index, central, clusters, ranks["central_tie"])
                   + _coverage_note(covered),
    }


def _coverage_note(covered: list[dict]) -> str:
    """A sentence naming the sources that cover only part of the window (or none of it)."""
    thin = [f"{c['source']} {c['days_covered']} of its {c['days']} days (last {c['last']})" if c["last"]
            else f"no {c['source']} data" for c in covered if c["fraction"] < 1]
    return f" Data cover only part of the window: {'; '.join(thin)}." if thin else ""


def _p_lowest(samples: np.ndarray) -> np.ndarray:
    """[M] the share of replicates in which each member has the lowest value (ties shared evenly)."""
    filled = np.where(np.isnan(samples), np.inf, samples)
    lowest = np.isclose(filled, filled.min(axis=1, keepdims=True), rtol=0, atol=1e-12) & np.isfinite(filled)
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(lowest / lowest.sum(axis=1, keepdims=True)).mean(axis=0)


def _ranks(members: list[str], commitment: np.ndarray, degree: np.ndarray) -> dict:
    """The lowest commitment and the highest centrality; a tie is listed, never broken by member order."""
    bottom = _at_extreme(members, commitment, min)
    top = _at_extreme(members, degree, max) if np.any(degree > 0) else []
    return {"lowest": bottom[0] if bottom else None, "lowest_tie": bottom if len(bottom) > 1 else [],
            "most_central": top[0] if len(top) == 1 else None, "central_tie": top if len(top) > 1 else []}


def _at_extreme(members: list[str], values: np.ndarray, extreme) -> list[str]:
    """Every member at the extreme value: more than one is a tie, which no member order may break."""
    known = [v for v in values if not np.isnan(v)]
    best = extreme(known) if known else None
    return [m for m, v in zip(members, values) if best is not None and not np.isnan(v) and abs(v - best) < 1e-9]


def _dyad_clusters(sources: dict[str, ties.Clusters], m: int) -> dict[str, np.ndarray]:
    """Per dyad: the articles, curated entries and vote decisions that carry something between the two."""
    return {"media_articles": sources["media"].per_dyad(m, "media"),
            "curated_entries": sources["curated"].per_dyad(m, "curated", "exchanges"),
            "vote_decisions": sources["votes"].per_dyad(m, "vote_n")}


def _betweenness(members: list[str], strength: np.ndarray) -> list[float]:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(members)
    for a, i, j in _pairs(members):
        if not np.isnan(strength[i, j]) and strength[i, j] > 0:
            graph.add_edge(members[i], members[j], distance=1.0 / strength[i, j])
    scores = nx.betweenness_centrality(graph, weight="distance", normalized=True)
    return [scores[m] for m in members]


def _summary(members, commitment, low, high, weakest_index, central, clusters, central_tie) -> str:
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
    elif len(central_tie) > 1:
        text += f" {' and '.join(central_tie)} are equally central (weighted degree)."
    text += (f" Intervals resample {clusters['media_articles']} news articles, {clusters['curated_entries']} "
             f"curated entries and {clusters['vote_decisions']} vote decisions.")
    return text


def cohesion_series(wl, bloc: str, freq: str, since: date | None, until: date | None,
                    components: list[str] | None = None) -> dict:
    """Per period: bloc cohesion (mean tie strength over its dyads) and each dyad's tie strength, each dyad
    on one component set for the whole span, from the first to the last period with a value.
    Returns {"rows": [...], "components": {dyad: used, left out and why, periods without value}}."""
    data, weights = BlocData(wl, bloc, since, until, freq), _weights(wl.watch.cohesion)
    named, periods = _named(components, weights), data.periods()
    values = [data.components(p, YEARS[freq]) for p in periods]
    while periods:
        available = {c: np.array([~np.isnan(v[c]) for v in values]) for c in ties.COMPONENTS}
        use = ties.choose_components(available, weights, named)
        strengths = [ties.tie_strength(v, weights, use) for v in values]
        valued = [k for k, s in enumerate(strengths) if not np.all(np.isnan(s))]
        if not valued or (valued[0], valued[-1]) == (0, len(periods) - 1):
            break  # the span runs from the first to the last period with a value: choose again on it
        periods, values = periods[valued[0]:valued[-1] + 1], values[valued[0]:valued[-1] + 1]
    if not periods or not valued:
        return {"rows": [], "components": {}}
    kept = [(name, i, j) for name, i, j in _pairs(data.members) if any(use[c][i, j] for c in use)]
    rows = []
    for period, strength in zip(periods, strengths):
        dyads = {name: _num(strength[i, j]) for name, i, j in _pairs(data.members)}
        measured = [dyads[name] for name, _i, _j in kept if dyads[name] is not None]
        complete = bool(kept) and len(measured) == len(kept)
        rows.append({"period": period, "bloc": bloc, "cohesion": _num(np.mean(measured)) if complete else None,
                     "dyads_measured": len(measured), **dyads})
    return {"rows": rows, "components": {name: _footing(i, j, use, available, weights, named, periods, strengths)
                                         for name, i, j in _pairs(data.members)}}


def _footing(i, j, use, available, weights, named, periods, strengths) -> dict:
    """Which components a dyad's series uses, which it leaves out and why, and where it has no value."""
    used = [c for c in ties.COMPONENTS if use[c][i, j]]
    left_out = {}
    for c in (c for c in ties.COMPONENTS if c not in used):
        measured = available[c][:, i, j]
        if weights[c] <= 0:
            left_out[c] = _("weight 0 in the watch file")
        elif named is not None:
            left_out[c] = _("not among the components asked for")
        elif not measured.any():
            left_out[c] = MISSING_EVER[c]
        else:
            left_out[c] = _("measured in %(measured)s of %(periods)s periods only (%(ranges)s): it would move the "
                            "series where it starts or stops", measured=int(measured.sum()), periods=len(periods),
                            ranges=_ranges(periods, measured))
    gaps = np.array([np.isnan(s[i, j]) for s in strengths])
    return {"used": used, "left_out": left_out,
            "no_value": _ranges(periods, gaps) if used else "every period: no component is measured throughout"}


def _ranges(periods: list[date], mask: np.ndarray) -> str:
    """The periods where mask is true, runs joined: '2015-01-01–2016-01-01, 2019-01-01'."""
    runs, start = [], None
    for k, flag in enumerate(list(mask) + [False]):
        if flag and start is None:
            start = k
        elif not flag and start is not None:
            first, last = periods[start].isoformat(), periods[k - 1].isoformat()
            runs.append(first if start == k - 1 else f"{first}–{last}")
            start = None
    return ", ".join(runs)


def attribution(wl, bloc: str, first: tuple[date, date], second: tuple[date, date], top: int = 3,
                components: list[str] | None = None) -> dict:
    """Which dyads and components moved the bloc's cohesion between two windows, with the events behind.
    Both windows use one component set per dyad: those measured in both (or those named)."""
    weights = _weights(wl.watch.cohesion)
    named = _named(components, weights)
    windows = [BlocData(wl, bloc, *first), BlocData(wl, bloc, *second)]
    parts = [w.components() for w in windows]
    available = {c: np.array([~np.isnan(p[c]) for p in parts]) for c in ties.COMPONENTS}
    use = {c: (np.full(available[c].shape[1:], c in named) if named is not None else available[c].all(axis=0))
           & (weights[c] > 0) for c in ties.COMPONENTS}
    strengths = [ties.tie_strength(p, weights, use) for p in parts]
    members, moves = windows[0].members, []
    for name, i, j in _pairs(members):
        a, b = members[i], members[j]
        moves.append(_dyad_move(wl, a, b, i, j, parts, strengths, weights, use, available, named, second, top))
    both = [(m["before"], m["after"]) for m in moves if m["change"] is not None]
    cohesion = [_num(np.mean([pair[k] for pair in both])) if both else None for k in (0, 1)]
    moves.sort(key=lambda m: -abs(m["change"] or 0))
    return {"bloc": bloc, "first": [d.isoformat() for d in first], "second": [d.isoformat() for d in second],
            "cohesion": cohesion, "change": _num(cohesion[1] - cohesion[0]) if None not in cohesion else None,
            "dyads_compared": len(both), "components_named": named, "dyads": moves}


def _dyad_move(wl, a, b, i, j, parts, strengths, weights, use, available, named, window, top) -> dict:
    """A dyad's change in tie strength on one component set, split exactly into its components' changes:
    (w_c / W) * (x_c after - x_c before), with W the summed weight of the set, the same in both windows."""
    used = [c for c in ties.COMPONENTS if use[c][i, j]]
    total = sum(weights[c] for c in used)
    before, after = strengths[0][i, j], strengths[1][i, j]
    measured = not (np.isnan(before) or np.isnan(after))
    contributions = {c: _num(weights[c] / total * (parts[1][c][i, j] - parts[0][c][i, j]))
                     for c in used} if measured else {}
    left_out = {}
    for c in (c for c in ties.COMPONENTS if c not in used or not available[c][:, i, j].all()):
        if weights[c] <= 0:
            left_out[c] = _("weight 0 in the watch file")
        elif named is not None and c not in named:
            left_out[c] = _("not among the components asked for")
        else:
            windows = [w for w, ok in zip(("first", "second"), available[c][:, i, j]) if not ok]
            where = _("either window") if len(windows) == 2 else \
                _("the first window") if windows[0] == "first" else _("the second window")
            left_out[c] = _("not measured in %(where)s (%(why)s)", where=where, why=MISSING[c])
    return {"dyad": f"{a}-{b}", "before": _num(before), "after": _num(after),
            "change": _num(after - before) if measured else None, "components": contributions,
            "used": used, "left_out": left_out, "top_events": wl.top_events(a, b, *window, limit=top)}
