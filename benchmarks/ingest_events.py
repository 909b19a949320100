#!/usr/bin/env python
"""Benchmark: ingesting ICEWS, Phoenix and POLECAT-layout event files (docs/datasets.md).

    .venv/bin/python benchmarks/ingest_events.py                  # 200,000 ICEWS rows (the default)
    .venv/bin/python benchmarks/ingest_events.py --rows 1000000

The input is the real ICEWS sample in ../shared/data repeated to `--rows` lines with fresh event ids. The figure
to compare is GDELT's on the same machine (benchmarks/ingest_gdelt.py --sizes 200000 --only weaklink): the
target is a rate no lower than GDELT's (the same kind of work: one read, one checked insert per file).
A benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

SHARED_DATA = Path(os.environ.get("WEAKLINK_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
ICEWS = SHARED_DATA / "icews" / "andybega-icews" / "events.2018.sample.tab"


def write_icews(path: Path, rows: int) -> None:
    lines = ICEWS.read_text(encoding="utf-8").splitlines()
    body = [line.split("\t", 1)[1] for line in lines[1:]]
    with path.open("w", encoding="utf-8") as handle:
        handle.write(lines[0] + "\n")
        handle.writelines(f"{k + 1}\t{body[k % len(body)]}\n" for k in range(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    import weaklink

    with tempfile.TemporaryDirectory(prefix="weaklink-events-bench-") as folder:
        data = Path(folder) / "icews.tab"
        write_icews(data, args.rows)
        with weaklink.connect(f"duckdb:///{Path(folder) / 'store.duckdb'}") as wl:
            clock = time.perf_counter()
            result = wl.ingest_icews(data).files[0]
            seconds = time.perf_counter() - clock
    print(f"ingest icews  {args.rows:>12,} rows  {seconds:8.2f} s  {args.rows / seconds / 1e6:.3f} M rows/s  "
          f"(stored {result.stored:,}, rejected {result.rejected:,})")


if __name__ == "__main__":
    main()
