#!/usr/bin/env python
"""Benchmark: weaklink at 1M, 10M and 50M GDELT events (issue 16): ingest, a dyad-month series, cohesion, and the
cost of adding one real 15-minute file to a large store against an empty one.

    .venv/bin/python benchmarks/scale.py                                   # DuckDB, 1M, 10M and 50M events
    .venv/bin/python benchmarks/scale.py --rows 1000000,5000000 --chunk 500000
    .venv/bin/python benchmarks/scale.py --store postgresql://me@localhost:5432/wl --empty-store 'postgresql://...{n}'

The store is grown in one pass through `weaklink.connect(url)` and `wl.ingest_gdelt`, one resampled file of
`--chunk` real GDELT 2.0 rows at a time (the generator of benchmarks/ingest_gdelt.py, ids shifted per chunk), so
that 50M events need only one chunk's CSV on disk. When the store reaches each size of `--rows`, the script times
the analyses and adds real 15-minute files. See benchmarks/README.md ("scale.py") for what each figure means.

A benchmark, not a test: targets print PASS or FAIL; the exit status only says whether a measurement failed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest_gdelt as gen  # noqa: E402 - the generator and CSV reader settings of the ingest benchmark

from weaklink.ingest.eventdays import COLUMNS as DAY_COLUMNS  # noqa: E402
from weaklink.ingest.eventdays import event_days_sql  # noqa: E402

DEFAULT_ROWS = "1000000,10000000,50000000"
DEFAULT_WORKDIR = "/tmp/weaklink-scale"
ID_BASE = 1_000_000_000  # generated ids: 10 digits, below the real 2024-25 exports' ids (about 1.2e9)
REAL_FOLDER = "gdelt-v2-events/oreillyross-GDELT_Downloader"
DYAD = ("CHN", "RUS")

TARGET_DYAD_S = 2.0            # dyad-month series over 50M events
TARGET_DYAD_AT = 50_000_000
TARGET_ADD_RATIO = 1.5         # adding one file to a 50M store vs an empty one
TARGET_PEAK_MB = 2048          # every stage


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------------------
# Memory: the process's own peak resident set, reset before each stage (Linux: /proc/self/clear_refs)
# ----------------------------------------------------------------------------------------------------------

def reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_mb() -> float | None:
    return gen.own_peak_mb()


# ----------------------------------------------------------------------------------------------------------
# Input: resampled chunks, and real 15-minute files
# ----------------------------------------------------------------------------------------------------------

def base_chunk(workdir: Path, rows: int) -> Path:
    """`rows` real rows resampled by ingest_gdelt.generate (ids 1..rows), made once and reused."""
    path = workdir / f"base-{rows}.csv"
    if not (path.exists() and gen.count_lines(path) == rows):
        log(f"generating {path} ({rows:,} rows) with ingest_gdelt.generate ...")
        gen.generate(path.with_suffix(".partial"), rows)
        gen.verify(path.with_suffix(".partial"), rows)
        path.with_suffix(".partial").replace(path)
    return path


def write_chunk(base: Path, out: Path, first_id: int) -> None:
    """The base chunk with GLOBALEVENTID shifted to start at `first_id`; the 60 other fields byte for byte."""
    import duckdb

    rest = ", ".join(f"c{i}" for i in range(1, gen.N_FIELDS))
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT (c0::BIGINT + {first_id - 1})::VARCHAR AS c0, {rest} FROM {gen.read_csv_sql()})
                    TO '{out}' (FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '')""",
                {"path": str(base), "columns": gen.varchar_columns()})
    con.close()


def real_files(count: int, above: int) -> list[Path]:
    """Real GDELT 2.0 15-minute exports, in time order, whose ids lie above the generated ones."""
    files = []
    for path in sorted((gen.SHARED_DATA / REAL_FOLDER).glob("*.export.CSV")):
        with open(path, "rb") as fh:
            first = fh.readline().split(b"\t", 1)[0]
        if first.isdigit() and int(first) > above:
            files.append(path)
    if len(files) < count:
        sys.exit(f"need {count} real exports under {gen.SHARED_DATA / REAL_FOLDER}, found {len(files)}")
    return files[:count]


# ----------------------------------------------------------------------------------------------------------
# Measurements
# ----------------------------------------------------------------------------------------------------------

@dataclass
class Stage:
    rows: int                                   # events in the store when measured
    ingest_s: float = 0.0                       # weaklink, cumulative over the chunks up to here
    chunk_s: list[float] = field(default_factory=list)  # each chunk since the size before
    bare_s: float = 0.0                         # bare read_csv on the chunks compared so far
    weaklink_on_bare_chunks_s: float = 0.0      # weaklink on those same chunks
    ingest_peak_mb: float | None = None
    dyad_s: float | None = None
    dyad_months: int | None = None
    dyad_peak_mb: float | None = None
    cohesion_s: float | None = None
    cohesion_peak_mb: float | None = None
    add_s: list[float] = field(default_factory=list)
    add_ratio: float | None = None
    store_mb: float | None = None
    fill_s: float = 0.0                         # --fill copy: seconds copying stored events since the size before
    reopen_s: float = 0.0                       # closing (checkpoint) and opening the store before the analyses
    ingested: int = 0                           # chunks ingested before the size before

    def rows_ingested(self, chunk: int) -> int:
        return (self.ingested + len(self.chunk_s)) * chunk
    load: float | None = None                   # 1-minute load average when measured (2 cores)


def timed(run, repeats: int) -> tuple[float, object]:
    """One warm-up, then the median of `repeats` runs."""
    result = run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def add_file(wl, path: Path) -> float:
    started = time.perf_counter()
    result = wl.ingest_gdelt([path], progress=False).files[0]
    seconds = time.perf_counter() - started
    if result.status != "ingested" or result.stored + result.rejected != result.read:
        sys.exit(f"adding {path}: {result.status} {result.message or ''} (read {result.read}, stored "
                 f"{result.stored}, rejected {result.rejected}, duplicate {result.duplicate})")
    return seconds


def empty_store_adds(url_for, files: list[Path]) -> dict[Path, float]:
    """Each file added to a new, empty store."""
    import weaklink

    url = url_for("warm-up")  # a first ingest in this process pays for imports: not timed
    remove_duckdb(url)
    with weaklink.connect(url) as wl:
        add_file(wl, files[-1])
    remove_duckdb(url)
    seconds = {}
    for n, path in enumerate(files):
        url = url_for(n)
        remove_duckdb(url)
        wl = weaklink.connect(url)
        seconds[path] = add_file(wl, path)
        wl.close()
        remove_duckdb(url)
    return seconds


def bare_load(db: Path, path: Path) -> float:
    """A bare DuckDB read_csv of the same file appended to a persistent table (all 61 columns VARCHAR), through
    its commit and close."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute(f"CREATE TABLE IF NOT EXISTS t AS SELECT * FROM {gen.read_csv_sql()} LIMIT 0",
                {"path": str(path), "columns": gen.varchar_columns()})
    con.execute(f"INSERT INTO t SELECT * FROM {gen.read_csv_sql()}",
                {"path": str(path), "columns": gen.varchar_columns()})
    con.close()
    return time.perf_counter() - started


def prepare_chunk(base: Path, out: Path, first_id: int, bare_db: Path | None) -> float | None:
    """Write the chunk (and time its bare load) in a child process, so that neither adds to this one's memory."""
    import subprocess

    cmd = [sys.executable, str(Path(__file__).resolve()), "--child-chunk", str(base), str(out), str(first_id),
           str(bare_db or "")]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"writing {out} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)["bare_s"]


def child_chunk(argv: list[str]) -> None:
    base, out, first_id, bare_db = argv
    write_chunk(Path(base), Path(out), int(first_id))
    print(json.dumps({"bare_s": bare_load(Path(bare_db), Path(out)) if bare_db else None}))


def stored_events(wl) -> int:
    return wl.store.con.execute("SELECT count(*) FROM events").fetchall()[0][0]


def copy_chunk(wl, first_rows: int, shift: int) -> float:
    """--fill copy (DuckDB): the events the first chunk stored in the new store (its first `first_rows` rows),
    appended again with record ids shifted by `shift`: the rows ingest would store for that chunk, without parsing
    it again (file_id stays the first chunk's), and counted in `event_days` as ingest counts them."""
    started = time.perf_counter()
    con = wl.store.con
    con.execute(f"""INSERT INTO events SELECT * REPLACE ((record_id::BIGINT + {shift})::VARCHAR AS record_id)
                    FROM events WHERE rowid < {int(first_rows)}""")
    con.execute(f"INSERT INTO event_days ({DAY_COLUMNS}) {event_days_sql('events', f'rowid < {int(first_rows)}')}")
    return time.perf_counter() - started


def reopened(wl, url: str):
    """The store closed (which checkpoints what the fill wrote) and opened again, as the next command would open
    it: the analyses and the added files are timed in a fresh connection, not one whose cache and write-ahead log
    the fill left behind. The new connection and the seconds it took."""
    import weaklink

    started = time.perf_counter()
    wl.close()
    return weaklink.connect(url), time.perf_counter() - started


def measure_size(wl, stage: Stage, adds: list[Path], empty: dict[Path, float], repeats: int) -> None:
    reset_peak()
    stage.dyad_s, dyad = timed(lambda: wl.dyads(*DYAD, freq="month").to_pyarrow(), repeats)
    stage.dyad_months, stage.dyad_peak_mb = dyad.num_rows, peak_mb()
    log(f"  dyad-month series {'-'.join(DYAD)}: {stage.dyad_s:.3f} s ({stage.dyad_months} months)")
    reset_peak()
    stage.cohesion_s, _ = timed(lambda: wl.cohesion("axis", freq="month").to_pyarrow(), repeats)
    stage.cohesion_peak_mb = peak_mb()
    log(f"  cohesion of the axis: {stage.cohesion_s:.3f} s")
    stage.add_s = [add_file(wl, path) for path in adds]
    stage.add_ratio = statistics.median(t / empty[p] for t, p in zip(stage.add_s, adds))
    log(f"  adding one real file: {', '.join(f'{t:.3f}' for t in stage.add_s)} s; median ratio to an empty store "
        f"{stage.add_ratio:.2f}")


# ----------------------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------------------

def remove_duckdb(url: str) -> None:
    if url.startswith("duckdb:///"):
        path = Path(url[len("duckdb://"):])
        for extra in ("", ".wal"):
            Path(f"{path}{extra}").unlink(missing_ok=True)


def store_mb(url: str) -> float | None:
    return gen.file_mb(Path(url[len("duckdb://"):])) if url.startswith("duckdb:///") else None


def run(args) -> tuple[list[Stage], dict[Path, float]]:
    import weaklink

    sizes = sorted(int(s) for s in args.rows.split(","))
    if any(size % args.chunk for size in sizes):
        sys.exit(f"every size of --rows must be a multiple of --chunk ({args.chunk:,})")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    base = base_chunk(workdir, args.chunk)
    files = real_files(args.add_files * len(sizes), ID_BASE + sizes[-1])
    adds = {size: files[i * args.add_files:(i + 1) * args.add_files] for i, size in enumerate(sizes)}
    log(f"adding {len(files)} real files to empty stores ...")
    empty = empty_store_adds(lambda n: args.empty_store.format(n=n), files)
    log(f"  {', '.join(f'{t:.3f}' for t in empty.values())} s")
    remove_duckdb(args.store)
    bare_db = workdir / "bare.duckdb"
    bare_db.unlink(missing_ok=True)
    wl = weaklink.connect(args.store)
    stages, stage, chunk_file = [], Stage(rows=0), workdir / "chunk.export.CSV"
    first_rows = None
    reset_peak()
    for k in range(sizes[-1] // args.chunk):
        stage.rows = (k + 1) * args.chunk
        if args.fill == "copy" and first_rows is not None and stage.rows not in sizes:
            stage.fill_s += copy_chunk(wl, first_rows, k * args.chunk)
            continue
        compare = k % args.bare_every == 0 or args.fill == "copy"
        bare_s = prepare_chunk(base, chunk_file, ID_BASE + k * args.chunk + 1, bare_db if compare else None)
        reset_peak()
        seconds = add_file(wl, chunk_file)
        stage.ingest_peak_mb = max(stage.ingest_peak_mb or 0.0, peak_mb() or 0.0)
        first_rows = first_rows or stored_events(wl)
        stage.ingest_s += seconds
        stage.chunk_s.append(seconds)
        line = (f"chunk {k + 1}: store {stage.rows:,} events, ingest {seconds:.2f} s "
                f"(load average {os.getloadavg()[0]:.1f})")
        if compare:
            stage.bare_s += bare_s
            stage.weaklink_on_bare_chunks_s += seconds
            line += f", bare read_csv {bare_s:.2f} s"
        log(line)
        if stage.rows in sizes:
            if stage.fill_s:
                copied = stage.rows - stage.rows_ingested(args.chunk)
                log(f"  (copied {copied:,} stored events in {stage.fill_s:.1f} s; the store holds "
                    f"{stored_events(wl):,})")
            wl, stage.reopen_s = reopened(wl, args.store)
            log(f"  store closed and opened again in {stage.reopen_s:.1f} s (the checkpoint of what was filled)")
            measure_size(wl, stage, adds[stage.rows], empty, args.repeats)
            stage.store_mb, stage.load = store_mb(args.store), os.getloadavg()[0]
            stages.append(stage)
            stage = Stage(rows=stage.rows, ingest_s=stage.ingest_s, bare_s=stage.bare_s,
                          weaklink_on_bare_chunks_s=stage.weaklink_on_bare_chunks_s,
                          ingested=stage.ingested + len(stage.chunk_s))
    chunk_file.unlink(missing_ok=True)
    bare_db.unlink(missing_ok=True)
    wl.close()
    return stages, empty


# ----------------------------------------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------------------------------------

def per_10x(stages: list[Stage], value) -> list[str]:
    """How a figure grows per 10x rows between each size and the one before: (t2/t1) ** (1 / log10(n2/n1))."""
    out = ["-"]
    for a, b in zip(stages, stages[1:]):
        va, vb = value(a), value(b)
        out.append(f"x{(vb / va) ** (1 / math.log10(b.rows / a.rows)):.2f}" if va and vb else "-")
    return out


def fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_report(stages: list[Stage], empty_median: float, url: str, chunk: int) -> list[dict]:
    print(f"\nweaklink at scale: {url}")
    print(f"DuckDB memory limit: {os.environ.get('WEAKLINK_MEMORY_LIMIT') or 'DuckDB default (80% of RAM)'}")
    print(f"{'events':>12} | {'fill s':>9} {'':>6} | {'s/chunk':>7} {'/10x':>6} | {'M rows/s':>8} | "
          f"{'dyad s':>7} {'/10x':>6} | {'cohesion s':>10} {'/10x':>6} | {'add file s':>10} {'/10x':>6} "
          f"{'vs empty':>8} | {'peak MB':>8} | {'store MB':>8}")
    growth = {name: per_10x(stages, value) for name, value in [
("chunk", lambda s: statistics.median(s.chunk_s)),
        ("dyad", lambda s: s.dyad_s), ("cohesion", lambda s: s.cohesion_s),
        ("add", lambda s: statistics.median(s.add_s))]}
    for i, s in enumerate(stages):
        peak = max(p for p in (s.ingest_peak_mb, s.dyad_peak_mb, s.cohesion_peak_mb, 0.0) if p is not None)
        print(f"{s.rows:>12,} | {s.fill_s:>9.1f} {'':>6} | {statistics.median(s.chunk_s):>7.2f} "
              f"{growth['chunk'][i]:>6} | {chunk / statistics.median(s.chunk_s) / 1e6:>8.3f} | "
              f"{fmt(s.dyad_s, '.3f'):>7} "
              f"{growth['dyad'][i]:>6} | {fmt(s.cohesion_s, '.3f'):>10} {growth['cohesion'][i]:>6} | "
              f"{statistics.median(s.add_s):>10.3f} {growth['add'][i]:>6} {fmt(s.add_ratio, '.2f'):>8} | "
              f"{peak:>8.0f} | {fmt(s.store_mb, ',.0f'):>8}")
    print(f"{'empty store':>12} | adding the same real files to an empty store: median {empty_median:.3f} s")
    last = stages[-1]
    if last.bare_s:
        print(f"ingest vs bare DuckDB read_csv into a persistent table, same chunks: weaklink "
              f"{last.weaklink_on_bare_chunks_s:.1f} s, bare {last.bare_s:.1f} s "
              f"(weaklink rate / bare rate = {last.bare_s / last.weaklink_on_bare_chunks_s:.2f})")
    return print_targets(stages)


def print_targets(stages: list[Stage]) -> list[dict]:
    at = {s.rows: s for s in stages}
    big = at.get(TARGET_DYAD_AT)
    peak = max((p for s in stages for p in (s.ingest_peak_mb, s.dyad_peak_mb, s.cohesion_peak_mb) if p), default=None)
    last = stages[-1]
    rate = last.bare_s / last.weaklink_on_bare_chunks_s if last.bare_s else None
    targets = [
        ("dyad-month series over 50M events < 2 s", big and big.dyad_s, big and big.dyad_s < TARGET_DYAD_S),
        ("adding one file to a 50M store within 1.5x of an empty store", big and big.add_ratio,
         big and big.add_ratio <= TARGET_ADD_RATIO),
        (f"peak memory < {TARGET_PEAK_MB} MB at every size", peak, peak is not None and peak < TARGET_PEAK_MB),
        ("ingest at least as fast as bare read_csv (rate ratio >= 1)", rate, rate is not None and rate >= 1.0),
    ]
    print()
    rows = []
    for name, value, ok in targets:
        status = "not measured" if value is None else ("PASS" if ok else "FAIL")
        print(f"{status:>12}  {name}: {fmt(value, '.3f')}")
        rows.append({"target": name, "value": value, "status": status})
    return rows


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", help="store URL (default duckdb:///<workdir>/scale.duckdb); a duckdb:/// file "
                                        "is removed first, any other store must be new")
    parser.add_argument("--empty-store", help="URL template with {n} for the empty stores (default: beside --store "
                                              "for duckdb)")
    parser.add_argument("--rows", default=DEFAULT_ROWS, help="sizes to measure, e.g. 1000000,10000000,50000000")
    parser.add_argument("--workdir", default=DEFAULT_WORKDIR)
    parser.add_argument("--chunk", type=int, default=1_000_000, help="rows per generated file")
    parser.add_argument("--fill", choices=["ingest", "copy"], help="how the store grows between sizes: every chunk "
                        "through wl.ingest_gdelt, or (DuckDB) copies of the first chunk's stored events with shifted "
                        "ids, the last chunk before each size ingested (default: copy for duckdb, else ingest)")
    parser.add_argument("--bare-every", type=int, default=5, help="compare with bare read_csv on every n-th chunk")
    parser.add_argument("--add-files", type=int, default=5, help="real files added at each size")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-limit", help="cap DuckDB's memory (sets $WEAKLINK_MEMORY_LIMIT, e.g. 1.5GB)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    args.store = args.store or f"duckdb:///{Path(args.workdir).resolve() / 'scale.duckdb'}"
    args.fill = args.fill or ("copy" if args.store.startswith("duckdb:///") else "ingest")
    if args.fill == "copy" and not args.store.startswith("duckdb:///"):
        parser.error("--fill copy works on a duckdb:/// store only")
    if not args.empty_store:
        if not args.store.startswith("duckdb:///"):
            parser.error("--empty-store is needed for a store other than duckdb:///")
        args.empty_store = f"duckdb:///{Path(args.workdir).resolve() / 'empty-{n}.duckdb'}"
    return args


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--child-chunk":
        child_chunk(sys.argv[2:])
        return 0
    args = parse_args(argv)
    if args.memory_limit:
        os.environ["WEAKLINK_MEMORY_LIMIT"] = args.memory_limit
    started = time.perf_counter()
    stages, empty = run(args)
    targets = print_report(stages, statistics.median(empty.values()), args.store, args.chunk)
    print(f"\nlargest size measured: {stages[-1].rows:,} events; total {time.perf_counter() - started:,.0f} s; "
          f"machine: {json.dumps(gen.machine())}")
    if args.json:
        Path(args.json).write_text(json.dumps({"store": args.store, "stages": [asdict(s) for s in stages],
                                               "targets": targets, "machine": gen.machine()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
