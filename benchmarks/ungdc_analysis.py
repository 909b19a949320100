"""Text statistics and full-text index over the whole UN General Debate Corpus, in MB of text per second.

    .venv/bin/python benchmarks/ungdc_analysis.py [--archive PATH] [--workdir DIR] [--json]

Each line runs in a fresh Python subprocess (its peak RSS is the process's VmHWM, plus the largest worker
process's ru_maxrss for the pool):

- ingest + analysis: `wl.ingest_ungdc(archive)` into a fresh store, one pass: the archive is read as a stream,
  10,952 speeches are stored, and each session folder's speeches, still in memory, go to the statistics
  workers and the tantivy index (`text.corpus.IngestAnalysis`); the statistics pass after it
  (`_after_documents_ingest`) finds nothing left to do, and its check is timed too;
- analysis alone: `wl.reindex(force=True)` on that store (statistics recomputed, index rebuilt), and its two
  halves: statistics alone (no index), and the index alone (into a new folder, statistics left as they are);
- plain-Python baseline: the archive read with `tarfile`, and per speech one regex with every English alias of
  the watched states (word-bounded, case-insensitive) counted, sentences split with a regex, words with
  `str.split` — no negation, no per-sentence warmth, nothing stored, no index;
- series query: `wl.rhetoric_series(...)` over the full store, median of 5 after one warm-up.

`CPU s` is user + system time of the process and its worker processes (including process start-up and
imports), which a busy machine distorts less than the wall clock. `idle s` is CPU s / 2: the wall clock
the line would take on an otherwise idle 2-core machine if both cores were busy the whole time (a lower
bound, since no pass keeps both cores busy throughout), and `idle MB/s` the rate that gives.

Target (issue 14): ingest + analysis >= 20 MB/s of text on two cores; a series query < 1 s.
It is a benchmark, not a test: PASS/FAIL lines are printed, the exit status does not depend on them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = ROOT.parent / "shared" / "data" / "ungdc" / "UNGDC_1946-2024.tgz"
TARGET_MB_S = 20.0
PAIRS = [("CHN", "RUS"), ("RUS", "USA"), ("PRK", "USA"), ("USA", "CHN")]

CHILD = r"""
import json, resource, statistics, sys, time
sys.path.insert(0, {src!r})
task, store, archive = sys.argv[1:4]

def cpu_s():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return round(own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime, 2)

def peak_mb():
    own = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(int(own) / 1024, 1), round(kids / 1024, 1)

if task == "baseline":
    import re, tarfile
    from weaklink.watch import load_watch
    watch = load_watch()
    aliases = sorted({{a for lex in watch.lexicon.actors.values() for cat in (lex.names, lex.demonyms, lex.metonyms)
                      for a in cat if a.isascii() and not a.endswith("*")}}, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, aliases)) + r")(?!\w)", re.IGNORECASE)
    sentence = re.compile(r"(?<=[.!?])\s+|\n\s*\n")
    start, chars, hits = time.perf_counter(), 0, 0
    with tarfile.open(archive) as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".txt") and "/TXT/" in member.name:
                text = tar.extractfile(member).read().decode("utf-8-sig", "replace")
                chars += len(text.encode("utf-8"))
                hits += len(pattern.findall(text)) + len(sentence.split(text)) + len(text.split())
    seconds = time.perf_counter() - start
    print(json.dumps({{"seconds": seconds, "mb": chars / 1e6, "peak_mb": peak_mb(), "cpu_s": cpu_s()}}))
    sys.exit()

import weaklink
if task == "ingest":
    wl = weaklink.connect("duckdb:///" + store)
    start = time.perf_counter()
    summary = wl.ingest_ungdc(archive)
    seconds = time.perf_counter() - start
    assert summary.totals.stored >= 10951, summary.totals
elif task == "reindex":
    wl = weaklink.connect("duckdb:///" + store)
    start = time.perf_counter()
    refreshed = wl.reindex(force=True)
    seconds = time.perf_counter() - start
    assert refreshed.computed == refreshed.indexed == refreshed.documents
elif task in ("statistics", "index"):
    import tempfile
    from pathlib import Path
    from weaklink.text import corpus
    from weaklink.text.search import TextIndex
    wl = weaklink.connect("duckdb:///" + store)
    index = TextIndex(Path(tempfile.mkdtemp()) / "index") if task == "index" else None
    start = time.perf_counter()
    refreshed = corpus.refresh(wl.store, wl.watch, index, force=task == "statistics")
    seconds = time.perf_counter() - start
    assert (refreshed.indexed if task == "index" else refreshed.computed) == refreshed.documents
else:
    wl = weaklink.connect("duckdb:///" + store, read_only=True)
    pairs = json.loads(task)
    for a, b in pairs:
        wl.rhetoric_series(a, b).to_pyarrow()
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for a, b in pairs:
            wl.rhetoric_series(a, b).to_pyarrow()
        runs.append((time.perf_counter() - start) / len(pairs))
    seconds = statistics.median(runs)
mb = wl.store.con.execute("SELECT sum(strlen(text)) FROM documents").fetchall()[0][0] / 1e6
print(json.dumps({{"seconds": seconds, "mb": mb, "peak_mb": peak_mb(), "cpu_s": cpu_s()}}))
"""


def run(task: str, store: Path, archive: Path) -> dict:
    code = CHILD.format(src=str(ROOT / "src"))
    proc = subprocess.run([sys.executable, "-c", code, task, str(store), str(archive)], capture_output=True,
                          text=True, cwd=ROOT, check=False)
    if proc.returncode:
        raise SystemExit(f"{task} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/weaklink-bench-ungdc"))
    parser.add_argument("--json", action="store_true", help="the figures as JSON on stdout")
    args = parser.parse_args()
    if not args.archive.exists():
        raise SystemExit(f"no archive at {args.archive}")
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    store = args.workdir / "ungdc.duckdb"
    load = os.getloadavg()[0]
    figures = {"cpus": os.cpu_count(), "load_before": round(load, 2)}
    steps = [("baseline", "baseline"), ("ingest_and_analysis", "ingest"), ("analysis", "reindex"),
             ("statistics_only", "statistics"), ("index_only", "index"), ("series_query", json.dumps(PAIRS))]
    for name, task in steps:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        figures[name] = run(task, store, args.archive)
    figures["load_after"] = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{'line':22s} {'seconds':>8s} {'MB':>7s} {'MB/s':>7s} {'CPU s':>7s} {'idle s':>7s} {'idle MB/s':>9s} "
          f"{'peak MB (main, largest worker)':>32s}")
    for name in ("baseline", "ingest_and_analysis", "analysis", "statistics_only", "index_only"):
        f = figures[name]
        print(f"{name:22s} {f['seconds']:8.1f} {f['mb']:7.1f} {f['mb'] / f['seconds']:7.1f} {f['cpu_s']:7.1f} "
              f"{f['cpu_s'] / 2:7.1f} {f['mb'] / (f['cpu_s'] / 2):9.1f} {tuple(f['peak_mb'])!s:>32s}")
    rate = figures["ingest_and_analysis"]["mb"] / figures["ingest_and_analysis"]["seconds"]
    query = figures["series_query"]["seconds"]
    print(f"series query (median of 5, per series): {query * 1000:.0f} ms")
    print(f"CPUs {figures['cpus']}, load average before {figures['load_before']}, after {figures['load_after']}")
    print(f"target: ingest + analysis >= {TARGET_MB_S:.0f} MB/s: {rate:.1f} MB/s "
          f"{'PASS' if rate >= TARGET_MB_S else 'FAIL'}")
    print(f"target: series query < 1 s: {query:.3f} s {'PASS' if query < 1 else 'FAIL'}")


if __name__ == "__main__":
    main()
