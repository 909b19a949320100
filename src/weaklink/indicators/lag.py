"""Stray event dates: events dated long before they were reported are kept in the store but left out of indicators.

A news article about a past event (a 1979 visit recalled in 2024) is coded with the past date; counted, it puts
a lone event into a period the store does not otherwise cover. An event whose event date lies more than
`max_lag_days` (watch file `[events]`, default 30) before the day it was reported (`date_added`: GDELT's
DATEADDED) is **late**. Every indicator that reads events reads them through `reported_in_time`; events without
a reporting date (curated timeline entries) are always kept. `max_lag_days = None` keeps every event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis

DEFAULT_MAX_LAG_DAYS = 30


def late_sql(max_lag_days: int) -> str:
    """SQL true for a late event (over the columns `event_date` and `date_added`)."""
    return (f"(date_added IS NOT NULL AND event_date < CAST(date_added AS DATE) - INTERVAL {int(max_lag_days)} DAY)")


def is_late(events: ibis.Table, max_lag_days: int | None) -> ibis.Value:
    """True for a late event, false otherwise (never NULL); false for every event when `max_lag_days` is None."""
    import ibis

    if max_lag_days is None:
        return events.event_date.isnull() & ibis.literal(False)  # a column (so it can be summed), false everywhere
    earliest = events.date_added.cast("date") - ibis.interval(days=int(max_lag_days))
    return events.date_added.notnull() & (events.event_date < earliest)


def reported_in_time(events: ibis.Table, max_lag_days: int | None) -> ibis.Table:
    """The events dated at most `max_lag_days` before they were reported (all of them when None)."""
    if max_lag_days is None:
        return events
    return events.filter(~is_late(events, max_lag_days))
