#!/usr/bin/env python
"""Benchmark: ingesting GDELT 2.0 event exports with weaklink vs. bare DuckDB vs. a gdeltPyR-style load.

Run from the checkout:

    .venv/bin/python benchmarks/ingest_gdelt.py                 # 1M and 5M rows (the default)
    .venv/bin/python benchmarks/ingest_gdelt.py --sizes 200000  # quick
    .venv/bin/python benchmarks/ingest_gdelt.py --skip-slow --json

The input files are real GDELT rows resampled to the requested sizes (see `generate`); each measurement runs
in a fresh subprocess so that its peak memory is that process's own maximum resident set size. See
benchmarks/README.md for what each line of the table measures.

This is a benchmark, not a test: it prints figures; it only exits non-zero if a measurement fails outright.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

SHARED_DATA = Path(os.environ.get("WEAKLINK_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
SOURCE_GLOB = "gdelt-v2-events/**/*.export.CSV"
CAMEO_EVENTCODES = "gdelt-lookups/oreillyross-GDELT_Downloader/CAMEO.eventcodes.txt"
N_FIELDS = 61
DEFAULT_SIZES = "1000000,5000000"
DEFAULT_WORKDIR = "/tmp/weaklink-bench"
DYAD = ("CHN", "RUS")
DYAD_REPEATS = 5

# Targets (see the table footer).
TARGET_VS_DUCKDB = 1.0
TARGET_VS_GDELTPYR = 20.0
TARGET_PEAK_MB = 2048
TARGET_PEAK_AT_ROWS = 5_000_000
TARGET_DYAD_RATIO = 1.5

# GDELT 2.0 event export columns, as gdeltPyR names them (it sets these after reading).
GDELT2_COLUMNS = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate", "Actor1Code", "Actor1Name",
    "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode", "Actor1Religion1Code",
    "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code", "Actor2Code", "Actor2Name",
    "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode", "Actor2Religion1Code",
    "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code", "IsRootEvent", "EventCode",
    "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions", "NumSources",
    "NumArticles", "AvgTone", "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code", "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code", "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID", "ActionGeo_Type",
    "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code", "ActionGeo_Lat",
    "ActionGeo_Long", "ActionGeo_FeatureID", "DATEADDED", "SOURCEURL",
]
assert len(GDELT2_COLUMNS) == N_FIELDS


# --------------------------------------------------------------------------------------------------------
# Data generation
# --------------------------------------------------------------------------------------------------------

def varchar_columns() -> dict[str, str]:
    return {f"c{i}": "VARCHAR" for i in range(N_FIELDS)}


def read_csv_sql(path_param: str = "$path") -> str:
    """DuckDB read_csv over a raw GDELT export: TAB, no header, no quoting, all 61 columns VARCHAR."""
    return (f"read_csv({path_param}, delim='\t', header=false, quote='', escape='', "
            f"auto_detect=false, columns=$columns)")


def source_files() -> list[str]:
    files = sorted(glob.glob(str(SHARED_DATA / SOURCE_GLOB), recursive=True))
    if not files:
        sys.exit(f"no GDELT 2.0 exports under {SHARED_DATA / 'gdelt-v2-events'}; set WEAKLINK_SHARED_DATA")
    return files


def count_lines(path: Path) -> int:
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            lines += chunk.count(b"\n")
    return lines


def data_path(workdir: Path, rows: int) -> Path:
    return workdir / "data" / f"gdelt-v2-events-{rows}.export.CSV"


def ensure_data(workdir: Path, rows: int, timeout: float | None) -> Path:
    """The resampled file of `rows` rows: reused if its line count is right, else generated and verified.

    Generation runs in a child process too, so that this parent stays small: a child's ru_maxrss on Linux
    starts from its parent's resident size at fork time.
    """
    path = data_path(workdir, rows)
    if path.exists() and count_lines(path) == rows:
        log(f"reusing {path} ({rows:,} lines)")
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    result = run_child("generate", path, rows, workdir / "runs" / "generate", timeout)
    if result["status"] != "ok":
        sys.exit(f"generating {path} failed: {result.get('reason')}")
    log(f"generated {path} ({rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB) in {result['seconds']:.1f} s")
    return path


def child_generate(path: Path, rows: int, scratch: Path) -> dict:
    started = time.perf_counter()
    tmp = path.with_suffix(".partial")
    generate(tmp, rows)
    verify(tmp, rows)
    tmp.replace(path)
    return {"status": "ok", "seconds": time.perf_counter() - started}


def generate(out: Path, rows: int) -> None:
    """Repeat the real rows until `rows`, all 60 other columns byte-for-byte; GLOBALEVENTID = 1..rows."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TEMP TABLE base AS SELECT row_number() OVER () - 1 AS rn, * EXCLUDE (c0) "
                f"FROM {read_csv_sql()}", {"path": source_files(), "columns": varchar_columns()})
    n_base = con.execute("SELECT count(*) FROM base").fetchone()[0]
    copies = math.ceil(rows / n_base)
    rest = ", ".join(f"c{i}" for i in range(1, N_FIELDS))
    con.execute(f"""
        COPY (SELECT (r.range * {n_base} + b.rn + 1)::VARCHAR AS c0, {rest}
              FROM range({copies}) r CROSS JOIN base b
              WHERE r.range * {n_base} + b.rn < {rows}
              ORDER BY r.range, b.rn)
        TO '{out}' (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')""")
    con.close()


def verify(path: Path, rows: int) -> None:
    """Line count, 61 fields and a numeric id on a sample of lines, no quote characters, ids unique."""
    import duckdb

    lines = count_lines(path)
    if lines != rows:
        raise RuntimeError(f"{path}: {lines:,} lines, expected {rows:,}")
    with open(path, "rb") as fh:
        data_quotes = 0
        while chunk := fh.read(1 << 24):
            data_quotes += chunk.count(b'"')
    if data_quotes:
        raise RuntimeError(f"{path}: {data_quotes} double-quote characters; the source has none (empty fields quoted?)")
    for number, line in sample_lines(path):
        fields = line.rstrip(b"\n").split(b"\t")
        if len(fields) != N_FIELDS or not fields[0].isdigit():
            raise RuntimeError(f"{path}: sample line at {number} has {len(fields)} fields / id {fields[0][:20]!r}")
    con = duckdb.connect()
    distinct = con.execute(f"SELECT count(DISTINCT c0) FROM {read_csv_sql()}",
                           {"path": str(path), "columns": varchar_columns()}).fetchone()[0]
    con.close()
    if distinct != rows:
        raise RuntimeError(f"{path}: {distinct:,} distinct GLOBALEVENTIDs for {rows:,} rows")


def sample_lines(path: Path, head: int = 2000, probes: int = 200):
    """The first `head` lines, then one whole line after each of `probes` random byte offsets."""
    with open(path, "rb") as fh:
        for number in range(head):
            line = fh.readline()
            if not line:
                return
            yield f"line {number + 1}", line
        size = path.stat().st_size
        rng = random.Random(7)
        for _ in range(probes):
            offset = rng.randrange(size)
            fh.seek(offset)
            fh.readline()  # skip the partial line
            line = fh.readline()
            if line:
                yield f"byte offset {offset}", line


# --------------------------------------------------------------------------------------------------------
# Measurements: each runs in a child process (`--child METHOD`) and writes its figures as JSON
# --------------------------------------------------------------------------------------------------------

def child_weaklink(path: Path, rows: int, scratch: Path) -> dict:
    try:
        import weaklink
        connect = weaklink.connect
    except (ImportError, AttributeError) as exc:
        return {"status": "not available", "reason": f"weaklink.connect: {exc}"}
    store = scratch / "wl.duckdb"
    remove_store(store)
    started = time.perf_counter()
    wl = connect(f"duckdb:///{store}")
    if not hasattr(wl, "ingest_gdelt"):
        return {"status": "not available", "reason": "weaklink.connect(...).ingest_gdelt does not exist yet"}
    connected = time.perf_counter()
    summary = wl.ingest_gdelt([str(path)], progress=False)
    ingested = time.perf_counter()
    if hasattr(wl, "close"):
        wl.close()
    closed = time.perf_counter()
    totals = summary.totals
    stored = totals.stored
    if stored != rows:
        return {"status": "error", "reason": f"summary.totals.stored = {stored:,}, expected {rows:,} "
                                             f"(totals: {totals!r})"}
    return {"status": "ok", "seconds": closed - started, "connect_s": connected - started,
            "ingest_s": ingested - connected, "close_s": closed - ingested,
            "store_mb": file_mb(store), "store": str(store)}


def child_duckdb_load(path: Path, rows: int, scratch: Path) -> dict:
    import duckdb

    db = scratch / "bare.duckdb"
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute(f"CREATE TABLE t AS SELECT * FROM {read_csv_sql()}",
                {"path": str(path), "columns": varchar_columns()})
    stored = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    seconds = time.perf_counter() - started
    size = file_mb(db)
    db.unlink()
    if stored != rows:
        return {"status": "error", "reason": f"{stored:,} rows loaded, expected {rows:,}"}
    return {"status": "ok", "seconds": seconds, "store_mb": size}


def child_duckdb_parse(path: Path, rows: int, scratch: Path) -> dict:
    """Parse every column without storing: an aggregate over the length of each of the 61 strings."""
    import duckdb

    lengths = ", ".join(f"max(length(c{i}))" for i in range(N_FIELDS))
    con = duckdb.connect()
    started = time.perf_counter()
    counted = con.execute(f"SELECT count(*), {lengths} FROM {read_csv_sql()}",
                          {"path": str(path), "columns": varchar_columns()}).fetchone()[0]
    seconds = time.perf_counter() - started
    con.close()
    if counted != rows:
        return {"status": "error", "reason": f"{counted:,} rows parsed, expected {rows:,}"}
    return {"status": "ok", "seconds": seconds}


def child_gdeltpyr(path: Path, rows: int, scratch: Path) -> dict:
    """gdeltPyR's events path: `_mp_worker`'s read_csv, column names, then `_cameos` applied per row."""
    import warnings
    from functools import partial

    import pandas as pd

    warnings.filterwarnings("ignore", ".*have mixed types.*")  # the client silences this too
    codes = cameo_codes_frame(pd)
    codes_source = codes.attrs.get("source", "")

    def _cameos(x, codes):  # the client's helper, as written in gdelt/helpers.py
        try:
            return codes["Description"][x]
        except (KeyError, TypeError):  # the client has a bare `except:`
            return f"No Description returned for CAMEO code {x}"

    started = time.perf_counter()
    # `warn_bad_lines=False` is dropped: pandas 2 removed it (and it never skipped lines anyway).
    results = pd.read_csv(str(path), sep="\t", header=None, dtype={26: "str", 27: "str", 28: "str"})
    loaded = time.perf_counter()
    results.columns = GDELT2_COLUMNS
    descriptions = results.EventCode.apply(partial(_cameos, codes=codes))
    results.insert(27, "CAMEOCodeDescription", value=descriptions.values)
    finished = time.perf_counter()
    if len(results) != rows:
        return {"status": "error", "reason": f"{len(results):,} rows read, expected {rows:,}"}
    unlabelled = int(descriptions.str.startswith("No Description").sum())
    return {"status": "ok", "seconds": finished - started, "load_s": loaded - started,
            "lookup_s": finished - loaded, "unlabelled_rows": unlabelled, "codes_source": codes_source}


def cameo_codes_frame(pd):
    """CAMEO code -> label as the client holds it: a DataFrame indexed by code with a Description column."""
    labels, source = cameo_labels()
    codes = pd.DataFrame({"cameoCode": list(labels), "Description": list(labels.values())})
    codes = codes.set_index("cameoCode", drop=False)
    codes.attrs["source"] = source
    return codes


def cameo_labels() -> tuple[dict[str, str], str]:
    try:
        from weaklink.reference.cameo import load_event_codes
    except ImportError:
        return read_eventcodes_file(SHARED_DATA / CAMEO_EVENTCODES), CAMEO_EVENTCODES
    return labels_from(load_event_codes()), "weaklink.reference.cameo.load_event_codes()"


def read_eventcodes_file(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]  # header CAMEOEVENTCODE, EVENTDESCRIPTION
    return dict(line.split("\t", 1) for line in lines if "\t" in line)


def labels_from(loaded) -> dict[str, str]:
    """Accept a code->label mapping, or records with a code and a label/description/name."""
    def label(value):
        if isinstance(value, str):
            return value
        for attr in ("label", "description", "name"):
            if hasattr(value, attr):
                return getattr(value, attr)
        return str(value)

    if hasattr(loaded, "items"):
        return {str(code): label(value) for code, value in loaded.items()}
    return {str(record.code): label(record) for record in loaded}


# --------------------------------------------------------------------------------------------------------
# The dyad-month query: weaklink's `dyads()` vs. the same query written by hand in DuckDB SQL
# --------------------------------------------------------------------------------------------------------

def dyad_sql(a: tuple[str, ...], b: tuple[str, ...]) -> str:
    """A-B per month, both directions, written by hand to match weaklink.indicators.dyads.dyad_series.

    Its semantics (read from dyads.py): dataset 'gdelt' only; an actor's country is actor1_country, else
    the first three letters of actor1_code, matched against each actor's codes (CAMEO, and ISO3 where it
    differs); both directions; every month that has any stored event appears, with zero counts
    and a NULL mean when the dyad has none; goldstein_sum and goldstein_mean rounded to 6 decimals;
    share_per_10k = dyad events * 10000 / all events stored that month.
    """
    return f"""
    WITH ev AS (
        SELECT date_trunc('month', event_date)::DATE AS period, quad_class, goldstein, num_mentions,
               coalesce(actor1_country, substr(actor1_code, 1, 3)) AS c1,
               coalesce(actor2_country, substr(actor2_code, 1, 3)) AS c2
        FROM events
        WHERE dataset = 'gdelt'
    ),
    totals AS (SELECT period, count(*) AS all_events FROM ev GROUP BY period),
    pair AS (
        SELECT period,
               count(*) AS events,
               count(*) FILTER (WHERE quad_class = 1) AS verbal_coop,
               count(*) FILTER (WHERE quad_class = 2) AS material_coop,
               count(*) FILTER (WHERE quad_class = 3) AS verbal_conflict,
               count(*) FILTER (WHERE quad_class = 4) AS material_conflict,
               sum(goldstein) AS goldstein_sum,
               avg(goldstein) AS goldstein_mean,
               sum(num_mentions) AS mentions
        FROM ev
        WHERE (c1 IN {sql_list(a)} AND c2 IN {sql_list(b)}) OR (c1 IN {sql_list(b)} AND c2 IN {sql_list(a)})
        GROUP BY period
    )
    SELECT t.period,
           coalesce(p.events, 0) AS events,
           coalesce(p.verbal_coop, 0) AS verbal_coop,
           coalesce(p.material_coop, 0) AS material_coop,
           coalesce(p.verbal_conflict, 0) AS verbal_conflict,
           coalesce(p.material_conflict, 0) AS material_conflict,
           round(coalesce(p.goldstein_sum, 0), 6) AS goldstein_sum,
           round(p.goldstein_mean, 6) AS goldstein_mean,
           coalesce(p.mentions, 0) AS mentions,
           coalesce(p.events, 0) * 10000.0 / t.all_events AS share_per_10k
    FROM totals t LEFT JOIN pair p USING (period)
    ORDER BY t.period"""


def sql_list(codes: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + code.replace("'", "''") + "'" for code in codes) + ")"


def dyad_codes(wl, actor: str) -> tuple[str, ...]:
    """The codes weaklink matches for an actor (the API's own resolution), else the ISO3 code itself."""
    resolve = getattr(wl, "actor_codes", None)
    return tuple(resolve(actor)) if resolve else (actor,)


def child_dyad(path: Path, rows: int, scratch: Path) -> dict:
    """Both queries on weaklink's own DuckDB connection, interleaved run by run, so load drift hits both."""
    store = scratch / "wl.duckdb"
    if not store.exists():
        return {"status": "not available", "reason": f"no weaklink store at {store} (weaklink ingest did not run)"}
    try:
        import weaklink
        connect = weaklink.connect
    except (ImportError, AttributeError) as exc:
        return {"status": "not available", "reason": f"weaklink.connect: {exc}"}
    wl = connect(f"duckdb:///{store}")
    if not hasattr(wl, "dyads"):
        return {"status": "not available", "reason": "weaklink.connect(...).dyads does not exist yet"}
    con = wl.store.con
    codes = tuple(dyad_codes(wl, actor) for actor in DYAD)
    sql = dyad_sql(*codes)
    runs = {"hand": lambda: con.sql(sql).to_arrow_table(),
            "weaklink": lambda: wl.dyads(*DYAD, freq="month").to_pyarrow()}
    times, results = timed_interleaved(runs)
    wl.close()
    hand, ours = results["hand"], results["weaklink"]
    return {"status": "ok", "weaklink_s": times["weaklink"], "hand_s": times["hand"],
            "weaklink_median_s": statistics.median(times["weaklink"]),
            "hand_median_s": statistics.median(times["hand"]),
            "months": hand.num_rows, "codes": codes, "comparison": compare_tables(ours, hand)}


def timed_interleaved(runs: dict, repeats: int = DYAD_REPEATS) -> tuple[dict, dict]:
    """One warm-up of each, then `repeats` rounds running each once; times per name and last results."""
    results = {name: run() for name, run in runs.items()}
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            started = time.perf_counter()
            results[name] = run()
            times[name].append(time.perf_counter() - started)
    return times, results


def compare_tables(ours, hand) -> dict:
    """Every column of the hand-written result against weaklink's, month by month."""
    key = "period"
    ours_rows = {str(row[key])[:10]: row for row in ours.to_pylist()} if key in ours.column_names else {}
    hand_rows = {str(row[key])[:10]: row for row in hand.to_pylist()}
    problems = []
    missing_cols = [c for c in hand.column_names if c not in ours.column_names]
    if missing_cols:
        problems.append(f"weaklink result lacks columns {missing_cols} (has {ours.column_names})")
    if set(ours_rows) != set(hand_rows):
        problems.append(f"months differ: weaklink {sorted(ours_rows)[:3]}.. ({len(ours_rows)}) vs "
                        f"hand {sorted(hand_rows)[:3]}.. ({len(hand_rows)})")
    max_rel = 0.0
    for month in sorted(set(ours_rows) & set(hand_rows)):
        for col in hand.column_names:
            if col == key or col in missing_cols:
                continue
            a, b = ours_rows[month][col], hand_rows[month][col]
            if a is None or b is None:
                if a is not b:
                    problems.append(f"{month} {col}: weaklink {a!r} vs hand {b!r}")
                continue
            rel = abs(float(a) - float(b)) / max(abs(float(b)), 1e-300) if a != b else 0.0
            max_rel = max(max_rel, rel)
            if rel > 1e-9:
                problems.append(f"{month} {col}: weaklink {a!r} vs hand {b!r}")
    return {"identical": not problems, "max_rel_diff": max_rel, "problems": problems[:10]}


MEASUREMENTS = {"weaklink": child_weaklink, "duckdb_load": child_duckdb_load, "duckdb_parse": child_duckdb_parse,
                "gdeltpyr": child_gdeltpyr, "dyad": child_dyad}
CHILDREN = {"generate": child_generate, **MEASUREMENTS}


def run_child(method: str, path: Path, rows: int, scratch: Path, timeout: float | None,
              label: str = "") -> dict:
    """Run one measurement in a fresh interpreter; peak MB is that process's own ru_maxrss (wait4)."""
    scratch.mkdir(parents=True, exist_ok=True)
    result_file = scratch / f"{method}.result.json"
    log_file = scratch / f"{method}.log"
    result_file.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", method, "--child-path", str(path),
           "--child-rows", str(rows), "--child-scratch", str(scratch), "--child-result", str(result_file)]
    log(f"{method} @ {rows:,} rows{label} ...")
    started = time.perf_counter()
    with open(log_file, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        status, rusage = wait_child(proc, timeout)
    wall = time.perf_counter() - started
    maxrss_mb = rusage.ru_maxrss / 1024 if rusage else None  # Linux reports KiB
    if result_file.exists():
        result = json.loads(result_file.read_text())
    else:
        tail = log_file.read_text(errors="replace")[-2000:]
        result = {"status": "error", "reason": f"child exited with {status}; log tail:\n{tail}"}
    # Peak = the child's own VmHWM; its ru_maxrss (wait4) is the fallback and a cross-check.
    peak_mb = result.get("vm_hwm_mb") or maxrss_mb
    result.update(method=method, rows=rows, peak_mb=peak_mb, ru_maxrss_mb=maxrss_mb, process_wall_s=wall)
    if result["status"] != "ok":
        log(f"  {method}: {result['status']}: {result.get('reason', '')}")
    elif "seconds" in result:
        log(f"  {result['seconds']:.2f} s, {rows / result['seconds'] / 1e6:.3f} M rows/s, {peak_mb:,.0f} MB")
    return result


TIMED_KEYS = ("seconds", "load_s", "lookup_s", "connect_s", "ingest_s", "close_s")


def merge_runs(runs: list[dict]) -> dict:
    """Median of each timing over the repetitions, max of peak memory; the first failure if any failed."""
    failed = [r for r in runs if r["status"] != "ok"]
    if failed:
        return failed[0]
    merged = dict(runs[-1])
    for key in TIMED_KEYS:
        if key in merged:
            merged[key] = statistics.median(r[key] for r in runs)
    merged["peak_mb"] = max(r["peak_mb"] for r in runs)
    merged["runs_s"] = [r["seconds"] for r in runs]
    return merged


def warm_page_cache(path: Path) -> None:
    """Read the input once so every measurement starts with it in the page cache."""
    with open(path, "rb") as fh:
        while fh.read(1 << 24):
            pass


def wait_child(proc: subprocess.Popen, timeout: float | None):
    """wait4() the child so its own rusage comes back (RUSAGE_CHILDREN would be the max over all children)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG if deadline else 0)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, rusage
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, rusage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            return "timeout", rusage
        time.sleep(0.1)


def child_main(args) -> None:
    method = CHILDREN[args.child]
    try:
        result = method(Path(args.child_path), args.child_rows, Path(args.child_scratch))
    except Exception as exc:  # noqa: BLE001 - report it as a row, not a crash of the whole benchmark
        import traceback
        traceback.print_exc()
        result = {"status": "error", "reason": f"{type(exc).__name__}: {exc}"}
    result["vm_hwm_mb"] = own_peak_mb()
    Path(args.child_result).write_text(json.dumps(result))


def own_peak_mb() -> float | None:
    """This process's peak resident set (VmHWM): its own address space only, since exec."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


# --------------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------------

@dataclass
class Row:
    method: str
    rows: int
    status: str = "ok"
    seconds: float | None = None
    peak_mb: float | None = None
    note: str = ""
    detail: dict = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.rows / self.seconds if self.status == "ok" and self.seconds else None


LABELS = {
    "weaklink": "weaklink ingest_gdelt",
    "duckdb_load": "bare DuckDB table load",
    "duckdb_parse": "DuckDB parse only",
    "gdeltpyr_load": "gdeltPyR-style load only",
    "gdeltpyr": "gdeltPyR-style end-to-end",
}


def rows_from(result: dict) -> list[Row]:
    method, status = result["method"], result["status"]
    note = "" if status == "ok" else (result.get("reason") or "").splitlines()[0][:120]
    base = {"rows": result["rows"], "status": status, "peak_mb": result.get("peak_mb"), "note": note}
    detail = {k: v for k, v in result.items() if k not in ("method", "rows", "status", "peak_mb", "reason")}
    if method == "gdeltpyr":
        return [Row("gdeltpyr_load", seconds=result.get("load_s"), detail=detail, **base),
                Row("gdeltpyr", seconds=result.get("seconds"), detail=detail, **base)]
    return [Row(method, seconds=result.get("seconds"), detail=detail, **base)]


def reference_rate(rows: list[Row], method: str, size: int) -> tuple[float | None, bool]:
    """The reference's rate at this size, else (gdeltPyR skipped) at the nearest smaller measured size."""
    measured = {r.rows: r.rate for r in rows if r.method == method and r.rate}
    if size in measured:
        return measured[size], False
    smaller = [s for s in measured if s < size]
    return (measured[max(smaller)], True) if smaller else (None, False)


def fmt(value, spec: str, missing: str = "-") -> str:
    return missing if value is None else format(value, spec)


def print_table(rows: list[Row]) -> None:
    header = (f"{'method':<28}{'rows':>11}{'seconds':>10}{'(min-max)':>15}{'M rows/s':>10}{'peak MB':>9}"
              f"{'vs DuckDB load':>16}{'vs gdeltPyR e2e':>17}")
    print(header)
    print("-" * len(header))
    borrowed = False
    for row in rows:
        if row.status != "ok":
            print(f"{LABELS[row.method]:<28}{row.rows:>11,}  {row.status}: {row.note}")
            continue
        duck, _ = reference_rate(rows, "duckdb_load", row.rows)
        gpyr, from_smaller = reference_rate(rows, "gdeltpyr", row.rows)
        borrowed |= from_smaller
        vs_duck = f"{row.rate / duck:.2f}x" if duck else "-"
        vs_gpyr = f"{row.rate / gpyr:.1f}x{'*' if from_smaller else ''}" if gpyr else "-"
        print(f"{LABELS[row.method]:<28}{row.rows:>11,}{row.seconds:>10.2f}{spread(row):>15}{row.rate / 1e6:>10.3f}"
              f"{fmt(row.peak_mb, ',.0f'):>9}{vs_duck:>16}{vs_gpyr:>17}")
    if borrowed:
        print("* gdeltPyR-style not run at this size (--skip-slow); ratio uses its rate at the largest smaller size.")


def spread(row: Row) -> str:
    """Min-max seconds over the repetitions (end-to-end runs only; load-only has its own timings)."""
    runs = row.detail.get("runs_s") or []
    if len(runs) < 2 or row.method == "gdeltpyr_load":
        return ""
    return f"({min(runs):.2f}-{max(runs):.2f})"


def print_dyad(dyad: dict | None) -> None:
    if dyad is None:
        return
    a, b = DYAD
    print(f"\ndyad-month query {a}-{b} over the weaklink store ({dyad['rows']:,} rows), "
          f"median of {DYAD_REPEATS} after a warm-up:")
    if dyad["status"] != "ok":
        print(f"  {dyad['status']}: {dyad.get('reason', '')}")
        return
    ratio = dyad["weaklink_median_s"] / dyad["hand_median_s"]
    cmp_ = dyad["comparison"]
    print(f"  weaklink dyads(...).to_pyarrow() {dyad['weaklink_median_s'] * 1000:9.1f} ms")
    print(f"  hand-written DuckDB SQL          {dyad['hand_median_s'] * 1000:9.1f} ms")
    print(f"  ratio weaklink / hand            {ratio:9.2f}x   ({dyad['months']} months; results "
          f"{'identical' if cmp_['identical'] else 'DIFFER'}, max rel. diff {cmp_['max_rel_diff']:.1e})")
    for problem in cmp_["problems"]:
        print(f"    ! {problem}")


def evaluate_targets(rows: list[Row], dyad: dict | None) -> list[dict]:
    targets = []
    ours = [r for r in rows if r.method == "weaklink"]

    def add(name, passed, measured):
        targets.append({"target": name, "result": {True: "PASS", False: "FAIL", None: "n/a"}[passed],
                        "measured": measured})

    for row in ours:
        duck, _ = reference_rate(rows, "duckdb_load", row.rows)
        ok = row.rate is not None and duck is not None
        add(f"weaklink rate >= bare DuckDB load rate @ {row.rows:,}",
            row.rate >= TARGET_VS_DUCKDB * duck if ok else None,
            f"{row.rate / 1e6:.3f} vs {duck / 1e6:.3f} M rows/s" if ok else not_measured(row))
    for row in ours:
        gpyr, from_smaller = reference_rate(rows, "gdeltpyr", row.rows)
        ok = row.rate is not None and gpyr is not None
        add(f"weaklink >= {TARGET_VS_GDELTPYR:.0f}x gdeltPyR end-to-end @ {row.rows:,}",
            row.rate >= TARGET_VS_GDELTPYR * gpyr if ok else None,
            f"{row.rate / gpyr:.1f}x{' (gdeltPyR rate from a smaller size)' if from_smaller else ''}; "
            f"{TARGET_VS_GDELTPYR:.0f}x needs {TARGET_VS_GDELTPYR * gpyr / 1e6:.2f} M rows/s"
            f"{parse_context(rows, row.rows)}" if ok else not_measured(row))
    at = [r for r in ours if r.rows >= TARGET_PEAK_AT_ROWS and r.status == "ok"]
    if at:
        row = min(at, key=lambda r: r.rows)
        add(f"weaklink peak memory < {TARGET_PEAK_MB / 1024:.0f} GB @ {row.rows:,}",
            row.peak_mb < TARGET_PEAK_MB, f"{row.peak_mb:,.0f} MB")
    else:
        largest = max(ours, key=lambda r: r.rows, default=None)
        seen = (f"; {largest.peak_mb:,.0f} MB at {largest.rows:,}"
                if largest and largest.status == "ok" else "")
        add(f"weaklink peak memory < {TARGET_PEAK_MB / 1024:.0f} GB @ {TARGET_PEAK_AT_ROWS:,}", None,
            f"not measured at {TARGET_PEAK_AT_ROWS:,} rows{seen}")
    if dyad and dyad["status"] == "ok":
        ratio = dyad["weaklink_median_s"] / dyad["hand_median_s"]
        same = dyad["comparison"]["identical"]
        add(f"dyad query within {TARGET_DYAD_RATIO}x of hand SQL (and identical numbers)",
            ratio <= TARGET_DYAD_RATIO and same, f"{ratio:.3f}x, {'identical' if same else 'results differ'}")
    else:
        add(f"dyad query within {TARGET_DYAD_RATIO}x of hand SQL", None,
            dyad.get("reason", "not run") if dyad else "not run")
    return targets


def parse_context(rows: list[Row], size: int) -> str:
    parse, _ = reference_rate(rows, "duckdb_parse", size)
    return f" (DuckDB parse-only, storing nothing: {parse / 1e6:.2f})" if parse else ""


def not_measured(row: Row) -> str:
    return row.note if row.status != "ok" else "reference not measured"


def print_targets(targets: list[dict]) -> None:
    print("\ntargets:")
    for t in targets:
        print(f"  [{t['result']:>4}] {t['target']}: {t['measured']}")


def machine() -> dict:
    import platform

    info = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    for mod in ("duckdb", "pandas", "pyarrow", "weaklink"):
        try:
            info[mod] = __import__(mod).__version__
        except (ImportError, AttributeError):
            info[mod] = None
    try:
        with open("/proc/meminfo") as fh:
            info["mem_gb"] = round(int(fh.readline().split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    return info


# --------------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------------

def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated row counts (default {DEFAULT_SIZES})")
    p.add_argument("--workdir", default=DEFAULT_WORKDIR, help=f"generated files and stores (default {DEFAULT_WORKDIR})")
    p.add_argument("--skip-slow", action="store_true", help="run the gdeltPyR-style load only at the smallest size")
    p.add_argument("--only", default="", help="comma-separated subset of: " + ", ".join(MEASUREMENTS))
    p.add_argument("--repeat", type=int, default=3,
                   help="runs of each measurement, interleaved; the table shows the median (default 3)")
    p.add_argument("--timeout", type=float, default=None, help="seconds allowed per measurement")
    p.add_argument("--keep-stores", action="store_true", help="keep the weaklink stores after the run")
    p.add_argument("--json", action="store_true", help="print the figures as JSON instead of the table")
    for hidden in ("--child", "--child-path", "--child-scratch", "--child-result"):
        p.add_argument(hidden, help=argparse.SUPPRESS)
    p.add_argument("--child-rows", type=int, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        child_main(args)
        return 0
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    only = {m.strip() for m in args.only.split(",") if m.strip()} or set(MEASUREMENTS)
    unknown = only - set(MEASUREMENTS)
    if unknown:
        sys.exit(f"--only: unknown {sorted(unknown)}; choose from {', '.join(MEASUREMENTS)}")
    workdir = Path(args.workdir)
    paths = {size: ensure_data(workdir, size, args.timeout) for size in sizes}

    results, dyad = [], None
    for size in sizes:
        scratch = workdir / "runs" / str(size)
        shutil.rmtree(scratch, ignore_errors=True)
        planned = [m for m in ("weaklink", "duckdb_load", "duckdb_parse", "gdeltpyr") if m in only
                   and not (m == "gdeltpyr" and args.skip_slow and size != sizes[0])]
        runs = {method: [] for method in planned}
        for repetition in range(args.repeat):  # interleaved, so slow spells of a shared host spread out
            for method in planned:
                if runs[method] and runs[method][-1]["status"] != "ok":
                    continue  # not available / failed: do not retry
                warm_page_cache(paths[size])
                runs[method].append(run_child(method, paths[size], size, scratch, args.timeout,
                                              f" (run {repetition + 1}/{args.repeat})"))
        results += [merge_runs(runs[method]) for method in planned]
        if size == sizes[-1] and "dyad" in only:
            dyad = run_child("dyad", paths[size], size, scratch, args.timeout)
        if not args.keep_stores:
            remove_store(scratch / "wl.duckdb")

    rows = [row for result in results for row in rows_from(result)]
    order = list(LABELS)
    rows.sort(key=lambda r: (r.rows, order.index(r.method)))
    targets = evaluate_targets(rows, dyad)
    if args.json:
        print(json.dumps({"machine": machine(), "sizes": sizes,
                          "rows": [dict(asdict(r), rows_per_s=r.rate) for r in rows],
                          "dyad": dyad, "targets": targets}, indent=2, default=str))
        return 0
    info = machine()
    print(f"GDELT 2.0 export ingest benchmark - {info['cpus']} CPUs, {info.get('mem_gb', '?')} GB RAM, "
          f"Python {info['python']}, duckdb {info['duckdb']}, pandas {info['pandas']}, "
          f"weaklink {info['weaklink']}\n")
    print_table(rows)
    print_dyad(dyad)
    print_targets(targets)
    return 0


def remove_store(store: Path) -> None:
    for leftover in (store, store.with_name(store.name + ".wal")):
        leftover.unlink(missing_ok=True)


def file_mb(path: Path) -> float | None:
    return path.stat().st_size / 2 ** 20 if path.exists() else None


if __name__ == "__main__":
    sys.exit(main())
