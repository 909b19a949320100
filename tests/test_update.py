"""`weaklink update gdelt` against a real HTTP server on loopback serving real GDELT exports, zipped."""

from __future__ import annotations

import hashlib
import html
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from loopback_servers import LoopbackServer, Route, corrupt, list_line, zipped

import weaklink
from weaklink.update.gdelt_lists import parse_v1_lists, parse_v2_list

GDELT_HOST = "http://data.gdeltproject.org/gdeltv2/"


def _exports(gdelt_v2_dir: Path, count: int) -> list[Path]:
    files = sorted((gdelt_v2_dir / "oreillyross-GDELT_Downloader").glob("*.export.CSV"), key=lambda p: p.stat().st_size)
    if len(files) < count:
        pytest.skip(f"fewer than {count} GDELT 2.0 exports in {gdelt_v2_dir}")
    return files[:count]


def _serve(server: LoopbackServer, files: list[Path], faults: dict[int, str]) -> dict[str, bytes]:
    """Serve each file zipped under /gdeltv2/, the list naming GDELT's host (as the real list does); `faults`
    maps a file's index to the way it fails. Returns the good bytes of every file by name."""
    lines, good = [], {}
    for index, csv in enumerate(files):
        name, body = csv.name + ".zip", zipped(csv)
        good[name], fault, md5 = body, faults.get(index), None
        route = Route(body)
        if fault == "corrupt":
            route = Route(corrupt(body))  # listed with the corrupt file's own size and MD5: only the CRC tells
        elif fault == "md5":
            md5 = "0" * 32
        elif fault == "404":
            route = Route(body, status=404)
        elif fault == "slow":
            route = Route(body, delay=1.5)
        elif fault == "drop":
            route = Route(body, drop_after=len(body) // 3)
        server.routes["/gdeltv2/" + name] = route
        lines.append(list_line(GDELT_HOST + name, route.body, md5))
    lines.insert(1, "12345 0123456789abcdef0123456789abcdef " + GDELT_HOST + "20241022130000.mentions.CSV.zip")
    server.routes["/gdeltv2/masterfilelist.txt"] = Route(("\n".join(lines) + "\n").encode())
    return good


@pytest.fixture
def server():
    running = LoopbackServer().start()
    yield running
    running.stop()


def _record_ids(wl) -> set[str]:
    return {r[0] for r in wl.store.con.execute("SELECT record_id FROM events").fetchall()}


FAULTS = {1: "corrupt", 2: "md5", 3: "404", 4: "slow", 5: "drop"}


def test_every_failure_is_reported_nothing_wrong_stored_and_the_next_run_fetches_only_what_failed(
        server, gdelt_v2_dir, tmp_path):
    files = _exports(gdelt_v2_dir, 8)
    good = _serve(server, files, FAULTS)
    mirror = server.url + "/gdeltv2/"
    with weaklink.connect(f"duckdb:///{tmp_path / 'store.duckdb'}") as wl:
        first = wl.update_gdelt(since="2024-01-01", mirror=mirror, workers=4, timeout=0.5)
        reasons = {f.name: f.reason for f in first.failed}
        names = [f.name + ".zip" for f in files]
        assert (first.listed, first.in_range, first.stored, len(first.failed)) == (8, 8, 3, 5)
        assert "corrupt zip" in reasons[names[1]] and "CRC" in reasons[names[1]]
        assert reasons[names[2]].startswith("wrong MD5")
        assert reasons[names[3]] == "HTTP 404 Not Found"
        assert reasons[names[4]].startswith("timed out")
        assert reasons[names[5]].startswith("connection dropped")
        stored = _record_ids(wl)
        with weaklink.connect(f"duckdb:///{tmp_path / 'direct.duckdb'}") as direct:
            direct.ingest_gdelt([files[i] for i in (0, 6, 7)])
            assert stored == _record_ids(direct)  # exactly the good files, nothing of a failed one
        failed_rows = wl.store.con.execute(
            "SELECT name, reason FROM fetches WHERE status = 'failed' ORDER BY name").fetchall()
        assert {n: r for n, r in failed_rows} == reasons

        for index in FAULTS:  # the server is mended: the next run fetches the five that failed, and only them
            server.routes["/gdeltv2/" + names[index]] = Route(good[names[index]], ranges=True)
        lines = [list_line(GDELT_HOST + n, good[n]) for n in names]
        server.routes["/gdeltv2/masterfilelist.txt"] = Route("\n".join(lines).encode())
        server.requests.clear()
        second = wl.update_gdelt(since="2024-01-01", mirror=mirror, workers=4, timeout=5)
        assert sorted(p.rsplit("/", 1)[1] for p in server.gets(".zip")) == sorted(names[i] for i in FAULTS)
        assert (second.already_stored, second.stored, second.failed) == (3, 5, [])
        dropped = good[names[5]]  # its first third arrived before the connection dropped: only the rest is fetched
        assert server.range_requests == [("/gdeltv2/" + names[5], f"bytes={len(dropped) // 3}-")]
        assert next(f.bytes_fetched for f in second.files if f.name == names[5]) == len(dropped) - len(dropped) // 3
        with weaklink.connect(f"duckdb:///{tmp_path / 'direct.duckdb'}") as direct:
            direct.ingest_gdelt(files)
            assert _record_ids(wl) == _record_ids(direct)
        server.requests.clear()
        third = wl.update_gdelt(since="2024-01-01", mirror=mirror)
        assert (third.already_stored, third.downloaded, server.gets(".zip")) == (8, 0, [])
        attempts = dict(wl.store.con.execute("SELECT name, attempts FROM fetches").fetchall())
        assert attempts[names[1]] == 2 and attempts[names[0]] == 1


def test_range_selection_and_list_parsing():
    md5 = "0123456789abcdef0123456789abcdef"
    names = ["20241022130000.export.CSV.zip", "20241022130000.gkg.csv.zip", None, "20241399000000.export.CSV.zip",
             "20250103084500.export.CSV.zip"]
    text = "\n".join(f"100 {md5} http://x/gdeltv2/{n}" if n else "not a line" for n in names)
    listing = parse_v2_list(text, "http://mirror/g/", mirror=True)
    assert [f.url for f in listing.files] == ["http://mirror/g/20241022130000.export.CSV.zip",
                                              "http://mirror/g/20250103084500.export.CSV.zip"]
    assert [(b.line, b.reason.split(" ")[0]) for b in listing.bad_lines] == [(3, "expected"), (4, "export")]
    from datetime import date

    assert [f.overlaps(date(2025, 1, 1), None) for f in listing.files] == [False, True]
    v1 = parse_v1_lists("5 2012.zip\n7 201304.zip\n9 20130401.export.CSV.zip\n3 GDELT.MASTERREDUCEDV2.1979-2013.zip",
                        "0123456789abcdef0123456789abcdef  20130401.export.CSV.zip\nbad", "http://h/events/")
    spans = {f.name: (f.first_day.isoformat(), f.last_day.isoformat(), f.size, f.md5) for f in v1.files}
    assert spans == {"2012.zip": ("2012-01-01", "2012-12-31", 5, None),
                     "201304.zip": ("2013-04-01", "2013-04-30", 7, None),
                     "20130401.export.CSV.zip": ("2013-04-01", "2013-04-01", 9, "0123456789abcdef0123456789abcdef")}
    assert [b.reason for b in v1.bad_lines] == ["md5sums: expected 'value name'"]


def test_cli_json_summary_and_a_list_that_cannot_be_read(server, gdelt_v2_dir, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from weaklink.cli import main

    files = _exports(gdelt_v2_dir, 2)
    _serve(server, files, {1: "404"})
    monkeypatch.setenv("WEAKLINK_STORE", str(tmp_path / "cli.duckdb"))
    run = CliRunner().invoke(main, ["update", "gdelt", "--since", "2024-01-01", "--mirror", server.url + "/gdeltv2/",
                                    "--json"])
    assert run.exit_code == 1, run.output
    summary = json.loads(run.stdout)
    assert (summary["listed"], summary["stored"], summary["already_stored"]) == (2, 1, 0)
    assert summary["failed"] == [{"name": files[1].name + ".zip", "url": server.url + f"/gdeltv2/{files[1].name}.zip",
                                  "reason": "HTTP 404 Not Found"}]
    missing = CliRunner().invoke(main, ["update", "gdelt", "--mirror", server.url + "/none/"])
    assert missing.exit_code == 1
    assert "cannot read the file list at" in missing.stderr and "HTTP 404" in missing.stderr


def _downloading(cache: Path) -> bool:
    """A `.part` file with bytes in it (it may be renamed away while we look)."""
    for part in cache.glob("*.part"):
        try:
            if part.stat().st_size:
                return True
        except FileNotFoundError:
            continue
    return False


KILL_SCRIPT = """
import sys
import weaklink
with weaklink.connect(sys.argv[1]) as wl:
    wl.update_gdelt(since="2024-01-01", mirror=sys.argv[2], workers=2, cache_dir=sys.argv[3])
"""


@pytest.mark.slow
def test_a_run_killed_mid_download_then_run_again_stores_what_one_clean_run_does(server, gdelt_v2_dir, tmp_path):
    files = _exports(gdelt_v2_dir, 6)
    good = _serve(server, files, {})
    for name in list(good)[3:]:  # the last files trickle in, so that the kill lands mid-download
        server.routes["/gdeltv2/" + name] = Route(good[name], trickle=0.2)
    mirror, cache = server.url + "/gdeltv2/", tmp_path / "cache"
    killed = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, f"duckdb:///{tmp_path / 'killed.duckdb'}", mirror,
                               str(cache)])
    deadline = time.monotonic() + 60
    while not _downloading(cache):
        assert time.monotonic() < deadline and killed.poll() is None, "the update ended before it could be killed"
        time.sleep(0.02)
    time.sleep(0.3)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    for name in good:
        server.routes["/gdeltv2/" + name] = Route(good[name])
    with weaklink.connect(f"duckdb:///{tmp_path / 'killed.duckdb'}") as wl:
        again = wl.update_gdelt(since="2024-01-01", mirror=mirror, cache_dir=cache)
        assert again.failed == [] and again.already_stored + again.stored == 6
        resumed = (_record_ids(wl), wl.store.con.execute("SELECT count(*), count(DISTINCT sha256) FROM provenance")
                   .fetchall(), wl.store.con.execute("SELECT count(*) FROM events").fetchall())
    with weaklink.connect(f"duckdb:///{tmp_path / 'clean.duckdb'}") as wl:
        clean = wl.update_gdelt(since="2024-01-01", mirror=mirror, cache_dir=tmp_path / "cache2")
        assert clean.stored == 6
        expected = (_record_ids(wl), wl.store.con.execute("SELECT count(*), count(DISTINCT sha256) FROM provenance")
                    .fetchall(), wl.store.con.execute("SELECT count(*) FROM events").fetchall())
    assert resumed == expected and resumed[1] == [(6, 6)]
    assert not list(cache.glob("*.part"))


TEXT_DOCS = Path(__file__).parent / "text_docs"


def _page(title: str, body: str, day) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p.strip())}</p>" for p in body.split("\n\n") if p.strip())
    return (f"<!doctype html><html><head><title>{html.escape(title)}</title>"
            f"<meta property='article:published_time' content='{day.isoformat()}'></head><body><nav><a href='/'>Home</a>"
            f"<a href='/news'>News</a></nav><article><h1>{html.escape(title)}</h1>{paragraphs}</article>"
            "<footer>Copyright the ministry. All rights reserved.</footer></body></html>").encode()


def _rss(items: list[tuple[str, str, str]]) -> bytes:
    entries = "".join(f"<item><title>{html.escape(t)}</title><link>{link}</link><pubDate>{day}</pubDate></item>"
                      for t, link, day in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Statements</title>'
            f"<link>http://example.org/</link><description>test</description>{entries}</channel></rss>").encode()


def test_update_docs_reads_feeds_and_page_lists_and_retries_only_what_failed(server, tmp_path):
    import yaml

    docs = sorted(p for p in TEXT_DOCS.glob("*-en-*.md"))[:4]
    items, first_sentences = [], {}
    for doc in docs:
        meta, body = doc.read_text(encoding="utf-8").split("---\n", 2)[1:]
        meta = yaml.safe_load(meta)
        server.routes[f"/pages/{doc.stem}.html"] = Route(_page(meta["title"], body, meta["date"]),
                                                            content_type="text/html")
        day = meta["date"].strftime("%a, %d %b %Y 09:00:00 +0000")
        items.append((meta["title"], f"{server.url}/pages/{doc.stem}.html", day))
        first_sentences[f"{server.url}/pages/{doc.stem}.html"] = (body.strip().split(". ")[0], meta["date"])
    listed_only = items.pop()  # named by the page list only (its date comes from the page)
    items.append(("Missing", f"{server.url}/pages/missing.html", "Mon, 01 Jul 2024 09:00:00 +0000"))
    server.routes["/feed.xml"] = Route(_rss(items), content_type="application/rss+xml")
    server.routes["/list.txt"] = Route(f"# pages\n{items[0][1]}\n{listed_only[1]}\n".encode(),
                                       content_type="text/plain")
    watch = tmp_path / "watch.toml"
    watch.write_text(f"""
[watch]
name = "feeds"

[[actors]]
id = "PRK"
name = "North Korea"

[[feeds]]
url = "{server.url}/feed.xml"
issuer = "PRK"
language = "en"
kind = "statement"

[[feeds]]
url = "{server.url}/list.txt"
issuer = "PRK"
format = "pages"
""", encoding="utf-8")
    with weaklink.connect(f"duckdb:///{tmp_path / 'store.duckdb'}", watch) as wl:
        first = wl.update_docs(cache_dir=tmp_path / "pages")
        assert (first.listed, first.stored, first.already_stored) == (5, 4, 0), first.failed
        assert [(f.url, f.reason) for f in first.failed] == [(f"{server.url}/pages/missing.html", "HTTP 404 Not Found")]
        rows = wl.store.con.execute("SELECT source_url, date, issuers, kind, language, text FROM documents").fetchall()
        assert len(rows) == 4
        for url, day, issuers, kind, language, text in rows:
            sentence, expected_day = first_sentences[url]
            expected = (expected_day, ["PRK"], "statement", "en")
            assert (day, issuers, kind, language) == expected
            assert sentence in text and "All rights reserved" not in text and "Home" not in text.split()
        server.requests.clear()
        second = wl.update_docs(cache_dir=tmp_path / "pages")
        assert (second.already_stored, second.stored, len(second.failed)) == (4, 0, 1)
        assert server.gets(".xml") + server.gets(".txt") == ["/feed.xml", "/list.txt"]
        assert server.gets(".html") == ["/pages/missing.html"]


def test_gdelt_1_daily_files_from_filesizes_and_md5sums(server, shared_data, tmp_path):
    daily = shared_data / "gdelt-v1-events" / "loum-geoutils" / "20141124.export.CSV.zip"
    if not daily.exists():
        pytest.skip(f"no GDELT 1.0 daily export at {daily}")
    body = daily.read_bytes()
    server.routes["/events/" + daily.name] = Route(body)
    server.routes["/events/filesizes"] = Route(f"{len(body)} {daily.name}\n123 20141125.export.CSV.zip\n"
                                               f"999 201303.zip\n".encode())
    server.routes["/events/md5sums"] = Route(f"{hashlib.md5(body).hexdigest()}  {daily.name}\n".encode())
    with weaklink.connect(f"duckdb:///{tmp_path / 'store.duckdb'}") as wl:
        summary = wl.update_gdelt(since="2014-11-01", until="2014-11-30", version=1, mirror=server.url + "/events/")
        assert (summary.listed, summary.in_range, summary.stored) == (3, 2, 1)  # 201303.zip is out of range
        assert [(f.name, f.reason) for f in summary.failed] == [("20141125.export.CSV.zip", "HTTP 404 Not Found")]
        with weaklink.connect(f"duckdb:///{tmp_path / 'direct.duckdb'}") as direct:
            direct.ingest_gdelt([daily])
            assert _record_ids(wl) == _record_ids(direct) and len(_record_ids(wl)) > 0


def test_a_run_without_a_range_reads_only_lastupdate_when_that_is_all_that_is_missing(server, gdelt_v2_dir, tmp_path):
    folder = gdelt_v2_dir / "oreillyross-GDELT_Downloader"
    slots = [folder / f"20241022{hhmm}00.export.CSV" for hhmm in ("1300", "1315", "1330")]
    if not all(p.exists() for p in slots):
        pytest.skip("the three consecutive 15-minute exports of 2024-10-22 13:00-13:30 are not in the data")
    good = _serve(server, slots[:2], {})
    mirror = server.url + "/gdeltv2/"
    with weaklink.connect(f"duckdb:///{tmp_path / 'store.duckdb'}") as wl:
        assert wl.update_gdelt(since="2024-10-22", mirror=mirror).stored == 2
        body = zipped(slots[2])
        server.routes[f"/gdeltv2/{slots[2].name}.zip"] = Route(body)
        lines = [list_line(GDELT_HOST + n, b) for n, b in [*good.items(), (slots[2].name + ".zip", body)]]
        server.routes["/gdeltv2/masterfilelist.txt"] = Route("\n".join(lines).encode())
        server.routes["/gdeltv2/lastupdate.txt"] = Route((lines[-1] + "\n").encode())
        server.requests.clear()
        latest = wl.update_gdelt(mirror=mirror)  # the 13:15 slot is stored: the 13:30 one is all that is new
        assert (latest.list_url, latest.stored) == (mirror + "lastupdate.txt", 1)
        assert server.gets(".txt") == ["/gdeltv2/lastupdate.txt"]
        with weaklink.connect(f"duckdb:///{tmp_path / 'direct.duckdb'}") as direct:
            direct.ingest_gdelt(slots)
            assert _record_ids(wl) == _record_ids(direct)


KEEP_WATCH = """
[watch]
name = "keep watched"

[[actors]]
id = "CHN"
name = "China"

[[actors]]
id = "PRK"
name = "North Korea"

[[actors]]
id = "RUS"
name = "Russia"
"""


def _series(wl, a: str, b: str, freq: str, root_only: bool) -> list[dict]:
    return wl.dyads(a, b, freq=freq, root_only=root_only).to_pyarrow().to_pylist()


def test_keep_watched_stores_less_and_gives_the_normalised_series_of_a_full_store(gdelt_v2_dir, tmp_path):
    files = _exports(gdelt_v2_dir, 6)
    watch = tmp_path / "watch.toml"
    watch.write_text(KEEP_WATCH, encoding="utf-8")
    with weaklink.connect(f"duckdb:///{tmp_path / 'full.duckdb'}", watch) as full, \
            weaklink.connect(f"duckdb:///{tmp_path / 'kept.duckdb'}", watch) as kept:
        full.ingest_gdelt(files)
        summary = kept.ingest_gdelt(files, keep="watched")
        count = "SELECT count(*) FROM events"
        stored_full, stored_kept = full.store.con.execute(count).fetchall()[0][0], kept.store.con.execute(
            count).fetchall()[0][0]
        assert 0 < stored_kept < stored_full / 3
        assert summary.totals.kept_out + stored_kept == stored_full and summary.ok
        assert kept.store.con.execute("SELECT sum(rows_kept_out) FROM provenance").fetchall()[0][0] == \
            summary.totals.kept_out
        for a, b, freq, root_only in [("CHN", "RUS", "day", False), ("CHN", "PRK", "month", False),
                                      ("PRK", "RUS", "day", True)]:
            series = _series(full, a, b, freq, root_only)
            assert series and _series(kept, a, b, freq, root_only) == series
        assert any(r["share_per_10k"] for r in _series(kept, "CHN", "RUS", "day", False))
        totals = "SELECT sum(events), count(*) FROM event_totals"
        before = kept.store.con.execute(totals).fetchall()
        again = kept.ingest_gdelt(files[:2], keep="watched", force=True)  # read again: counted once, not twice
        assert again.ok and kept.store.con.execute(totals).fetchall() == before
        assert _series(kept, "CHN", "RUS", "day", False) == _series(full, "CHN", "RUS", "day", False)
