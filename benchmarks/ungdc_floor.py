#!/usr/bin/env python
"""Where the CPU time of a UN General Debate Corpus ingest + analysis goes: each stage timed alone.

    .venv/bin/python benchmarks/ungdc_floor.py [--archive PATH] [--only a,b] [--json]

Each stage runs in its own Python subprocess and reports the CPU seconds (user + system, all threads) of its
own work, start-up and imports excluded; stages that need the texts in memory read the archive first, outside
the timing. A stage's CPU seconds are the least any pass doing that work can spend; two cores give at most
2 CPU seconds per second of wall clock, so the sum of the stages a pass must run, halved, is its floor in wall
seconds on an idle 2-core machine, and 199 MB divided by that is the best MB/s it can reach.

Stages:
- `gunzip_tar`: the archive's members read (gzip + tar, `sources.ungdc.members`), nothing else;
- `read_corpus`: + sha256, UTF-8 check, word fingerprints, the speakers workbook (`sources.ungdc.read_corpus`);
- `store`: `ingest.ungdc.ingest_corpus` into a fresh store file, no statistics, no index (reading included);
- `statistics`: `text.stats.batch_stats` over every text (one process);
- `index_en_stem`: the tantivy index as weaklink builds it (text field with English stemming and positions,
  issuer, day, doc id; one writer thread), `add_document` for every speech, then commit and merges;
- `index_default_tokenizer`, `index_freq_only`: the same index without stemming, and without positions — not
  usable (search results would change: no stemming, no phrase queries), measured to show what those cost.

It is a benchmark, not a test: it prints figures; the exit status does not depend on any target.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = ROOT.parent / "shared" / "data" / "ungdc" / "UNGDC_1946-2024.tgz"
TARGET_MB_S = 20.0
STAGES = ["gunzip_tar", "read_corpus", "store", "statistics", "index_en_stem", "index_default_tokenizer",
          "index_freq_only"]
NEEDED = ["read_corpus", "store", "statistics", "index_en_stem"]  # store includes read_corpus: counted once

CHILD = r"""
import json, os, resource, sys, tempfile, time
sys.path.insert(0, {src!r})
from pathlib import Path
stage, archive = sys.argv[1], Path(sys.argv[2])

def cpu_s():
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime

def texts():
    from weaklink.sources import ungdc
    rows = []
    for item in ungdc.read_corpus(archive):
        if isinstance(item, ungdc.SessionFolder):
            rows += [(len(rows) + 1, s.body.decode("utf-8")) for s in item.speeches]
    return rows

def index(rows, tokenizer, option):
    import tantivy
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("doc_id", stored=True, indexed=True, fast=True)
    builder.add_integer_field("day", indexed=True, fast=True)
    builder.add_text_field("issuer", stored=False, tokenizer_name="raw")
    builder.add_text_field("text", stored=False, tokenizer_name=tokenizer, index_option=option)
    folder = tempfile.mkdtemp()
    start = cpu_s()
    writer = tantivy.Index(builder.build(), path=folder).writer(heap_size=128_000_000, num_threads=1)
    for doc_id, text in rows:
        writer.add_document(tantivy.Document(doc_id=doc_id, text=text, issuer=["USA"], day=10_000))
    writer.commit()
    writer.wait_merging_threads()
    return cpu_s() - start

mb = None
if stage == "gunzip_tar":
    from weaklink.sources import ungdc
    start, size = cpu_s(), 0
    for _, data in ungdc.members(archive):
        size += len(data)
    used = cpu_s() - start
elif stage == "read_corpus":
    from weaklink.sources import ungdc
    start = cpu_s()
    for _ in ungdc.read_corpus(archive):
        pass
    used = cpu_s() - start
elif stage == "store":
    import weaklink
    from weaklink.ingest.ungdc import ingest_corpus
    wl = weaklink.connect("duckdb:///" + str(Path(tempfile.mkdtemp()) / "store.duckdb"))
    start = cpu_s()
    assert ingest_corpus(wl.store, archive).ok
    used = cpu_s() - start
else:
    rows = texts()
    mb = sum(len(t.encode("utf-8")) for _, t in rows) / 1e6
    if stage == "statistics":
        from weaklink.text import analysis, stats
        from weaklink.watch import load_watch
        lex = analysis.lexicons(load_watch())
        start = cpu_s()
        stats.batch_stats([d for d, _ in rows], [t for _, t in rows], lex)
        used = cpu_s() - start
    else:
        tokenizer, option = {{"index_en_stem": ("en_stem", "position"),
                             "index_default_tokenizer": ("default", "position"),
                             "index_freq_only": ("en_stem", "freq")}}[stage]
        used = index(rows, tokenizer, option)
print(json.dumps({{"cpu_s": round(used, 2), "load": round(os.getloadavg()[0], 2)}}))
"""


def run(stage: str, archive: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD.format(src=str(ROOT / "src")), stage, str(archive)],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    if proc.returncode:
        raise SystemExit(f"{stage} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=ARCHIVE)
    parser.add_argument("--only", help="comma-separated stages: " + ",".join(STAGES))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.archive.exists():
        raise SystemExit(f"no archive at {args.archive}")
    stages = args.only.split(",") if args.only else STAGES
    figures = {"cpus": os.cpu_count(), "text_mb": 199.0}
    for stage in stages:
        print(f"running {stage} ...", file=sys.stderr, flush=True)
        figures[stage] = run(stage, args.archive)
    needed = [s for s in NEEDED if s in figures and s != "read_corpus"]
    if len(needed) == 3:
        total = sum(figures[s]["cpu_s"] for s in needed)
        figures["floor"] = {"cpu_s": round(total, 1), "idle_2_core_s": round(total / 2, 1),
                            "best_mb_s": round(figures["text_mb"] / (total / 2), 1)}
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{'stage':26s} {'CPU s':>7s} {'MB per CPU s':>13s} {'load':>6s}")
    for stage in stages:
        f = figures[stage]
        print(f"{stage:26s} {f['cpu_s']:7.1f} {figures['text_mb'] / f['cpu_s']:13.1f} {f['load']:6.1f}")
    if "floor" in figures:
        floor = figures["floor"]
        print(f"store + statistics + index: {floor['cpu_s']} CPU s; on two idle cores at best "
              f"{floor['idle_2_core_s']} s, {floor['best_mb_s']} MB/s (target >= {TARGET_MB_S:.0f} MB/s: 10 s, "
              "20 CPU s in all)")


if __name__ == "__main__":
    main()
