"""Agreement between two event sources: the same dyad series from two datasets, side by side.

A period is covered by a dataset when the dataset holds any event in it (of any actors); a period it does not
cover has no value ("no data"), never zero. Over the periods both cover:
- the correlation of the two series (Pearson, with n; none when fewer than 3 periods or a flat series);
- each series standardised over those periods (z = (x - mean) / sd, and their difference), and the periods
  where the two disagree most: where the change from the previous period, standardised within each series
  (its changes' mean and sd), differs most between them, i.e. where one source moved and the other did not;
- the shifts (change points, indicators/alerts.py) of each series, each marked as found in both (the other
  series shifts the same way within one period) or in one source only.

Pure NumPy over plain rows; the API gathers the two series (api.py `compare_sources`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from weaklink.indicators.alerts import change_points

MEASURES = ("share_per_10k", "events", "goldstein_mean")
NEAR = 1  # periods: a shift in the other series this close counts as the same shift


@dataclass(frozen=True)
class Side:
    """One source's series: its name and, per covered period, the value and the dyad's events."""

    name: str
    values: dict[date, float | None]
    events: dict[date, int]


def _z(values: np.ndarray) -> np.ndarray:
    sd = float(np.std(values))
    return (values - values.mean()) / sd if sd > 0 else np.zeros_like(values)


def correlation(x: np.ndarray, y: np.ndarray) -> float | None:
    if len(x) < 3 or float(np.std(x)) == 0 or float(np.std(y)) == 0:
        return None
    return round(float(np.corrcoef(x, y)[0, 1]), 4)


def _shifts(periods: list[date], own: np.ndarray, other: np.ndarray, name: str, other_name: str) -> list[dict]:
    theirs = {p.index: np.sign(p.size) for p in change_points(other)}
    found = []
    for point in change_points(own):
        both = any(abs(k - point.index) <= NEAR and sign == np.sign(point.size) for k, sign in theirs.items())
        found.append({"dataset": name, "period": periods[point.index].isoformat(), "before": round(point.baseline, 4),
                      "after": round(point.value, 4), "size": round(point.size, 2),
                      "in_both": both, "found_in": "both" if both else f"{name} only",
                      "note": (f"{other_name} shifts the same way" if both else
                               f"{other_name} shows no shift in the same direction within {NEAR} period")})
    return found


def compare(periods: list[date], a: Side, b: Side, top: int = 5) -> dict:
    """Rows per period (both sides, "no data" where a side does not cover it), the correlation, the periods of
    largest standardised difference and the shifts of each side, marked as in both or in one only."""
    common = [p for p in periods if a.values.get(p) is not None and b.values.get(p) is not None]
    x = np.array([a.values[p] for p in common], dtype=float)
    y = np.array([b.values[p] for p in common], dtype=float)
    za, zb = (_z(x), _z(y)) if common else (x, y)
    z = {p: (float(u), float(v)) for p, u, v in zip(common, za, zb)}
    moved = dict(zip(common[1:], (_z(np.diff(x)) - _z(np.diff(y))).tolist())) if len(common) > 1 else {}
    rows = []
    for p in periods:
        zs = z.get(p)
        rows.append({"period": p, "a": a.values.get(p), "b": b.values.get(p),
                     "a_events": a.events.get(p), "b_events": b.events.get(p),
                     "a_z": round(zs[0], 4) if zs else None, "b_z": round(zs[1], 4) if zs else None,
                     "difference": round(zs[0] - zs[1], 4) if zs else None,
                     "change_difference": round(moved[p], 4) if p in moved else None,
                     "covered_by": "both" if zs else a.name if p in a.values else b.name if p in b.values
                     else "neither"})
    ranked = sorted((r for r in rows if r["change_difference"] is not None), key=lambda r: -abs(r["change_difference"]))
    shifts = (_shifts(common, x, y, a.name, b.name) + _shifts(common, y, x, b.name, a.name)) if common else []
    return {"rows": rows, "correlation": correlation(x, y), "n": len(common),
            "disagreements": [{"period": r["period"].isoformat(), "change_difference": r["change_difference"],
                               "difference": r["difference"],
                               "moved_more_in": a.name if r["change_difference"] > 0 else b.name}
                              for r in ranked[:top] if r["change_difference"] != 0],
            "shifts": sorted(shifts, key=lambda s: (s["period"], s["dataset"]))}
