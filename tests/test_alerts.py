"""Change alerts: a constructed level shift is found, dated and explained by its events."""

from __future__ import annotations

import numpy as np
from gdelt_lines import gdelt_line, write_lines

from weaklink.indicators.alerts import anomalies, change_points


def test_change_point_and_anomaly_on_arrays():
    rng = np.random.default_rng(3)
    shifted = np.r_[rng.normal(0, 1, 15), rng.normal(6, 1, 15)]
    (point,) = change_points(shifted)
    assert point.index == 15 and point.size > 3
    assert change_points(rng.normal(0, 1, 30)) == []
    spike = np.r_[rng.normal(10, 0.5, 12), 30.0, rng.normal(10, 0.5, 5)]
    assert [a.index for a in anomalies(spike)] == [12]


def test_alert_on_a_watched_dyad_explains_itself(wl, tmp_path):
    lines, n = [], 0
    for month in range(1, 13):
        dyad_events = 2 if month <= 6 else 25
        for k in range(dyad_events + 200):
            n += 1
            pair = {} if k < dyad_events else {"a1code": "USA", "a1country": "USA", "a2code": "CAN",
                                               "a2country": "CAN"}
            lines.append(gdelt_line(n, sqldate=f"2023{month:02d}{1 + k % 27:02d}", mentions=1 + k % 3, **pair))
    wl.ingest_gdelt([write_lines(tmp_path / "shift.CSV", lines)])
    found = [a for a in wl.alerts(freq="month") if a["dyad"] == "CHN-PRK" and a["series"] == "share_per_10k"]
    points = [a for a in found if a["kind"] == "change_point"]
    assert [a["period"] for a in points] == ["2023-07-01"]
    alert = points[0]
    assert alert["value"] > alert["baseline"] and alert["size"] > 0
    assert "CHN–PRK" in alert["explanation"] and "2023-07-01" in alert["explanation"]
    assert len(alert["top_events"]) == 3 and all(e["url"].startswith("https://") for e in alert["top_events"])
    assert wl.alerts(freq="month", since="2024-01-01") == []
