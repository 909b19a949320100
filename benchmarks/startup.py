#!/usr/bin/env python
"""Benchmark: how long a user waits for the CLI, as whole-process wall-clock times.

Run from the checkout:

    .venv/bin/python benchmarks/startup.py            # median of 7 runs of each command
    .venv/bin/python benchmarks/startup.py --runs 15

It builds the demo store once (`weaklink demo` in a temporary folder), then times, each in a fresh
process, `weaklink --help` and `weaklink dyads CHN RUS` on that store, interleaved round by round, and
prints the median (min and max in brackets) beside the target. A benchmark, not a test: the exit status
does not depend on the targets. On a shared machine the wall-clock time also holds the time spent waiting
for a CPU, so the table also shows the median CPU time (user + system) and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = [("weaklink --help", ["--help"], 0.5), ("weaklink dyads CHN RUS", ["dyads", "CHN", "RUS"], 1.5)]


def weaklink_command() -> list[str]:
    """The installed `weaklink` script beside this Python, else `python -m weaklink`."""
    script = Path(sys.executable).with_name("weaklink")
    return [str(script)] if script.exists() else [sys.executable, "-m", "weaklink"]


def run(args: list[str], folder: Path) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one whole `weaklink` process."""
    env = {**os.environ, "WEAKLINK_STORE": str(folder / "weaklink.duckdb")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(weaklink_command() + args, cwd=folder, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each command (default 7)")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="weaklink-startup-"))
    try:
        print("building the demo store ...", file=sys.stderr)
        run(["demo"], folder)
        times: dict[str, list[float]] = {name: [] for name, _, _ in COMMANDS}
        cpu: dict[str, list[float]] = {name: [] for name, _, _ in COMMANDS}
        run(["--help"], folder)  # warm the page cache once
        load_before = os.getloadavg()[0]
        for _ in range(options.runs):
            for name, args, _ in COMMANDS:
                wall, used = run(args, folder)
                times[name].append(wall)
                cpu[name].append(used)
        print(f"{'command':<26} {'median s':>9}  {'[min, max]':<16} target     {'CPU s':>6}")
        for name, _, target in COMMANDS:
            median = statistics.median(times[name])
            verdict = "PASS" if median < target else "FAIL"
            print(f"{name:<26} {median:>9.2f}  [{min(times[name]):.2f}, {max(times[name]):.2f}]"
                  f"{'':<3} < {target} s  {verdict} {statistics.median(cpu[name]):>6.2f}")
        print(f"({options.runs} runs each, whole process, {os.cpu_count()} CPUs; load average "
              f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
