#!/usr/bin/env python
"""What adding one real GDELT 15-minute file costs in a large DuckDB store against an empty one, in figures that
a busy machine does not distort: the stored rows DuckDB reads (its profiler's rows scanned, per statement) and
the process's CPU seconds, next to wall-clock seconds.

    .venv/bin/python benchmarks/scale_probe.py duckdb:////tmp/weaklink-scale/scale.duckdb --files 3

The store is one benchmarks/scale.py built (it is changed: the files are added to it). The files are real
exports after those scale.py adds (`--skip`, default 15). A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402


class Profiled:
    """The store's DuckDB connection with every `execute` profiled: rows scanned per statement."""

    def __init__(self, con, output: Path) -> None:
        self._con, self._output, self.statements = con, output, []
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"PRAGMA profiling_output = '{output}'")

    def execute(self, sql, *args, **kwargs):
        self._output.unlink(missing_ok=True)
        result = self._con.execute(sql, *args, **kwargs)
        scanned = 0
        if self._output.exists():
            try:
                scanned = json.loads(self._output.read_text()).get("query", {}).get("total_rows_scanned", 0)
            except (ValueError, AttributeError):
                scanned = 0
        self.statements.append((scanned, " ".join(str(sql).split())[:100]))
        return result

    def __getattr__(self, name):
        return getattr(self._con, name)


def add(url: str, path: Path, folder: Path, warm_up: Path | None = None) -> dict:
    """Add `path` to the store at `url` (after an untimed `warm_up` file): wall s, CPU s, stored rows read."""
    import weaklink

    wl = weaklink.connect(url)
    if warm_up is not None:
        scale.add_file(wl, warm_up)
    events = wl.store.con.execute("SELECT count(*) FROM events").fetchall()[0][0]
    profiled = Profiled(wl.store.con, folder / "profile.json")
    wl.store.con = profiled
    cpu, wall = time.process_time(), time.perf_counter()
    scale.add_file(wl, path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    wl.store.con = profiled._con
    wl.store.con.execute("PRAGMA disable_profiling")
    wl.close()
    top = sorted(profiled.statements, reverse=True)[:3]
    return {"events": events, "wall_s": wall, "cpu_s": cpu, "rows_scanned": sum(s for s, _ in profiled.statements),
            "statements": len(profiled.statements), "most_rows": top}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", help="a duckdb:/// store built by scale.py")
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--skip", type=int, default=15, help="real files scale.py already added")
    args = parser.parse_args(argv)
    files = scale.real_files(args.skip + args.files + 1, scale.ID_BASE)[args.skip:]
    warm_up, files = files[-1], files[:-1]
    rows = []
    with tempfile.TemporaryDirectory(prefix="weaklink-probe-") as tmp:
        folder = Path(tmp)
        for path in files:
            empty = add(f"duckdb:///{folder / 'empty.duckdb'}", path, folder, warm_up)
            scale.remove_duckdb(f"duckdb:///{folder / 'empty.duckdb'}")
            big = add(args.store, path, folder)
            rows.append((path, empty, big))
            for name, r in (("empty", empty), ("store", big)):
                print(f"{path.name} {name:>5}: {r['events']:>12,} events | wall {r['wall_s']:.3f} s | CPU "
                      f"{r['cpu_s']:.3f} s | stored+file rows read {r['rows_scanned']:>9,} in {r['statements']} "
                      f"statements; most: {r['most_rows'][0]}")
    ratio = {key: statistics.median(b[key] / e[key] for _, e, b in rows) for key in ("wall_s", "cpu_s")}
    print(f"\nmedian ratio store / empty: wall {ratio['wall_s']:.2f}, CPU {ratio['cpu_s']:.2f}; rows read "
          f"{statistics.median(b['rows_scanned'] for _, _, b in rows):,.0f} in the store vs "
          f"{statistics.median(e['rows_scanned'] for _, e, _ in rows):,.0f} in the empty one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
