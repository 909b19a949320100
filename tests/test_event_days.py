"""What ingest keeps beside the events for fast series (store migration 9): each actor's country on the row
(`country1`, `country2`) and the stored media events counted per file and day (`event_days`). Every ingest path
must keep them equal to a recount from `events`; a store migrated from version 8 must get them too."""

from __future__ import annotations

import pytest

from weaklink.indicators.dyads import COUNTRY_SQL, dyad_series
from weaklink.ingest.eventdays import event_days_sql

ICEWS = "icews/andybega-icews/events.2018.sample.tab"
PHOENIX = "phoenix/eventdata-spec-event-data-server/sample_events.txt"
COUNT = "SELECT dataset, file_id, event_date, date_added, is_root, sum(events) FROM ({}) GROUP BY ALL ORDER BY ALL"


def recount_differs(con) -> list:
    """Rows where `event_days` and a recount from `events` differ (empty when they agree)."""
    stored = con.execute(COUNT.format("SELECT * FROM event_days")).fetchall()
    recounted = con.execute(COUNT.format(event_days_sql("events"))).fetchall()
    return sorted(set(stored) ^ set(recounted))


def countries_differ(con) -> int:
    """Events whose stored countries are not what COUNTRY_SQL computes."""
    check = " OR ".join(f"{name} IS DISTINCT FROM {sql}" for name, sql in COUNTRY_SQL.items())
    return con.execute(f"SELECT count(*) FROM events WHERE {check}").fetchall()[0][0]


def gdelt_files(gdelt_v2_dir, n):
    return sorted((gdelt_v2_dir / "oreillyross-GDELT_Downloader").glob("*.export.CSV"))[:n]


@pytest.fixture
def mixed(wl, shared_data, gdelt_v2_dir):
    """A store fed by every event ingest: GDELT, ICEWS, Phoenix and the curated timeline."""
    wl.ingest_gdelt(gdelt_files(gdelt_v2_dir, 2))
    wl.ingest_icews(shared_data / ICEWS)
    wl.ingest_phoenix(shared_data / PHOENIX)
    wl.ingest_timeline()
    return wl


def test_every_ingest_keeps_countries_and_day_counts(mixed):
    con = mixed.store.con
    datasets = {r[0]: r[1] for r in con.execute("SELECT dataset, sum(events) FROM event_days GROUP BY 1").fetchall()}
    stored = {r[0]: r[1] for r in con.execute("SELECT dataset, count(*) FROM events GROUP BY 1").fetchall()}
    assert set(datasets) == {"gdelt", "icews", "phoenix"} and "curated" in stored
    assert all(datasets[d] == stored[d] for d in datasets)
    assert recount_differs(con) == [] and countries_differ(con) == 0
    # a prefix stands in for a missing country field, as the indicators always read it
    assert con.execute("SELECT count(*) FROM events WHERE actor1_country IS NULL AND country1 IS NOT NULL"
                       ).fetchall()[0][0] > 0


def test_forced_reread_and_repeat_count_nothing_twice(wl, gdelt_v2_dir):
    files = gdelt_files(gdelt_v2_dir, 2)
    wl.ingest_gdelt(files)
    before = wl.store.con.execute("SELECT sum(events) FROM event_days").fetchall()
    wl.ingest_gdelt(files)
    wl.ingest_gdelt(files[:1], force=True)
    assert wl.store.con.execute("SELECT sum(events) FROM event_days").fetchall() == before
    assert recount_differs(wl.store.con) == []


def test_series_from_day_counts_equal_a_full_count(mixed):
    """The share of all events read from `event_days` equals counting every stored event, late ones left out."""
    codes = mixed.actor_codes("CHN"), mixed.actor_codes("USA")
    for freq, datasets in (("day", ("gdelt",)), ("month", ("gdelt", "icews", "phoenix"))):
        fast = mixed.dyads("CHN", "USA", freq=freq, dataset=list(datasets)).to_pyarrow()
        full = dyad_series(mixed.events(), *codes, freq=freq, datasets=datasets).to_pyarrow()
        assert fast.num_rows > 1 and fast.equals(full)


def test_store_of_version_8_migrates(mixed, tmp_path):
    """A store written before migration 9 gets the countries and day counts of the rows it already holds."""
    import weaklink

    con = mixed.store.con
    expected = mixed.dyads("CHN", "USA", freq="day").to_pyarrow()
    con.execute("DROP TABLE event_days")
    for name in COUNTRY_SQL:
        con.execute(f"ALTER TABLE events DROP COLUMN {name}")
    con.execute("DELETE FROM schema_migrations WHERE version >= 9")
    path = mixed.store.path
    mixed.close()
    with weaklink.connect(f"duckdb:///{path}") as migrated:
        con = migrated.store.con
        assert recount_differs(con) == [] and countries_differ(con) == 0
        assert con.execute("SELECT count(*) FROM event_days").fetchall()[0][0] > 0
        assert migrated.dyads("CHN", "USA", freq="day").to_pyarrow().equals(expected)
