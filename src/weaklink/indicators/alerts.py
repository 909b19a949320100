"""Change alerts on a series: change points (ruptures, PELT) and robust anomalies against a rolling baseline.

Pure NumPy in, plain records out. A change point splits the series where its mean shifts; its size is
the difference of the means on either side, in units of the series' noise (the robust spread of its
period-to-period differences, / sqrt 2). An anomaly is a
period whose value lies more than `threshold` robust z-scores (median / 1.4826 x MAD) from the median
of the `baseline` periods before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ruptures


@dataclass(frozen=True)
class Alert:
    kind: str            # change_point or anomaly
    index: int           # position in the series where the change starts / the anomalous period
    value: float         # mean after the change, or the anomalous value
    baseline: float      # mean before the change, or the rolling median
    size: float          # shift in robust spread units (signed)


def robust_spread(values: np.ndarray) -> float:
    """The series' noise level, from its period-to-period differences (so level shifts don't inflate it)."""
    diffs = np.diff(values)
    noise = float(np.median(np.abs(diffs - np.median(diffs)))) * 1.4826 / np.sqrt(2) if len(diffs) else 0.0
    return noise if noise > 0 else float(np.std(values)) or 1.0


def change_points(values: np.ndarray, min_size: int = 3, penalty: float | None = None) -> list[Alert]:
    """Mean shifts found by PELT with an L2 cost; penalty defaults to 3 * log(n) * spread^2."""
    n = len(values)
    if n < 2 * min_size:
        return []
    spread = robust_spread(values)
    pen = penalty if penalty is not None else 3.0 * np.log(n) * spread ** 2
    breaks = ruptures.Pelt(model="l2", min_size=min_size, jump=1).fit(values.reshape(-1, 1)).predict(pen=pen)
    alerts, start = [], 0
    for cut, nxt in zip(breaks[:-1], breaks[1:]):
        before, after = values[start:cut].mean(), values[cut:nxt].mean()
        alerts.append(Alert("change_point", cut, float(after), float(before), float((after - before) / spread)))
        start = cut
    return alerts


def anomalies(values: np.ndarray, baseline: int = 6, threshold: float = 3.5) -> list[Alert]:
    """Periods far from the median of the `baseline` periods before them (robust z-score)."""
    if len(values) <= baseline:
        return []
    windows = np.lib.stride_tricks.sliding_window_view(values[:-1], baseline)
    medians = np.median(windows, axis=1)
    mads = np.median(np.abs(windows - medians[:, None]), axis=1) * 1.4826
    floor = robust_spread(values) * 0.5
    scale = np.maximum(mads, floor)
    current = values[baseline:]
    z = (current - medians) / scale
    return [Alert("anomaly", int(k + baseline), float(current[k]), float(medians[k]), float(z[k]))
            for k in np.flatnonzero(np.abs(z) > threshold)]
