"""Change alerts on every watched dyad series, each explained by the events behind it."""

from __future__ import annotations

from datetime import date

import numpy as np

from weaklink.indicators.alerts import Alert, anomalies, change_points
from weaklink.indicators.exchanges import period_end

SERIES = {"share_per_10k": "events per 10,000 stored events", "goldstein_mean": "mean Goldstein score"}


def _explain(wl, a: str, b: str, series: str, alert: Alert, periods: list[date], freq: str) -> dict:
    start = periods[alert.index]
    end = period_end(periods[alert.index], freq) if alert.kind == "anomaly" else periods[-1]
    direction = "rose" if alert.value > alert.baseline else "fell"
    what = "shifted" if alert.kind == "change_point" else "spiked" if direction == "rose" else "dropped"
    return {
        "dyad": f"{a}-{b}", "series": series, "kind": alert.kind, "period": start.isoformat(),
        "value": round(alert.value, 4), "baseline": round(alert.baseline, 4), "size": round(alert.size, 2),
        "explanation": (f"{a}–{b} {SERIES[series]} {what}: {alert.baseline:.2f} → {alert.value:.2f} "
                        f"({alert.size:+.1f} × the series' noise) from {start.isoformat()}"),
        "top_events": wl.top_events(a, b, start, period_end(start, freq), limit=3),
        "curated": wl.timeline([a, b], since=start, until=end).to_pyarrow()
                     .select(["id", "date", "kind", "description", "sources"]).to_pylist()[:5],
    }


def dyad_alerts(wl, a: str, b: str, freq: str, since: date | None, until: date | None) -> list[dict]:
    table = wl.dyads(a, b, freq=freq, since=since, until=until).to_pyarrow()
    periods = table["period"].to_pylist()
    found = []
    for series in SERIES:
        values = np.array(table[series].to_pylist(), dtype=float)
        known = ~np.isnan(values)
        if known.sum() < 2:
            continue
        kept = [p for p, k in zip(periods, known) if k]
        for alert in change_points(values[known]) + anomalies(values[known]):
            found.append(_explain(wl, a, b, series, alert, kept, freq))
    return found


def alerts(wl, freq: str = "month", since: date | None = None, until: date | None = None) -> list[dict]:
    """Alerts on every dyad the watch file lists, newest first."""
    found = []
    for a, b in wl.watch.dyads.watch:
        found += dyad_alerts(wl, a, b, freq, None, until)
    if since is not None:
        found = [f for f in found if f["period"] >= since.isoformat()]
    return sorted(found, key=lambda f: (f["period"], abs(f["size"])), reverse=True)
