"""Bloc ties from counts: tie strength per dyad, directed commitment per member, bootstrap intervals.

Pure NumPy over small dense arrays. For a bloc of M members the media counts are an array
`counts[M, M + 1, 4]`: events initiated by member i (actor 1) toward member j (actor 2), the last
column holding every other (non-member) target, split by GDELT quad class (1 verbal cooperation,
2 material cooperation, 3 verbal conflict, 4 material conflict); `goldstein[M, M + 1, 4]` holds the
mean Goldstein score of each cell. Curated timeline entries have the same shape (initiator first).
Every measure is a ratio of counts, so multiplying all volumes by a constant changes nothing, and
no actor is treated differently from another.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass

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


def tie_strength(components: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Weighted mean of the components available for each dyad (weights renormalised; NaN = missing)."""
    stack = np.stack([components[c] for c in components])
    w = np.array([weights.get(c, 0.0) for c in components])[:, None, None] * ~np.isnan(stack)
    return _ratio(np.nansum(stack * w, axis=0), w.sum(axis=0))


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


def resample(counts: np.ndarray, rng: np.random.Generator, replicates: int) -> np.ndarray:
    """Bootstrap the events of a window: multinomial redraws of the cell counts, [B, *shape]."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros((replicates, *counts.shape))
    draws = rng.multinomial(total, counts.ravel() / total, size=replicates)
    return draws.reshape(replicates, *counts.shape).astype(float)


@dataclass
class Bootstrap:
    commitment: np.ndarray   # [B, M]
    strength: np.ndarray     # [B, M, M]


def bootstrap(counts: BlocCounts, fixed: dict[str, np.ndarray], weights: dict[str, float],
              replicates: int = 500, seed: int = 0) -> Bootstrap:
    """Commitment and tie strength recomputed on resampled media and curated events."""
    rng = np.random.default_rng(seed)
    media, curated = resample(counts.media, rng, replicates), resample(counts.curated, rng, replicates)
    commitments, strengths = [], []
    for b in range(replicates):
        redraw = BlocCounts(counts.members, media[b], counts.goldstein, curated[b])
        commitments.append(member_commitment(directed_commitment(redraw)))
        components = {**fixed, "events": events_component(media[b], counts.goldstein)}
        strengths.append(tie_strength(components, weights))
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
