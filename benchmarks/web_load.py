"""Load on the web server over loopback: p50, p95 and max latency and errors per endpoint (docs/web.md).

Builds the demo store (`weaklink demo`) in a work folder unless --store names one, starts `weaklink serve`
on a free 127.0.0.1 port in a separate process, asks every URL once, one after the other (the cold time,
printed apart: the server's own warm-up computes the expensive views meanwhile), waits for the warm-up to
end, then sends a bounded load: --requests requests (default 2,000) with --concurrency in flight at once
(default 50), spread evenly over every API endpoint and every HTML page, with httpx's async client (one
client and one keep-alive connection per simulated user: httpx's shared pool costs the generator more CPU
than the server spends answering); `--workers N` splits the users and requests over N generator processes
started together. Nothing leaves the loopback; the server is stopped at the end.

The load generator shares the machine with the server. Besides the latencies (which include the time a
response waits for the generator to read it), it prints the CPU time each side spent per request: the
server's from /proc/<pid>/stat (utime + stime, all its threads), the generator's from getrusage. `--pin`
puts the server on CPU 0 and the generator on CPU 1 (sched_setaffinity; needs 2 CPUs), so that neither
takes the other's core; other processes on the machine still share both. `--generator ab` sends the load
with ApacheBench instead (C, a small fraction of httpx's CPU per request; Debian's apache2-utils): --requests
GETs to each URL in turn, --concurrency at once, a new connection each and gzip accepted, as a browser would.

The goal (issue 15): p95 under 150 ms for every endpoint; the target prints PASS or FAIL, the exit status
does not depend on it (a benchmark, not a test).

    .venv/bin/python benchmarks/web_load.py
    .venv/bin/python benchmarks/web_load.py --pin                    # server on CPU 0, generator on CPU 1
    .venv/bin/python benchmarks/web_load.py --workers 2              # the same load from 2 generator processes
    .venv/bin/python benchmarks/web_load.py --generator ab           # 2,000 requests to every URL, from ab
    .venv/bin/python benchmarks/web_load.py --requests 500 --concurrency 20 --store /tmp/demo.duckdb
    .venv/bin/python benchmarks/web_load.py --api-only               # the JSON API alone
    .venv/bin/python benchmarks/web_load.py --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

try:  # httpcore's async client runs `import sniffio` on every request; where sniffio is not installed, each
    import sniffio  # noqa: F401  # failed import searches sys.path again: mark it absent once, so it fails fast
except ImportError:
    sys.modules["sniffio"] = None

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


def start_server(store: Path, port: int, log: Path, cpus: set[int] | None = None) -> subprocess.Popen:
    """`weaklink serve` in its own process; `cpus`: the CPUs it may run on (set before it starts a thread)."""
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    with log.open("wb") as sink:  # the server's messages, read back if it stops
        return subprocess.Popen([sys.executable, "-m", "weaklink", "serve", "--store", str(store), "--host",
                                 "127.0.0.1", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=sink,
                                preexec_fn=pin)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) process `pid` has used so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14 and 15


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def http_stack() -> str:
    """What uvicorn will run on: httptools and uvloop when installed (much less CPU per request), else h11."""
    import importlib.util

    parser = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"uvicorn with {parser} and {loop}"


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


def cold_pass(base: str, urls: list[str]) -> dict[str, dict]:
    """Ask every URL once, one after the other (the first request per URL: the cold time and its status). A URL
    that does not answer 200 stays in the load, where it counts as errors."""
    cold = {}
    with httpx.Client(base_url=base, timeout=600) as client:
        for url in urls:
            started = time.perf_counter()
            status = client.get(url).status_code
            cold[url] = {"ms": round((time.perf_counter() - started) * 1000, 1), "status": status}
            if status != 200:
                print(f"  {url}: HTTP {status}", file=sys.stderr)
    return cold


async def user_load(base: str, todo: list[str], concurrency: int, timeout: float, start_together) -> dict:
    """Send the GETs of `todo` (a list of URLs) from `concurrency` simulated users, each sending its next request
    as soon as its last one is answered. Each user's client is made and its connection opened (GET /api/status,
    not counted) before the clock starts: building 50 httpx clients costs seconds of CPU (TLS set-up, imports)
    that are no part of the load. `start_together()` blocks until every worker is ready."""
    times: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    queue = iter(todo)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits, verify=False)
               for _ in range(concurrency)]  # plain HTTP on the loopback: no certificates to load

    async def user(client: httpx.AsyncClient) -> None:
        for url in queue:
            started = time.perf_counter()
            try:
                response = await client.get(url)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            times.setdefault(url, []).append((time.perf_counter() - started) * 1000)
            errors[url] = errors.get(url, 0) + (not ok)

    try:
        await asyncio.gather(*(client.get("/api/status") for client in clients))
        start_together()
        cpu, started = own_cpu_seconds(), time.perf_counter()
        await asyncio.gather(*(user(client) for client in clients))
        seconds, cpu = time.perf_counter() - started, own_cpu_seconds() - cpu
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return {"times": times, "errors": errors, "seconds": seconds, "cpu": cpu}


def _worker(base, todo, concurrency, timeout, barrier, results, cpus) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)
    results.put(asyncio.run(user_load(base, todo, concurrency, timeout, barrier.wait)))


def load(base: str, urls: list[str], requests: int, concurrency: int, timeout: float, server_pid: int | None = None,
         workers: int = 1, cpus: set[int] | None = None) -> dict:
    """`requests` GETs spread evenly over `urls` with `concurrency` in flight at once, from `workers` processes
    (each with its share of the users and of the requests), started together; the server's and the workers'
    CPU time over the load."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(workers + 1), context.Queue()
    sequence = [urls[i % len(urls)] for i in range(requests)]
    shares = [concurrency // workers + (k < concurrency % workers) for k in range(workers)]
    procs = [context.Process(target=_worker, args=(base, sequence[k::workers], shares[k], timeout, barrier, results,
                                                   cpus), daemon=True) for k in range(workers)]
    for proc in procs:
        proc.start()
    barrier.wait()
    server_cpu, started = cpu_seconds(server_pid) if server_pid else 0.0, time.perf_counter()
    parts = [results.get(timeout=max(600.0, 10 * timeout)) for _ in procs]  # a worker that died: no hang
    seconds = time.perf_counter() - started
    server_cpu = cpu_seconds(server_pid) - server_cpu if server_pid else None
    for proc in procs:
        proc.join()
    times = {u: [t for part in parts for t in part["times"].get(u, [])] for u in urls}
    errors = {u: sum(part["errors"].get(u, 0) for part in parts) for u in urls}
    return {"seconds": round(seconds, 2), "requests_per_second": round(requests / seconds, 1), "workers": workers,
            "server_cpu_ms_per_request": round(1000 * server_cpu / requests, 2) if server_pid else None,
            "generator_cpu_ms_per_request": round(1000 * sum(p["cpu"] for p in parts) / requests, 2),
            "endpoints": {u: summary(times[u], errors[u]) for u in urls}}


def load_ab(base: str, urls: list[str], requests: int, concurrency: int, timeout: float,
            server_pid: int | None = None) -> dict:
    """The load from ApacheBench (`ab`, Debian's apache2-utils; C, about 0.05 ms of CPU per request), one URL
    at a time: `requests` GETs of each URL with `concurrency` in flight, a new connection each, accepting gzip as
    a browser does. Its percentiles are whole milliseconds."""
    import shutil

    if shutil.which("ab") is None:
        raise SystemExit("--generator ab needs ApacheBench: apt-get install apache2-utils")
    endpoints, server_cpu, started = {}, cpu_seconds(server_pid) if server_pid else 0.0, time.perf_counter()
    for url in urls:
        done = subprocess.run(["ab", "-q", "-n", str(requests), "-c", str(concurrency), "-s", str(int(timeout)),
                               "-H", "Accept-Encoding: gzip", base + url], capture_output=True, text=True, check=False)
        endpoints[url] = ab_summary(done.stdout, requests) if done.returncode == 0 else \
            {"requests": requests, "errors": requests, "p50_ms": None, "p95_ms": None, "max_ms": None,
             "message": done.stderr.strip()[-300:]}
    seconds = time.perf_counter() - started
    total = requests * len(urls)
    return {"seconds": round(seconds, 2), "requests_per_second": round(total / seconds, 1), "workers": 1,
            "server_cpu_ms_per_request": round(1000 * (cpu_seconds(server_pid) - server_cpu) / total, 2)
            if server_pid else None, "generator_cpu_ms_per_request": None, "endpoints": endpoints}


def ab_summary(text: str, requests: int) -> dict:
    """p50, p95, max and errors (failed or non-2xx) from ab's report."""
    def number(pattern: str) -> int | None:
        found = re.search(pattern, text, re.MULTILINE)
        return int(found.group(1)) if found else None

    errors = (number(r"^Failed requests:\s+(\d+)") or 0) + (number(r"^Non-2xx responses:\s+(\d+)") or 0)
    return {"requests": number(r"^Complete requests:\s+(\d+)") or 0, "errors": errors,
            "p50_ms": number(r"^\s+50%\s+(\d+)"), "p95_ms": number(r"^\s+95%\s+(\d+)"),
            "max_ms": number(r"^\s+100%\s+(\d+)")}


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
    parser.add_argument("--pin", action="store_true", help="Server on CPU 0, load generator on CPU 1")
    parser.add_argument("--workers", type=int, default=1,
                        help="Load generator processes sharing the users and requests (default 1)")
    parser.add_argument("--generator", choices=["httpx", "ab"], default="httpx",
                        help="httpx: Python's async client, --requests spread over every URL (default); ab: "
                             "ApacheBench, --requests to each URL in turn")
    parser.add_argument("--api-only", action="store_true", help="Only the JSON API, not the HTML pages")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (1 <= args.requests <= 100_000 and 1 <= args.concurrency <= 500):
        raise SystemExit("--requests must be 1..100000 and --concurrency 1..500 (a bounded load)")
    if not 1 <= args.workers <= min(8, args.concurrency):
        raise SystemExit("--workers must be 1..8 and at most --concurrency")
    if args.pin and len(os.sched_getaffinity(0)) < 2:
        raise SystemExit("--pin needs 2 CPUs (one for the server, one for the load generator)")
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        report(result, args)


def run(args) -> dict:
    urls = API if args.api_only else API + PAGES
    with tempfile.TemporaryDirectory(prefix="weaklink-web-load-") as work:
        store = args.store or build_store(Path(work))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(work) / "server.log"
        server = start_server(store, port, log, {0} if args.pin else None)
        try:
            wait_ready(base, server, log)
            print("cold: each URL once (the server's warm-up may still run) ...", file=sys.stderr, flush=True)
            cold = cold_pass(base, urls)
            wait_warm(base)
            print(f"load: {args.requests} requests, {args.concurrency} at once, over {len(urls)} URLs ...",
                  file=sys.stderr, flush=True)
            load_average = os.getloadavg()[0]  # other processes on the machine share its CPUs
            result = (load_ab(base, urls, args.requests, args.concurrency, args.timeout, server.pid)
                      if args.generator == "ab" else
                      load(base, urls, args.requests, args.concurrency, args.timeout, server.pid, args.workers,
                           {1} if args.pin else None))
            cache = httpx.get(f"{base}/api/status", timeout=30).json().get("response_cache")
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
    worst = max((e["p95_ms"] or 0) for e in result["endpoints"].values())
    return {**result, "cold": cold, "pinned": args.pin, "http": http_stack(), "response_cache": cache,
            "load_average_before": round(load_average, 2), "worst_p95_ms": worst, "target_p95_ms": TARGET_P95_MS,
            "pass": worst < TARGET_P95_MS and not any(e["errors"] for e in result["endpoints"].values())}


def report(result: dict, args) -> None:
    total = sum(c["ms"] for c in result["cold"].values()) / 1000
    print(f"cold: the first request per URL, one at a time ({total:.1f} s in all)")
    print(f"{'URL':50} {'status':>6} {'ms':>9}")
    for url, c in result["cold"].items():
        print(f"{url:50} {c['status']:>6} {c['ms']:>9}")
    if args.generator == "ab":
        print(f"\nload: ApacheBench, {args.requests} requests to each URL in turn, {args.concurrency} at once "
              f"({os.cpu_count()} CPUs, load average {result['load_average_before']} before)")
    else:
        print(f"\nload: {args.requests} requests, {args.concurrency} at once from {args.workers} process(es) "
              f"({'server on CPU 0, generator on CPU 1' if result['pinned'] else 'not pinned'}; {result['http']}; "
              f"{os.cpu_count()} CPUs, load average {result['load_average_before']} before)")
    print(f"{'URL':50} {'n':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for url, e in result["endpoints"].items():
        print(f"{url:50} {e['requests']:>5} {e['errors']:>4} {e['p50_ms']:>8} {e['p95_ms']:>8} {e['max_ms']:>8}")
    total = args.requests * (len(result["endpoints"]) if args.generator == "ab" else 1)
    print(f"{total} requests in {result['seconds']} s ({result['requests_per_second']}/s); CPU per request: "
          f"server {result['server_cpu_ms_per_request']} ms, load generator {result['generator_cpu_ms_per_request']} "
          f"ms; response cache {result['response_cache']}")
    print(f"worst p95 {result['worst_p95_ms']:.1f} ms: {'PASS' if result['pass'] else 'FAIL'} "
          f"(target p95 < {TARGET_P95_MS:.0f} ms for every URL, no errors)")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
