"""Change alerts: a constructed level shift is found, dated and explained by its events."""

from __future__ import annotations

import re

import numpy as np
from gdelt_lines import gdelt_line, write_lines

from weaklink.indicators.alerts import anomalies, change_points
from weaklink.watch import bundled_text, parse_watch


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
            day = f"2023{month:02d}{1 + k % 27:02d}"  # reported the day it happened: not a late event
            lines.append(gdelt_line(n, sqldate=day, dateadded=day + "120000", mentions=1 + k % 3, **pair))
    wl.ingest_gdelt([write_lines(tmp_path / "shift.CSV", lines)])
    found = [a for a in wl.alerts(freq="month") if a["dyad"] == "CHN-PRK" and a["series"] == "share_per_10k"]
    points = [a for a in found if a["kind"] == "change_point"]
    assert [a["period"] for a in points] == ["2023-07-01"]
    alert = points[0]
    assert alert["value"] > alert["baseline"] and alert["size"] > 0
    assert "CHN–PRK" in alert["explanation"] and "2023-07-01" in alert["explanation"]
    assert len(alert["top_events"]) == 3 and all(e["url"].startswith("https://") for e in alert["top_events"])
    assert {e["event_name"] for e in alert["top_events"]} == {"Make a visit"}  # CAMEO 042, named
    assert alert["support"] == {"events": 25, "articles": 25, "period": "2023-07-01"} and alert["held_back"] is None
    assert wl.alerts(freq="month", since="2024-01-01") == []


def monthly_store(wl, tmp_path, months: dict[str, int], url=None, name: str = "months.CSV") -> None:
    """Per month (YYYYMM): that many CHN–PRK events among 200 USA–CAN events; url(month, k) names articles."""
    lines, n = [], 0
    for month, dyad_events in months.items():
        for k in range(dyad_events + 200):
            n += 1
            pair = {} if k < dyad_events else {"a1code": "USA", "a1country": "USA", "a2code": "CAN",
                                               "a2country": "CAN"}
            extra = {"url": url(month, k)} if url and k < dyad_events else {}
            day = f"{month}{1 + k % 27:02d}"  # reported the day it happened: not a late event
            lines.append(gdelt_line(n, sqldate=day, dateadded=day + "120000", mentions=1 + k % 3, **pair, **extra))
    wl.ingest_gdelt([write_lines(tmp_path / name, lines)])


def alert_rules(**rules: int):
    """The bundled watch file with its [alerts] settings changed."""
    text = bundled_text()
    for key, value in rules.items():
        text, found = re.subn(rf"^{key} = \d+", f"{key} = {value}", text, flags=re.M)
        assert found == 1
    return parse_watch(text, "test")


def chn_prk_points(found: list[dict]) -> list[dict]:
    return [a for a in found if a["dyad"] == "CHN-PRK" and a["series"] == "share_per_10k"
            and a["kind"] == "change_point"]


def test_no_alert_where_a_series_begins_or_resumes_after_a_gap(wl, tmp_path):
    months = {f"2022{m:02d}": 2 for m in range(1, 7)}                 # a first stretch, then two months without data
    months |= {"202209": 2, "202210": 2, "202211": 2}                   # the series resumes ...
    months |= {f"{y}{m:02d}": 25 for y, m in [(2022, 12)] + [(2023, m) for m in range(1, 9)]}  # ... and shifts
    monthly_store(wl, tmp_path, months)
    assert chn_prk_points(wl.alerts(freq="month")) == []
    (held,) = chn_prk_points(wl.alerts(freq="month", held_back=True))
    assert held["period"] == "2022-12-01"
    assert "first 6 periods" in held["held_back"] and "2022-09-01" in held["held_back"]
    assert "held back" in held["explanation"]


def test_an_alert_needs_events_from_several_articles(wl, tmp_path):
    months = {f"2023{m:02d}": 2 if m <= 6 else 25 for m in range(1, 13)}
    monthly_store(wl, tmp_path, months, url=lambda month, k: f"https://example.org/one-story-{month}")
    assert chn_prk_points(wl.alerts(freq="month")) == []
    (held,) = chn_prk_points(wl.alerts(freq="month", held_back=True))
    assert held["support"] == {"events": 25, "articles": 1, "period": "2023-07-01"}
    assert "1 article(s), fewer than 3" in held["held_back"]
    wl.watch = alert_rules(min_articles=1)
    (kept,) = chn_prk_points(wl.alerts(freq="month"))
    assert kept["held_back"] is None and kept["period"] == "2023-07-01"
    wl.watch = alert_rules(min_articles=1, min_events=30)
    (held,) = chn_prk_points(wl.alerts(freq="month", held_back=True))
    assert "25 event(s) in 2023-07-01, fewer than 30" in held["held_back"]
