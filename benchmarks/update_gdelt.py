"""Throughput of `weaklink update gdelt` from a loopback server, against a plain sequential download.

The real GDELT 2.0 exports in ../shared/data/gdelt-v2-events are zipped into a work folder with a
`masterfilelist.txt` ("size md5 url" lines), and served by a separate process (Python's threading HTTP
server, with an optional delay before each response to stand in for network latency). Measured, each in a
fresh store: `wl.update_gdelt` with --workers 1, 4 and 8 (list, download, verify size + MD5 + zip CRC,
ingest, record), a plain sequential client (urllib: download each file to disk, nothing else), and, for
reference, weaklink's downloader alone (concurrent and verified, nothing ingested) and `wl.ingest_gdelt` of
the same zips already on disk (no network at all).

    .venv/bin/python benchmarks/update_gdelt.py                    # all files, no added latency
    .venv/bin/python benchmarks/update_gdelt.py --latency-ms 100   # 100 ms before each response
    .venv/bin/python benchmarks/update_gdelt.py --json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("WEAKLINK_SHARED_DATA", HERE.parents[1] / "shared")) / "data"

SERVER = """
import http.server, sys, time, functools
delay = float(sys.argv[2]) / 1000
class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        time.sleep(delay)
        super().do_GET()
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=sys.argv[1]))
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def build(work: Path) -> tuple[int, int]:
    """Zip every real export into work/gdeltv2 with its list; (files, rows)."""
    folder = work / "gdeltv2"
    folder.mkdir(parents=True, exist_ok=True)
    lines, rows = [], 0
    for csv in sorted((SHARED / "gdelt-v2-events").rglob("*.export.CSV")):
        target = folder / (csv.name + ".zip")
        if not target.exists():
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(csv, csv.name)
        body = target.read_bytes()
        rows += csv.read_bytes().count(b"\n")
        lines.append(f"{len(body)} {hashlib.md5(body).hexdigest()} http://data.gdeltproject.org/gdeltv2/{target.name}")
    (folder / "masterfilelist.txt").write_text("\n".join(lines) + "\n")
    return len(lines), rows


def plain_sequential(base: str, names: list[str], out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    clock = time.perf_counter()
    for name in names:
        with urllib.request.urlopen(base + name) as response, (out / name).open("wb") as handle:
            shutil.copyfileobj(response, handle)
    return time.perf_counter() - clock


def weaklink_update(base: str, workers: int, store: Path) -> tuple[float, dict]:
    sys.path.insert(0, str(HERE.parent / "src"))
    import weaklink

    clock = time.perf_counter()
    with weaklink.connect(f"duckdb:///{store}") as wl:
        summary = wl.update_gdelt(since="2000-01-01", mirror=base, workers=workers, cache_dir=store.parent / "cache")
    return time.perf_counter() - clock, summary.to_dict()


def download_only(base: str, workers: int, out: Path) -> float:
    """weaklink's downloader alone (concurrent, size + MD5 + zip CRC verified), nothing ingested."""
    sys.path.insert(0, str(HERE.parent / "src"))
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from weaklink.update import download as dl
    from weaklink.update.gdelt_lists import parse_v2_list

    out.mkdir(parents=True, exist_ok=True)
    clock = time.perf_counter()
    with dl.client(60, workers) as http:
        listing = parse_v2_list(httpx.get(base + "masterfilelist.txt").text, base, mirror=True)
        with ThreadPoolExecutor(workers) as pool:
            got = list(pool.map(lambda f: dl.download(http, f, out, 60), listing.files))
    assert all(g.status == "downloaded" for g in got), [g.reason for g in got if g.reason]
    return time.perf_counter() - clock


def ingest_only(paths: list[Path], store: Path) -> float:
    sys.path.insert(0, str(HERE.parent / "src"))
    import weaklink

    clock = time.perf_counter()
    with weaklink.connect(f"duckdb:///{store}") as wl:
        wl.ingest_gdelt(paths)
    return time.perf_counter() - clock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,4,8")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "weaklink-bench-update")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (SHARED / "gdelt-v2-events").is_dir():
        sys.exit(f"needs {SHARED}/gdelt-v2-events (set WEAKLINK_SHARED_DATA to the folder above data/)")
    files, rows = build(args.workdir)
    names = sorted(p.name for p in (args.workdir / "gdeltv2").glob("*.zip"))
    megabytes = sum((args.workdir / "gdeltv2" / n).stat().st_size for n in names) / 1e6
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(args.workdir), str(args.latency_ms)],
                              stdout=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{server.stdout.readline().strip()}/gdeltv2/"
        results = []
        seconds = plain_sequential(base, names, args.workdir / "plain")
        results.append({"method": "plain sequential download (urllib, no verify, no ingest)", "seconds": seconds})
        shutil.rmtree(args.workdir / "ingest-only", ignore_errors=True)
        (args.workdir / "ingest-only").mkdir()
        seconds = ingest_only([args.workdir / "plain" / n for n in names], args.workdir / "ingest-only" / "s.duckdb")
        results.append({"method": "ingest only (wl.ingest_gdelt of the same zips on disk)", "seconds": seconds})
        for workers in [int(w) for w in args.workers.split(",")]:
            shutil.rmtree(args.workdir / f"download-{workers}", ignore_errors=True)
            seconds = download_only(base, workers, args.workdir / f"download-{workers}")
            results.append({"method": f"weaklink download only --workers {workers} (verified, no ingest)",
                            "seconds": seconds})
        for workers in [int(w) for w in args.workers.split(",")]:
            run = args.workdir / f"run-{workers}"
            shutil.rmtree(run, ignore_errors=True)
            run.mkdir(parents=True)
            seconds, summary = weaklink_update(base, workers, run / "store.duckdb")
            assert summary["stored"] == files and not summary["failed"], summary["failed"]
            results.append({"method": f"weaklink update gdelt --workers {workers} (download, verify, ingest)",
                            "seconds": seconds, "rows_stored": summary["rows_stored"]})
    finally:
        server.terminate()
    for r in results:
        r.update(files_per_s=round(files / r["seconds"], 1), rows_per_s=round(rows / r["seconds"]),
                 mb_per_s=round(megabytes / r["seconds"], 1), seconds=round(r["seconds"], 2))
    if args.json:
        print(json.dumps({"files": files, "rows": rows, "megabytes_zipped": round(megabytes, 1),
                          "latency_ms": args.latency_ms, "results": results}, indent=2))
        return
    print(f"{files} files, {rows:,} rows, {megabytes:.1f} MB zipped, {args.latency_ms:g} ms before each response")
    print(f"{'method':72} {'s':>7} {'files/s':>8} {'rows/s':>9} {'MB/s':>6}")
    for r in results:
        print(f"{r['method']:72} {r['seconds']:>7} {r['files_per_s']:>8} {r['rows_per_s']:>9,} {r['mb_per_s']:>6}")


if __name__ == "__main__":
    main()
