"""`event_days`: the stored media events of each file, counted per event day, reporting day and root flag.

Volume-normalised series divide a dyad's events by all events of the period (docs/dyads.md). Counting those from
`events` reads every stored row; `event_days` holds the same counts in a few rows per file, written by every
ingest in the file's own transaction (and by migration 9 for stores filled before it). Curated timeline entries
are not media events and are not counted: the timeline replaces entries across files.
"""

from __future__ import annotations

import duckdb

CURATED = "curated"
COLUMNS = "dataset, file_id, event_date, date_added, is_root, events"


def event_days_sql(source: str, where: str = "true") -> str:
    """A query of `source` (a table of events) counted as `event_days` rows, in COLUMNS order (DuckDB and
    PostgreSQL alike)."""
    day = "date_trunc('day', date_added)"
    return f"""SELECT dataset, file_id, event_date, {day} AS date_added, is_root, count(*) AS events
               FROM {source} WHERE dataset <> '{CURATED}' AND {where}
               GROUP BY dataset, file_id, event_date, {day}, is_root"""


def count_file(con: duckdb.DuckDBPyConnection, file_id: int) -> None:
    """(Re)count the events one file stored, inside the caller's transaction."""
    con.execute("DELETE FROM event_days WHERE file_id = ?", [file_id])
    con.execute(f"INSERT INTO event_days ({COLUMNS}) {event_days_sql('events', f'file_id = {int(file_id)}')}")
