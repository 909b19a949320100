"""Change alerts on every watched dyad series, each explained by the events behind it.

An alert is kept only when it is worth reading (the watch file's `[alerts]`, docs/cohesion.md):
- its series has run unbroken for `min_history` periods before it: where a series begins, or resumes after
  a period without data, there is nothing to compare with;
- it rests on at least `min_events` events of the dyad from at least `min_articles` distinct articles, in
  the alert's period (for a fall in volume, in the period before it, whose level fell away).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from weaklink.indicators.alerts import Alert, anomalies, change_points
from weaklink.indicators.bloc_counts import article_key
from weaklink.indicators.dyads import actor_country, dyad_filter, in_window, period_of
from weaklink.indicators.exchanges import period_end, period_grid
from weaklink.messages import Day, Message
from weaklink.messages import message as _

SERIES = {"share_per_10k": _("events per 10,000 stored events"), "goldstein_mean": _("mean Goldstein score")}


def _explain(wl, a: str, b: str, series: str, alert: Alert, start: date, last: date, freq: str,
             support: dict, held_back: str | None) -> dict:
    end = period_end(start, freq) if alert.kind == "anomaly" else last
    rose = alert.value > alert.baseline
    what = _("shifted") if alert.kind == "change_point" else _("spiked") if rose else _("dropped")
    explanation = _("%(a)s–%(b)s %(series)s %(what)s: %(old)s → %(new)s (%(size)s × the series' noise) from %(day)s",
                    a=a, b=b, series=SERIES[series], what=what, old=format(alert.baseline, ".2f"),
                    new=format(alert.value, ".2f"), size=format(alert.size, "+.1f"), day=Day(start.isoformat()))
    return {
        "dyad": f"{a}-{b}", "series": series, "kind": alert.kind, "period": start.isoformat(),
        "value": round(alert.value, 4), "baseline": round(alert.baseline, 4), "size": round(alert.size, 2),
        "explanation": _("%(explanation)s [held back: %(reason)s]", explanation=explanation, reason=held_back)
                       if held_back else explanation,
        "support": support, "held_back": held_back,
        "top_events": wl.top_events(a, b, start, period_end(start, freq), limit=3),
        "curated": wl.timeline([a, b], since=start, until=end).to_pyarrow()
                     .select(["id", "date", "kind", "description", "sources"]).to_pylist()[:5],
    }


def _runs(values: np.ndarray) -> list[np.ndarray]:
    """Positions of each unbroken stretch of known values (a period without a value breaks the series)."""
    known = ~np.isnan(values)
    edges = np.flatnonzero(np.diff(np.r_[0, known.astype(int), 0]))
    return [np.arange(start, stop) for start, stop in zip(edges[::2], edges[1::2])]


def support_by_period(wl, a: str, b: str, freq: str) -> dict[date, dict]:
    """Per period: the dyad's events and the distinct articles they were coded from (docs/cohesion.md)."""
    window = in_window(wl.events(), None, None, wl.datasets(), root_only=False)
    dyad = window.filter(dyad_filter(window, wl.actor_codes(a), wl.actor_codes(b), directed=False))
    keyed = dyad.mutate(period=period_of(dyad, freq), article=article_key(
        dyad.source_url, dyad.event_date, actor_country(dyad, "actor1"), actor_country(dyad, "actor2")))
    rows = keyed.group_by("period").aggregate(events=keyed.count(), articles=keyed.article.nunique())
    return {r["period"]: {"events": r["events"], "articles": r["articles"]} for r in rows.to_pyarrow().to_pylist()}


def _held_back(rules, alert: Alert, run_start: date, checked: date, support: dict) -> Message | None:
    if alert.index < rules.min_history:
        return _("within the first %(periods)s periods of its series (which begins, or resumes after a gap, on "
                 "%(day)s)", periods=rules.min_history, day=Day(run_start.isoformat()))
    if support["events"] < rules.min_events:
        return _("%(events)s event(s) in %(day)s, fewer than %(needed)s", events=support["events"],
                 day=Day(checked.isoformat()), needed=rules.min_events)
    if support["articles"] < rules.min_articles:
        return _("its %(events)s events in %(day)s come from %(articles)s article(s), fewer than %(needed)s",
                 events=support["events"], day=Day(checked.isoformat()), articles=support["articles"],
                 needed=rules.min_articles)
    return None


def dyad_alerts(wl, a: str, b: str, freq: str, since: date | None, until: date | None,
                held_back: bool = False) -> list[dict]:
    """Alerts on one dyad's series; with `held_back`, also those the watch file's rules hold back."""
    table = wl.dyads(a, b, freq=freq, since=since, until=until).to_pyarrow()
    periods, rules, support, found = table["period"].to_pylist(), wl.watch.alerts, None, []
    if not periods:
        return []
    grid = period_grid(periods[0], periods[-1], freq)
    position = {p: k for k, p in enumerate(grid)}
    for series in SERIES:
        values = np.full(len(grid), np.nan)
        for period, value in zip(periods, table[series].to_pylist()):
            values[position[period]] = np.nan if value is None else value
        for run in _runs(values):
            for alert in change_points(values[run]) + anomalies(values[run]):
                start = grid[run[alert.index]]
                falls = series == "share_per_10k" and alert.value < alert.baseline and alert.index > 0
                checked = grid[run[alert.index - 1]] if falls else start
                support = support if support is not None else support_by_period(wl, a, b, freq)
                behind = support.get(checked, {"events": 0, "articles": 0}) | {"period": checked.isoformat()}
                reason = _held_back(rules, alert, grid[run[0]], checked, behind)
                if reason is None or held_back:
                    found.append(_explain(wl, a, b, series, alert, start, grid[run[-1]], freq, behind, reason))
    return found


def alerts(wl, freq: str = "month", since: date | None = None, until: date | None = None,
           held_back: bool = False) -> list[dict]:
    """Alerts on every dyad the watch file lists, newest first."""
    found = []
    for a, b in wl.watch.dyads.watch:
        found += dyad_alerts(wl, a, b, freq, None, until, held_back)
    if since is not None:
        found = [f for f in found if f["period"] >= since.isoformat()]
    return sorted(found, key=lambda f: (f["period"], abs(f["size"])), reverse=True)
