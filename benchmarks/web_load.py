"""Load on the web server over loopback: p50, p95 and max latency and errors per endpoint (docs/web.md).

Builds the demo store (`weaklink demo`) in a work folder unless --store names one, starts `weaklink serve`
on a free 127.0.0.1 port in a separate process, asks every URL once (the cold time, printed apart: the
server's own warm-up computes the expensive views meanwhile) so that the load runs on cached views, then
sends a bounded load:
--requests requests (default 2,000) at --concurrency at once (default 50), spread evenly over every API
endpoint and every HTML page the server has, with httpx's async client. Nothing leaves the loopback; the
server is stopped at the end. The goal (issue 15): p95 under 150 ms for every endpoint; the target prints
PASS or FAIL, the exit status does not depend on it (a benchmark, not a test).

    .venv/bin/python benchmarks/web_load.py
    .venv/bin/python benchmarks/web_load.py --requests 500 --concurrency 20 --store /tmp/demo.duckdb
    .venv/bin/python benchmarks/web_load.py --api-only               # the JSON API alone
    .venv/bin/python benchmarks/web_load.py --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

API = ["/api/overview", "/api/dyads/CHN/RUS", "/api/dyads/CHN/PRK?freq=year", "/api/timeline",
       "/api/timeline?actor=PRK&level=leader", "/api/votes?body=unsc", "/api/documents",
       "/api/documents?q=nuclear&limit=10", "/api/documents/1", "/api/compare?a=1&b=2", "/api/signposts",
       "/api/signposts/trilateral-summit", "/api/ach", "/api/sources", "/api/briefs", "/api/status",
       "/openapi.json"]
PAGES = ["/", "/dyads", "/dyads/CHN/RUS", "/timeline", "/votes", "/documents", "/documents/1", "/signposts",
         "/signposts/trilateral-summit", "/ach", "/sources", "/briefs"]
TARGET_P95_MS = 150.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_store(folder: Path) -> Path:
    store = folder / "demo.duckdb"
    print(f"building the demo store in {store} ...", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "weaklink", "--store", str(store), "demo", "--format", "json"],
                   check=True, stdout=subprocess.DEVNULL)
    return store


def start_server(store: Path, port: int, log: Path) -> subprocess.Popen:
    with log.open("wb") as sink:  # the server's messages, read back if it stops
        return subprocess.Popen([sys.executable, "-m", "weaklink", "serve", "--store", str(store), "--host",
                                 "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=sink)


def wait_ready(base: str, server: subprocess.Popen, log: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base}/api/status", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer within {timeout:.0f} s")


def wait_warm(base: str, timeout: float = 900.0) -> None:
    """Wait until the server's background warm-up is done (GET /api/status says "warming": false)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and httpx.get(f"{base}/api/status", timeout=30).json().get("warming"):
        time.sleep(1)


def warm(base: str, urls: list[str]) -> tuple[list[str], dict[str, float]]:
    """Ask every URL once (the cold time); keep those that answer 200 (pages the server does not have drop out)."""
    kept, cold = [], {}
    with httpx.Client(base_url=base, timeout=600) as client:
        for url in urls:
            started = time.perf_counter()
            status = client.get(url).status_code
            cold[url] = round((time.perf_counter() - started) * 1000, 1)
            if status == 200:
                kept.append(url)
            else:
                print(f"  left out {url}: HTTP {status}", file=sys.stderr)
    return kept, cold


async def load(base: str, urls: list[str], requests: int, concurrency: int, timeout: float) -> dict:
    times: dict[str, list[float]] = {u: [] for u in urls}
    errors: dict[str, int] = {u: 0 for u in urls}
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:
        async def one(url: str) -> None:
            async with gate:
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                times[url].append((time.perf_counter() - started) * 1000)
                errors[url] += not ok

        started = time.perf_counter()
        await asyncio.gather(*(one(urls[i % len(urls)]) for i in range(requests)))
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "requests_per_second": round(requests / seconds, 1),
            "endpoints": {u: summary(times[u], errors[u]) for u in urls}}


def summary(values: list[float], errors: int) -> dict:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))] if ordered else None
    return {"requests": len(values), "errors": errors,
            "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
            "p95_ms": round(p95, 1) if p95 is not None else None, "max_ms": round(ordered[-1], 1) if ordered else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="An existing store (default: build the demo store)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=60.0, help="Seconds one request may take")
    parser.add_argument("--api-only", action="store_true", help="Only the JSON API, not the HTML pages")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (1 <= args.requests <= 100_000 and 1 <= args.concurrency <= 500):
        raise SystemExit("--requests must be 1..100000 and --concurrency 1..500 (a bounded load)")
    with tempfile.TemporaryDirectory(prefix="weaklink-web-load-") as work:
        store = args.store or build_store(Path(work))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(work) / "server.log"
        server = start_server(store, port, log)
        try:
            wait_ready(base, server, log)
            print("cold first requests (the warm-up may still run) ...", file=sys.stderr, flush=True)
            urls, cold = warm(base, API if args.api_only else API + PAGES)
            wait_warm(base)
            print(f"load: {args.requests} requests, {args.concurrency} at once, over {len(urls)} URLs ...",
                  file=sys.stderr, flush=True)
            result = asyncio.run(load(base, urls, args.requests, args.concurrency, args.timeout))
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
    result["cold_ms"] = cold
    result["target_p95_ms"] = TARGET_P95_MS
    worst = max((e["p95_ms"] or 0) for e in result["endpoints"].values())
    result["pass"] = worst < TARGET_P95_MS and not any(e["errors"] for e in result["endpoints"].values())
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'endpoint':50} {'n':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cold ms':>9}")
    for url, e in result["endpoints"].items():
        print(f"{url:50} {e['requests']:>5} {e['errors']:>4} {e['p50_ms']:>8} {e['p95_ms']:>8} {e['max_ms']:>8} "
              f"{cold.get(url, ''):>9}")
    print(f"{args.requests} requests in {result['seconds']} s ({result['requests_per_second']}/s), "
          f"{args.concurrency} at once; worst p95 {worst:.1f} ms: "
          f"{'PASS' if result['pass'] else 'FAIL'} (target p95 < {TARGET_P95_MS:.0f} ms, no errors)")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
