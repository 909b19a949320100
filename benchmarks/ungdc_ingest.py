#!/usr/bin/env python
"""Benchmark: ingesting the whole UN General Debate Corpus with weaklink vs. a plain-Python pass over it.

Run from the checkout:

    .venv/bin/python benchmarks/ungdc_ingest.py          # both measurements, a table
    .venv/bin/python benchmarks/ungdc_ingest.py --json

Input: ../shared/data/ungdc/UNGDC_1946-2024.tgz (PROVENANCE.md section 6; WEAKLINK_SHARED_DATA overrides the
folder). Each measurement runs in a fresh subprocess so that its peak memory is that process's own maximum
resident set size. Throughput is in MB of speech text (the uncompressed `.txt` members) per second.

- `baseline`: tarfile in streaming mode, each member read and decoded, its words counted with `re.findall(r"\\w+")`;
  nothing is stored. What a plain script costs just to look at every word once.
- `weaklink`: `weaklink.ingest.ungdc.ingest_corpus` into a fresh DuckDB store file: streaming read, validation,
  fingerprints, bulk Arrow inserts, speakers joined, one transaction, commit (the store-level ingest; the API's
  text-statistics pass that follows it, `_after_documents_ingest`, is not included).

This is a benchmark, not a test: it prints figures; the exit status does not depend on any target.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED_DATA = Path(os.environ.get("WEAKLINK_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
ARCHIVE = SHARED_DATA / "ungdc" / "UNGDC_1946-2024.tgz"
TARGET_MB_S = 20.0


def baseline(path: Path) -> dict:
    import re
    import tarfile

    words, text_bytes, files = 0, 0, 0
    pattern = re.compile(r"\w+")
    with tarfile.open(path, "r|gz") as archive:
        for info in archive:
            if info.isfile() and "/Session " in info.name:
                data = archive.extractfile(info).read()
                text_bytes += len(data)
                files += 1
                words += len(pattern.findall(data.decode("utf-8", errors="replace")))
    return {"files": files, "text_bytes": text_bytes, "words": words}


def weaklink_ingest(path: Path) -> dict:
    import weaklink
    from weaklink.ingest.ungdc import ingest_corpus

    with tempfile.TemporaryDirectory(prefix="weaklink-bench-ungdc-") as folder:
        api = weaklink.connect(f"duckdb:///{Path(folder) / 'store.duckdb'}")
        summary = ingest_corpus(api.store, path)
        text_bytes = api.store.con.execute("SELECT sum(size_bytes) FROM provenance WHERE format = 'ungdc'").fetchall()
        stored = api.store.con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
        api.close()
    if not summary.ok:
        raise SystemExit(f"ingest failed: {summary.files[-1].message}")
    return {"files": summary.totals.read, "stored": stored, "archive_bytes": text_bytes[0][0]}


def child(mode: str) -> None:
    started = time.perf_counter()
    result = {"baseline": baseline, "weaklink": weaklink_ingest}[mode](ARCHIVE)
    result["seconds"] = round(time.perf_counter() - started, 2)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 2)  # all threads: a measure that a busy machine
    result["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)  # distorts less than the wall clock
    print(json.dumps(result))


def measure(mode: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", mode], check=False, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["baseline", "weaklink"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if not ARCHIVE.is_file():
        raise SystemExit(f"the UNGDC archive is not at {ARCHIVE}; set WEAKLINK_SHARED_DATA")
    results = {"baseline": measure("baseline"), "weaklink": measure("weaklink")}
    text_mb = results["baseline"]["text_bytes"] / 1e6
    for result in results.values():
        result["mb_per_s"] = round(text_mb / result["seconds"], 1)
    results["text_mb"], results["cores"] = round(text_mb, 1), os.cpu_count()
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"UNGDC: {text_mb:.1f} MB of speech text, {os.cpu_count()} cores, load average {results['load_average']}")
    print(f"{'':10} {'seconds':>8} {'MB/s':>7} {'CPU s':>7} {'peak RSS MB':>12}")
    for name in ("baseline", "weaklink"):
        r = results[name]
        print(f"{name:10} {r['seconds']:>8.2f} {r['mb_per_s']:>7.1f} {r['cpu_seconds']:>7.2f} {r['peak_rss_mb']:>12.1f}")
    print(f"weaklink stored {results['weaklink']['stored']:,} speeches (target: >= {TARGET_MB_S:.0f} MB/s)")


if __name__ == "__main__":
    main()
