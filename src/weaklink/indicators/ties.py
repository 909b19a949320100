"""Bloc ties from counts: tie strength per dyad, directed commitment per member, bootstrap intervals.

Pure NumPy over small dense arrays. For a bloc of M members the media counts are an array
`counts[M, M + 1, 4]`: events initiated by member i (actor 1) toward member j (actor 2), the last
column holding every other (non-member) target, split by GDELT quad class (1 verbal cooperation,
2 material cooperation, 3 verbal conflict, 4 material conflict); `goldstein[M, M + 1, 4]` holds the
mean Goldstein score of each cell. Curated timeline entries have the same shape (initiator first).
Every measure is a ratio of counts, so multiplying all volumes by a constant changes nothing, and
no actor is treated differently from another.

A *sample* is a dict of the window's counts: `media`, `goldstein_sum` and `curated` [M, M + 1, 4],
`exchanges` (curated exchanges per member pair), `vote_sum` and `vote_n` (summed agreement and
decisions per member pair) [M, M]. Intervals come from a cluster bootstrap (`Clusters`): whole news
articles, curated entries and vote decisions are redrawn, never single events.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations

import numpy as np

COMPONENTS = ("events", "exchanges", "votes", "rhetoric")


@dataclass
class BlocCounts:
    """Counts for one window; `members` orders the first two axes."""

    members: list[str]
    media: np.ndarray       # [M, M+1, 4] event counts
    goldstein: np.ndarray   # [M, M+1, 4] mean Goldstein per cell (0 where empty)
    curated: np.ndarray     # [M, M+1, 4] curated entry counts


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def events_component(media: np.ndarray, goldstein: np.ndarray) -> np.ndarray:
    """[M, M] symmetric: for each dyad, (cooperative share + (mean Goldstein + 10) / 20) / 2, NaN if no events."""
    m = media.shape[0]
    inner, g_inner = media[:, :m, :], media[:, :m, :] * goldstein[:, :m, :]
    both, g_both = inner + inner.transpose(1, 0, 2), g_inner + g_inner.transpose(1, 0, 2)
    total = both.sum(axis=2)
    coop_share = _ratio(both[:, :, 0] + both[:, :, 1], total)
    tone = (_ratio(g_both.sum(axis=2), total) + 10.0) / 20.0
    value = (coop_share + tone) / 2.0
    np.fill_diagonal(value, np.nan)
    return value


def tie_strength(components: dict[str, np.ndarray], weights: dict[str, float],
                 use: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Weighted mean of the components of each dyad (weights renormalised; NaN = missing).

    Without `use`, each dyad averages whichever components it has. With `use` (component -> [M, M] bool,
    the one set a series or comparison keeps for each dyad), a dyad averages exactly those components
    and is NaN where one of them is missing, so that values stay on one footing."""
    names = list(components)
    stack = np.stack([components[c] for c in names])
    w = np.array([weights.get(c, 0.0) for c in names])[:, None, None]
    if use is None:
        w = w * ~np.isnan(stack)
        return _ratio(np.nansum(stack * w, axis=0), w.sum(axis=0))
    chosen = np.stack([use.get(c, np.zeros(stack.shape[1:], bool)) for c in names]) & (w > 0)
    value = _ratio(np.nansum(stack * w * chosen, axis=0), (w * chosen).sum(axis=0))
    return np.where(np.any(chosen & np.isnan(stack), axis=0), np.nan, value)


def choose_components(available: dict[str, np.ndarray], weights: dict[str, float],
                      named: list[str] | None = None) -> dict[str, np.ndarray]:
    """Per dyad, the one component set kept for every period: component -> [M, M] bool.

    `available` maps each component to [P, M, M] (measured in period p). `named` components are kept
    for every dyad. Otherwise each dyad keeps the set (of components with weight > 0) that is measured
    together in the most periods; among equally long, the largest set, then the heaviest."""
    names = [c for c in available if weights.get(c, 0.0) > 0]
    shape = next(iter(available.values())).shape[1:]
    if named is not None:
        return {c: np.full(shape, c in named) for c in available}
    subsets = [s for r in range(len(names), 0, -1) for s in combinations(names, r)]
    use = {c: np.zeros(shape, bool) for c in available}
    for i, j in zip(*np.triu_indices(shape[0], 1)):
        ranked = [(_together(available, subset, i, j), len(subset), sum(weights[c] for c in subset), subset)
                  for subset in subsets]
        best = max(ranked, key=lambda r: r[:3], default=None)
        for c in best[3] if best and best[0] > 0 else ():
            use[c][i, j] = use[c][j, i] = True
    return use


def _together(available: dict[str, np.ndarray], subset: tuple[str, ...], i: int, j: int) -> int:
    """In how many periods every component of `subset` is measured for dyad (i, j)."""
    return int(np.all([available[c][:, i, j] for c in subset], axis=0).sum())


def _share_of_initiative(counts: np.ndarray) -> np.ndarray:
    """[M, M]: member i's share of the cooperative events between i and j that i initiated."""
    m = counts.shape[0]
    coop = counts[:, :m, 0] + counts[:, :m, 1]
    return _ratio(coop, coop + coop.T)


def _attention_balance(counts: np.ndarray) -> np.ndarray:
    """[M, M]: the share of its own activity i gives j, against the share j gives i (0.5 = even)."""
    m = counts.shape[0]
    totals = counts.sum(axis=(1, 2))[:, None]
    attention = _ratio(counts[:, :m, :].sum(axis=2), totals)
    return _ratio(attention, attention + attention.T)


def directed_commitment(counts: BlocCounts) -> np.ndarray:
    """[M, M]: what i puts into its tie with j relative to what it gets back (0.5 = reciprocal)."""
    parts = np.stack([_share_of_initiative(counts.media), _attention_balance(counts.media),
                      _share_of_initiative(counts.curated)])
    with _quiet():
        value = np.nanmean(parts, axis=0)
    np.fill_diagonal(value, np.nan)
    return value


@contextmanager
def _quiet():
    """Silence NumPy's 'mean of empty slice' warning: an all-NaN cell stays NaN on purpose."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def member_commitment(directed: np.ndarray) -> np.ndarray:
    with _quiet():
        return np.nanmean(directed, axis=1)


def _mean(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return np.nan_to_num(_ratio(sums, counts))


def commitment(sample: dict[str, np.ndarray], members: list[str]) -> np.ndarray:
    """[M] each member's commitment from a sample's media and curated cells."""
    counts = BlocCounts(members, sample["media"], _mean(sample["goldstein_sum"], sample["media"]),
                        sample["curated"])
    return member_commitment(directed_commitment(counts))


@dataclass
class Fixed:
    """What resampling keeps fixed: the baseline exchange rate, the window's length, which dyads the
    curated timeline covers in the window, and rhetoric (documents are not resampled)."""

    baseline_rate: np.ndarray   # [M, M] curated exchanges per covered baseline year (NaN: baseline not covered)
    years: float
    covered: np.ndarray | bool  # [M, M] whether the timeline covers each dyad in the window
    rhetoric: np.ndarray        # [M, M] directed: [i, j] how member i speaks of member j (NaN: no document)


def components(sample: dict[str, np.ndarray], fixed: Fixed) -> dict[str, np.ndarray]:
    """The four [M, M] tie components of a sample (see docs/cohesion.md); NaN = missing."""
    m = len(fixed.baseline_rate)
    events = events_component(sample["media"], _mean(sample["goldstein_sum"], sample["media"]))
    rate = sample["exchanges"] / fixed.years
    ratio = np.where(np.isnan(fixed.baseline_rate), np.nan, np.nan_to_num(_ratio(rate, rate + fixed.baseline_rate)))
    exchanges = np.where(np.broadcast_to(fixed.covered, (m, m)), ratio, np.nan)  # not covered: no data, not zero
    votes = _ratio(sample["vote_sum"], sample["vote_n"])
    for value in (exchanges, votes):
        np.fill_diagonal(value, np.nan)
    return {"events": events, "exchanges": exchanges, "votes": votes, "rhetoric": both_ways(fixed.rhetoric)}


def both_ways(directed: np.ndarray) -> np.ndarray:
    """[M, M] symmetric: the mean of i→j and j→i, each direction counted once whatever its number of
    documents; one direction alone where the other has none; NaN where neither has any."""
    stacked = np.stack([directed, directed.T])
    counted = (~np.isnan(stacked)).sum(axis=0)
    with np.errstate(invalid="ignore"):
        return np.where(counted > 0, np.nansum(stacked, axis=0) / np.maximum(counted, 1), np.nan)


@dataclass
class Clusters:
    """What each cluster (a news article, a curated entry, a vote decision) carries, kept sparse.

    `parts` maps a name to (cluster, cell, value, shape): cluster k adds `value` to cell `cell` of an
    array of `shape`. Summed over all clusters this gives the window's counts; a bootstrap replicate
    is the same sum with each cluster weighted by how often it was drawn."""

    size: int
    parts: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, ...]]]

    def __post_init__(self) -> None:
        for name, (cluster, cell, value, shape) in self.parts.items():
            order = np.argsort(cell, kind="stable")
            self.parts[name] = (cluster[order], cell[order], value[order], shape)

    @classmethod
    def from_arrays(cls, parts: dict[str, np.ndarray]) -> Clusters:
        """From dense arrays [K, *shape], one row per cluster."""
        size = len(next(iter(parts.values())))
        sparse = {}
        for name, array in parts.items():
            flat = array.reshape(size, int(np.prod(array.shape[1:])))
            cluster, cell = np.nonzero(flat)
            sparse[name] = (cluster, cell, flat[cluster, cell], array.shape[1:])
        return cls(size, sparse)

    def total(self) -> dict[str, np.ndarray]:
        return {name: np.bincount(cell, value, int(np.prod(shape))).reshape(shape)
                for name, (_, cell, value, shape) in self.parts.items()}

    def redraw(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        """weights [B, K] (times each cluster is drawn) -> each part [B, *shape]: `weights @ matrix`."""
        out = {}
        for name, (cluster, cell, value, shape) in self.parts.items():
            block = np.zeros((len(weights), int(np.prod(shape))))
            if len(cell):
                starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
                block[:, cell[starts]] = np.add.reduceat(weights[:, cluster] * value, starts, axis=1)
            out[name] = block.reshape(len(weights), *shape)
        return out

    def replicates(self, rng: np.random.Generator, replicates: int, budget: int = 4_000_000
                   ) -> Iterator[dict[str, np.ndarray]]:
        """One redrawn sample per replicate: K clusters drawn with replacement (multinomial weights),
        computed `budget` values at a time so that memory stays bounded on large windows."""
        nonzero = max(sum(len(p[1]) for p in self.parts.values()), self.size, 1)
        step = max(1, budget // nonzero)
        for start in range(0, replicates, step):
            count = min(step, replicates - start)
            weights = (rng.multinomial(self.size, np.full(self.size, 1 / self.size), size=count).astype(float)
                       if self.size else np.zeros((count, 0)))
            block = self.redraw(weights)
            for b in range(count):
                yield {name: value[b] for name, value in block.items()}

    def per_dyad(self, m: int, *names: str) -> np.ndarray:
        """[M, M] how many clusters carry something (in the named parts) between members i and j."""
        found = [np.empty((0, 3), int)]
        for name in names:
            cluster, cell, value, shape = self.parts[name]
            i, j = np.unravel_index(cell, shape)[:2]
            keep = (value != 0) & (i < m) & (j < m) & (i != j)
            found.append(np.c_[cluster[keep], np.minimum(i, j)[keep], np.maximum(i, j)[keep]])
        pairs = np.unique(np.concatenate(found), axis=0)
        out = np.zeros((m, m), int)
        np.add.at(out, (pairs[:, 1], pairs[:, 2]), 1)
        return out + out.T


@dataclass
class Bootstrap:
    commitment: np.ndarray   # [B, M]
    strength: np.ndarray     # [B, M, M]


def bootstrap(sources: list[Clusters], fixed: Fixed, members: list[str], weights: dict[str, float],
              use: dict[str, np.ndarray] | None = None, replicates: int = 500, seed: int = 0) -> Bootstrap:
    """Commitment and tie strength recomputed on samples redrawn cluster by cluster, each source
    (media articles, curated entries, vote decisions) with its own random stream."""
    streams = np.random.default_rng(seed).spawn(len(sources))
    commitments, strengths = [], []
    for parts in zip(*(c.replicates(rng, replicates) for c, rng in zip(sources, streams))):
        sample = {k: v for part in parts for k, v in part.items()}
        commitments.append(commitment(sample, members))
        strengths.append(tie_strength(components(sample, fixed), weights, use))
    return Bootstrap(np.array(commitments), np.array(strengths))


def interval(samples: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    tail = (1 - level) / 2 * 100
    with _quiet():
        return np.nanpercentile(samples, tail, axis=0), np.nanpercentile(samples, 100 - tail, axis=0)


def weakest(commitment: np.ndarray, low: np.ndarray, high: np.ndarray) -> int | None:
    """Index of the member with the lowest commitment, or None when its interval overlaps another's."""
    if np.all(np.isnan(commitment)):
        return None
    order = np.argsort(np.where(np.isnan(commitment), np.inf, commitment))
    first = order[0]
    others = [i for i in order[1:] if not np.isnan(commitment[i])]
    return int(first) if others and all(high[first] < low[i] for i in others) else None


def weighted_degree(strength: np.ndarray) -> np.ndarray:
    return np.nansum(np.where(np.eye(len(strength), dtype=bool), np.nan, strength), axis=1)
