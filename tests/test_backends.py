"""The same answers on DuckDB, PostgreSQL and Spark (docs/store.md, "Backends").

Each backend ingests the same real files (three GDELT 2.0 exports and the UN General Assembly votes of 2015-2019); dyad
series, vote alignment, cohesion and the weakest link must equal DuckDB's up to float tolerance, and the
accounting of every file must be the same. PostgreSQL is Debian's, started here in a temp folder on a free port
(tests/pg_server.py); Spark runs in local mode, one session for the whole test run. Select with `-m backends`.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.backends, pytest.mark.xdist_group("backends")]

BACKENDS = ["duckdb", "postgresql", "spark"]
REMOTE = ["postgresql", "spark"]
GDELT_FILES = ["20241022130000.export.CSV", "20241022131500.export.CSV", "20241107110000.export.CSV"]
PAIRS = [("USA", "CHN"), ("CHN", "RUS"), ("USA", "RUS")]


@pytest.fixture(scope="session")
def postgres():
    sys.path.insert(0, str(Path(__file__).parent))
    from pg_server import start_postgres

    server = start_postgres()  # fails with a clear message when PostgreSQL is not installed
    yield server
    server.stop()


@pytest.fixture(scope="session")
def inputs(shared_data, tmp_path_factory):
    gdelt = [shared_data / "gdelt-v2-events" / "oreillyross-GDELT_Downloader" / name for name in GDELT_FILES]
    unvotes = shared_data / "unvotes" / "cran-unvotes"
    return {"gdelt": gdelt, "votes": _recent_votes(unvotes, tmp_path_factory.mktemp("unvotes")),
            "roll_calls": unvotes / "roll_calls.csv", "issues": unvotes / "issues.csv"}


def _recent_votes(unvotes: Path, folder: Path) -> Path:
    """The real votes of the General Assembly's sessions 70-74 (2015-2019), lines unchanged and in their order:
    every backend ingests the same lines at a seventh of the whole file's cost (Spark pays seconds per step)."""
    import duckdb

    out = folder / "unvotes-sessions-70-74.csv"
    duckdb.sql(f"""COPY (SELECT * FROM read_csv('{unvotes / "unvotes.csv.gz"}', all_varchar=true)
                         WHERE rcid IN (SELECT rcid FROM read_csv('{unvotes / "roll_calls.csv"}', all_varchar=true)
                                        WHERE try_cast(session AS INTEGER) >= 70))
                   TO '{out}' (HEADER)""")
    return out


class Loaded:
    """One backend's store, with what its ingest reported."""

    def __init__(self, wl, url: str, summaries: list) -> None:
        self.wl, self.url, self.summaries = wl, url, summaries

    def files(self) -> list[tuple]:
        return [(Path(f.path).name, f.status, f.read, f.stored, f.rejected, f.duplicate)
                for s in self.summaries for f in s.files]


@pytest.fixture(scope="session")
def stores(request, tmp_path_factory, inputs):
    """Lazily, per backend: a store with the inputs ingested (PostgreSQL and Spark only when a test asks)."""
    import weaklink

    made: dict[str, Loaded] = {}

    def get(backend: str) -> Loaded:
        if backend not in made:
            folder = tmp_path_factory.mktemp(backend)
            url = {"duckdb": f"duckdb:///{folder / 'store.duckdb'}", "spark": f"spark:///{folder / 'warehouse'}",
                   "postgresql": request.getfixturevalue("postgres").url if backend == "postgresql" else ""}[backend]
            wl = weaklink.connect(url)
            summaries = [wl.ingest_gdelt(inputs["gdelt"]),
                         wl.ingest_unvotes(votes=inputs["votes"], roll_calls=inputs["roll_calls"],
                                           issues=inputs["issues"])]
            made[backend] = Loaded(wl, url, summaries)
        return made[backend]

    yield get
    for loaded in made.values():
        loaded.wl.close()


def _same(left, right, where: str) -> None:
    """Equal values, floats up to 1e-9 relative (sums are added up in another order on each engine)."""
    if isinstance(left, dict) and isinstance(right, dict):
        assert sorted(left) == sorted(right), where
        for key in left:
            _same(left[key], right[key], f"{where}.{key}")
    elif isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        assert len(left) == len(right), f"{where}: {len(left)} rows against {len(right)}"
        for i, (a, b) in enumerate(zip(left, right)):
            _same(a, b, f"{where}[{i}]")
    elif isinstance(left, float) or isinstance(right, float):
        assert left is not None and right is not None, f"{where}: {left!r} against {right!r}"
        assert math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9), f"{where}: {left!r} against {right!r}"
    else:
        assert left == right, f"{where}: {left!r} against {right!r}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_line_accounted_for(stores, backend):
    loaded = stores(backend)
    files = loaded.files()
    assert [f[1] for f in files] == ["ingested"] * 6
    for name, _status, read, stored, rejected, duplicate in files:
        assert read == stored + rejected + duplicate, name
        assert stored > 0, name
    if backend != "duckdb":
        assert files == stores("duckdb").files()
    sources = loaded.wl.sources().to_pyarrow().to_pylist()
    assert [(Path(s["path"]).name, s["rows_read"], s["rows_stored"]) for s in sources] == \
        [(f[0], f[2], f[3]) for f in files]


@pytest.mark.parametrize("backend", REMOTE)
def test_a_file_read_again_stores_nothing_twice(stores, inputs, backend):
    wl = stores(backend).wl
    again = wl.ingest_gdelt(inputs["gdelt"][:1], force=True).files[0]
    assert (again.status, again.stored, again.duplicate) == ("ingested", 0, again.read)
    assert wl.ingest_gdelt(inputs["gdelt"][:1]).files[0].status == "skipped"
    events = wl.store.table("events")
    assert events.count().to_pyarrow().as_py() == sum(f[3] for f in stores(backend).files()[:3])
    # the per-day counts series divide by (store migration 9) hold every stored event once
    assert wl.store.table("event_days").events.sum().to_pyarrow().as_py() == events.count().to_pyarrow().as_py()


@pytest.mark.parametrize("backend", REMOTE)
def test_dyad_series_equal(stores, backend):
    for (a, b), freq in zip(PAIRS, ("month", "day", "month")):  # few queries: each costs seconds on Spark
        expected = stores("duckdb").wl.dyads(a, b, freq=freq).to_pyarrow().to_pylist()
        found = stores(backend).wl.dyads(a, b, freq=freq).to_pyarrow().to_pylist()
        assert any(row["events"] for row in expected)
        _same(found, expected, f"{backend} dyads {a}-{b} {freq}")


@pytest.mark.parametrize("backend", REMOTE)
def test_vote_alignment_equal(stores, backend):
    for (a, b), freq in zip(PAIRS, ("year", None, "year")):
        expected = stores("duckdb").wl.vote_alignment(a, b, freq=freq).to_pyarrow().to_pylist()
        found = stores(backend).wl.vote_alignment(a, b, freq=freq).to_pyarrow().to_pylist()
        assert expected and expected[-1]["votes"] > 0
        _same(found, expected, f"{backend} alignment {a}-{b} {freq}")


@pytest.mark.parametrize("backend", REMOTE)
def test_cohesion_and_weakest_equal(stores, backend):
    expected, found = stores("duckdb").wl, stores(backend).wl
    _same(found.cohesion("axis", freq="year", since="1990-01-01").to_pyarrow().to_pylist(),
          expected.cohesion("axis", freq="year", since="1990-01-01").to_pyarrow().to_pylist(), f"{backend} cohesion")
    window = {"since": "2019-01-01", "until": "2024-12-31"}
    weakest = expected.weakest("axis", **window)
    assert any(row["votes"] is not None for row in weakest["components"])  # votes and events both in play
    _same(found.weakest("axis", **window), weakest, f"{backend} weakest")


@pytest.mark.parametrize("backend", REMOTE)
def test_missing_capability_is_a_clear_error(stores, backend):
    from weaklink.store.backends import BackendUnsupported

    wl = stores(backend).wl
    with pytest.raises(BackendUnsupported, match=f"the {backend} backend .* does not support ingesting the curated "
                                                 "timeline yet; use a DuckDB store"):
        wl.ingest_timeline()
    for call in (wl.signposts, wl.brief, lambda: wl.ingest_gdelt([], keep="watched")):
        with pytest.raises(BackendUnsupported, match="duckdb:///path/to/weaklink.duckdb"):
            call()
    with pytest.raises(BackendUnsupported, match="it still reads the store with DuckDB SQL"):
        wl.store.con  # noqa: B018 - the safety net under every command not yet ported


def test_cli_says_what_a_backend_lacks(stores):
    url = stores("postgresql").url
    done = subprocess.run([sys.executable, "-m", "weaklink", "--store", url, "signposts"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert "the postgresql backend" in done.stderr + done.stdout and "does not support signposts" in \
        done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_spark_reads_only_overlapping_files_and_drops_cut_short_commits(stores, tmp_path):
    loaded = stores("spark")
    store = loaded.wl.store
    events = sorted((store.folder / "events").glob("month=*/file-*.parquet"))
    first = store.side.con.execute("SELECT min(file_id) FROM provenance").fetchall()[0][0]
    rows = store.read_table("events", ["dataset", "record_id", "file_id"])
    mine = rows.filter(__import__("pyarrow").compute.equal(rows["file_id"], first))
    candidates = store._candidates(mine.select(["record_id"]))
    assert candidates and {int(p.stem.split("-")[1]) for p in candidates} == {first}
    assert len(candidates) < len(events)
    # a commit cut short: Parquet in place without its provenance row is gone at the next open
    orphan = events[0].parent / "file-999999.parquet"
    shutil.copy(events[0], orphan)
    import weaklink

    reopened = weaklink.connect(loaded.url)
    try:
        assert not orphan.exists()
    finally:
        reopened.close()


def test_postgres_store_from_before_event_days_is_filled_at_open(stores):
    """Rows stored before migration 9 get their countries and per-day counts when a newer weaklink opens the store."""
    import weaklink

    loaded = stores("postgresql")
    expected = loaded.wl.dyads("CHN", "RUS", freq="day").to_pyarrow().to_pylist()
    store = loaded.wl.store
    for sql in ("DELETE FROM schema_migrations WHERE version = 9", "DELETE FROM event_days",
                "UPDATE events SET country1 = NULL, country2 = NULL"):
        store.fetch(sql)
    reopened = weaklink.connect(loaded.url)
    try:
        assert reopened.store.fetch("SELECT count(*) FROM events WHERE country1 IS NULL AND actor1_code IS NOT NULL"
                                    ) == [(0,)]
        _same(reopened.dyads("CHN", "RUS", freq="day").to_pyarrow().to_pylist(), expected, "postgres refilled")
    finally:
        reopened.close()


def test_spark_store_from_before_event_days_is_refused(stores, tmp_path):
    import weaklink
    from weaklink.errors import StoreError

    old = tmp_path / "warehouse"
    shutil.copytree(stores("spark").wl.store.folder, old, ignore=shutil.ignore_patterns("event_days", "*.wal"))
    with pytest.raises(StoreError, match="older weaklink.*ingest its files again"):
        weaklink.connect(f"spark:///{old}")


def test_lazy_compilers_serve_postgres_and_pyspark():
    code = """
import sys
import ibis
from weaklink.store.connection import _load_sql_compilers_lazily
_load_sql_compilers_lazily()
from weaklink.indicators.dyads import dyad_series
t = ibis.table({c: t for c, t in [("dataset", "string"), ("event_date", "date"), ("is_root", "boolean"),
    ("actor1_code", "string"), ("actor1_country", "string"), ("actor2_code", "string"), ("actor2_country", "string"),
    ("quad_class", "int8"), ("goldstein", "float64"), ("num_mentions", "int32")]}, name="events")
expr = dyad_series(t, ("CHN",), ("RUS",))
loaded = lambda: sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("ibis.backends.sql.compilers."))
assert loaded() == [], loaded()
from ibis.backends.pyspark import Backend
Backend.register_options()  # ibis.options.pyspark, which its compiler reads (a session would do this)
for dialect in ("postgres", "pyspark"):
    assert "left(" in ibis.to_sql(expr, dialect=dialect).lower()
assert [m for m in loaded() if m not in ("_compat", "base")] == ["postgres", "pyspark"], loaded()  # no other
print("ok")
"""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert done.stdout.strip() == "ok", done.stderr
