#!/usr/bin/env python
"""Benchmark: the scale figures of benchmarks/scale.py on PostgreSQL and Spark local (issue 16, item 4).

    .venv/bin/python benchmarks/scale_backends.py --store postgresql --rows 1000000,10000000
    .venv/bin/python benchmarks/scale_backends.py --store spark --rows 1000000,10000000
    .venv/bin/python benchmarks/scale_backends.py --store postgresql://me@db:5432/wl --rows 1000000

`--store postgresql` starts a throwaway server (tests/pg_server.py) and `--store spark` uses a warehouse under
--workdir; a full URL uses that store. The store grows by ingesting resampled chunks of real GDELT 2.0 rows (the
generator of scale.py and ingest_gdelt.py, ids shifted per chunk) through `wl.ingest_gdelt`, as users would. At
each size of --rows it times a dyad-month series and the axis's monthly cohesion (one warm-up, then the median
of --repeats), and adding real 15-minute files, against adding the same files to an empty store.
A benchmark, not a test: it prints figures; the exit status only says whether a measurement failed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
import scale  # noqa: E402 - the chunk generator and real files of the DuckDB scale benchmark

log = scale.log


def _stores(kind: str, workdir: Path):
    """(store URL, function n -> URL of a new empty store, cleanup)."""
    if kind == "postgresql":
        import psycopg
        from pg_server import start_postgres

        server = start_postgres()

        def empty(n):
            with psycopg.connect(server.url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS empty_{n}")
                conn.execute(f"CREATE DATABASE empty_{n}")
            return server.url.rsplit("/", 1)[0] + f"/empty_{n}"

        return server.url, empty, server.stop
    if kind == "spark":
        import shutil

        shutil.rmtree(workdir / "warehouse", ignore_errors=True)

        def empty(n):
            shutil.rmtree(workdir / f"empty-{n}", ignore_errors=True)
            return f"spark:///{workdir / f'empty-{n}'}"

        return f"spark:///{workdir / 'warehouse'}", empty, lambda: None
    return kind, None, lambda: None


def timed(run, repeats: int) -> float:
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(args) -> list[dict]:
    import weaklink

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    sizes = sorted(int(s) for s in args.rows.split(","))
    url, empty_url, cleanup = _stores(args.store, workdir)
    figures = []
    try:
        base = scale.base_chunk(workdir, args.chunk)
        files = scale.real_files(len(sizes), scale.ID_BASE + sizes[-1])
        empty = {}
        if empty_url:
            for n, path in enumerate(files):
                with weaklink.connect(empty_url(n)) as wl:
                    empty[path] = scale.add_file(wl, path)
            log(f"adding a real file to an empty store: {', '.join(f'{t:.2f}' for t in empty.values())} s")
        wl = weaklink.connect(url)
        chunk_file, ingest_s, rows = workdir / "chunk.export.CSV", 0.0, 0
        for k in range(sizes[-1] // args.chunk):
            scale.write_chunk(base, chunk_file, scale.ID_BASE + k * args.chunk + 1)
            seconds = scale.add_file(wl, chunk_file)
            ingest_s, rows = ingest_s + seconds, rows + args.chunk
            log(f"chunk {k + 1}: {rows:,} events, ingest {seconds:.1f} s ({args.chunk / seconds:,.0f} rows/s; "
                f"load average {os.getloadavg()[0]:.1f})")
            if rows in sizes:
                dyad = timed(lambda: wl.dyads(*scale.DYAD, freq="month").to_pyarrow(), args.repeats)
                log(f"  dyad-month series: {dyad:.2f} s")
                cohesion = timed(lambda: wl.cohesion("axis", freq="month").to_pyarrow(), args.repeats)
                log(f"  cohesion: {cohesion:.2f} s")
                path = files[len(figures)]  # a new real file at each size (one already read would be skipped)
                adds = [scale.add_file(wl, path)] if empty else []
                ratio = adds[0] / empty[path] if adds else None
                log(f"  adding a real file: {', '.join(f'{a:.2f}' for a in adds)} s (ratio to empty {ratio})")
                figures.append({"backend": args.store, "rows": rows, "ingest_s": round(ingest_s, 1),
                                "ingest_rows_per_s": round(rows / ingest_s), "dyad_month_s": round(dyad, 2),
                                "cohesion_s": round(cohesion, 2), "add_file_s": [round(a, 2) for a in adds],
                                "add_ratio": ratio and round(ratio, 2), "load": round(os.getloadavg()[0], 1)})
                print(json.dumps(figures[-1]), flush=True)
        chunk_file.unlink(missing_ok=True)
        wl.close()
    finally:
        cleanup()
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="postgresql (a throwaway server), spark (a warehouse under "
                                                       "--workdir), or a store URL")
    parser.add_argument("--rows", default="1000000,10000000")
    parser.add_argument("--chunk", type=int, default=500_000)
    parser.add_argument("--workdir", default="/tmp/weaklink-scale-backends")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args(argv)
    args.workdir = str(Path(args.workdir) / Path(args.store.split(":")[0]).name)
    measure(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
