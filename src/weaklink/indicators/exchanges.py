"""High-level exchanges per dyad: curated summits, meetings, visits and calls, counted per period.

A timeline entry with several actors counts once for every pair of the chosen actors taking part
(a trilateral summit is one exchange for each of its three dyads).
"""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa

from weaklink.indicators.dyads import FREQUENCIES

EXCHANGE_KINDS = ("summit", "meeting", "visit", "call")
PANDAS_FREQ = {"day": "D", "week": "W-MON", "month": "MS", "quarter": "QS", "year": "YS"}


def curated(events: ibis.Table, *, kinds: tuple[str, ...] | None = None, levels: tuple[str, ...] | None = None,
            since: date | None = None, until: date | None = None) -> ibis.Table:
    """Curated timeline entries, optionally by kind, level and date window."""
    rows = events.filter(events.dataset == "curated")
    if kinds:
        rows = rows.filter(rows.kind.isin(list(kinds)))
    if levels:
        rows = rows.filter(rows.level.isin(list(levels)))
    if since is not None:
        rows = rows.filter(rows.event_date >= since)
    if until is not None:
        rows = rows.filter(rows.event_date <= until)
    return rows


def exchange_pairs(entries: ibis.Table, actors: list[str]) -> ibis.Table:
    """One row per (entry, pair of chosen actors in it), with a = the alphabetically first."""
    first = entries.select("record_id", "event_date", "level", a=entries.actors.unnest())
    second = entries.select("record_id", b=entries.actors.unnest())
    pairs = first.join(second, "record_id")
    return pairs.filter(pairs.a < pairs.b, pairs.a.isin(actors), pairs.b.isin(actors))


def period_grid(first: date, last: date, freq: str) -> list[date]:
    """Every period start from the one holding `first` to the one holding `last`."""
    import pandas as pd  # here, not at the top: importing pandas costs start-up time (benchmarks/startup.py)

    start = pd.Timestamp(first).to_period(FREQUENCIES[freq]).start_time
    return [d.date() for d in pd.date_range(start, pd.Timestamp(last), freq=PANDAS_FREQ[freq])]


def exchange_counts(pairs: ibis.Table, grid: list[date], dyads: list[tuple[str, str]], freq: str) -> ibis.Table:
    """Exchanges (and leader-level ones) per dyad and period, zero where none happened."""
    counted = pairs.mutate(period=pairs.event_date.truncate(FREQUENCIES[freq]).cast("date"))
    counts = counted.group_by(["period", "a", "b"]).aggregate(
        exchanges=counted.count(), leader=(counted.level == "leader").sum())
    cells = [(p, a, b) for p in grid for a, b in dyads]
    frame = ibis.memtable(pa.table({"period": pa.array([c[0] for c in cells], pa.date32()),
                                    "a": pa.array([c[1] for c in cells], pa.string()),
                                    "b": pa.array([c[2] for c in cells], pa.string())}))
    joined = frame.left_join(counts, ["period", "a", "b"])
    return joined.select(
        period=joined.period, dyad=joined.a + "-" + joined.b,
        exchanges=ibis.coalesce(joined.exchanges, 0), leader=ibis.coalesce(joined.leader, 0),
    ).order_by(["period", "dyad"])


def period_end(start: date, freq: str) -> date:
    """The last day of the period that begins on `start`."""
    import pandas as pd

    offset = pd.tseries.frequencies.to_offset(PANDAS_FREQ[freq])
    return (pd.Timestamp(start) + offset - pd.Timedelta(days=1)).date()
