"""`weaklink monitor`: real GDELT exports from a loopback server, notifications to a JSON-lines file, a loopback
webhook receiver and a loopback SMTP server (aiosmtpd). One notification per change, none on a re-run."""

from __future__ import annotations

import email
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from loopback_servers import LoopbackServer, Route, SmtpRecorder, list_line, zipped

import weaklink
from weaklink.errors import WatchFileError
from weaklink.live import View, record_changes
from weaklink.watch import load_watch

pytest.importorskip("aiosmtpd", reason="aiosmtpd (a test dependency: pip install -e .[test]) runs the SMTP server")

WATCH = """
[watch]
name = "monitor test"

[[actors]]
id = "CHN"
name = "China"

[[actors]]
id = "PRK"
name = "North Korea"

[[actors]]
id = "RUS"
name = "Russia"

[blocs.axis]
members = ["CHN", "PRK", "RUS"]

[dyads]
watch = [["CHN", "RUS"]]

[cohesion]
replicates = 50

[[signposts]]
id = "china-russia-contact"
question = "Is China coded acting towards Russia in the media?"
window_days = 365
rule = {{ kind = "event", datasets = ["gdelt"], source = ["CHN"], target = ["RUS"], min_count = 3 }}

[[hypotheses]]
id = "H1"
title = "Close"

[[hypotheses]]
id = "H2"
title = "Distant"

[[evidence]]
id = "E1"
title = "China acts towards Russia"
signpost = "china-russia-contact"
ratings = {{ H1 = "C", H2 = "I" }}

[update]
mirror = "{mirror}"
since = 2024-01-01
workers = 2

[notify]
jsonl = "{jsonl}"
retries = 1
backoff_seconds = 0.05

[[notify.webhook]]
url = "{hook}"

[[notify.email]]
host = "127.0.0.1"
port = {smtp_port}
sender = "monitor@example.org"
to = ["analyst@example.org"]
"""


@pytest.fixture
def servers():
    http, smtp = LoopbackServer().start(), SmtpRecorder().start()
    yield http, smtp
    http.stop()
    smtp.stop()


def _setup(tmp_path: Path, gdelt_v2_dir: Path, http: LoopbackServer, smtp: SmtpRecorder) -> Path:
    files = sorted((gdelt_v2_dir / "oreillyross-GDELT_Downloader").glob("*.export.CSV"))[:3]
    lines = []
    for csv in files:
        body = zipped(csv)
        http.routes[f"/gdeltv2/{csv.name}.zip"] = Route(body)
        lines.append(list_line(f"http://data.gdeltproject.org/gdeltv2/{csv.name}.zip", body))
    http.routes["/gdeltv2/masterfilelist.txt"] = Route("\n".join(lines).encode())
    watch = tmp_path / "watch.toml"
    watch.write_text(WATCH.format(mirror=http.url + "/gdeltv2/", jsonl=tmp_path / "changes.jsonl",
                                  hook=http.url + "/hook", smtp_port=smtp.port), encoding="utf-8")
    return watch


def test_monitor_once_notifies_each_change_once_on_every_channel_and_a_failed_channel_catches_up(
        servers, gdelt_v2_dir, tmp_path):
    http, smtp = servers
    watch = _setup(tmp_path, gdelt_v2_dir, http, smtp)
    http.routes["/hook"] = Route(b"down", status=503)  # the webhook is down on the first run
    with weaklink.connect(f"duckdb:///{tmp_path / 'store.duckdb'}", watch) as wl:
        first = wl.monitor_once()
        assert first.updates["gdelt"]["stored"] == 3 and first.as_of is not None
        subjects = sorted(c["subject"] for c in first.changes)
        assert {"signpost:china-russia-contact", "ach:leaders", "weakest:axis"} <= set(subjects)
        assert len({c["key"] for c in first.changes}) == len(first.changes)
        jsonl = [json.loads(line) for line in (tmp_path / "changes.jsonl").read_text().splitlines()]
        assert sorted(n["subject"] for n in jsonl) == subjects  # one line per change
        mails = [email.message_from_string(m["data"]) for m in smtp.messages]
        assert sorted(m["Subject"] for m in mails) == sorted(f"[weaklink] {c['title']}" for c in first.changes)
        assert {tuple(m["to"]) for m in smtp.messages} == {("analyst@example.org",)}
        assert http.posts("/hook") == [] or all(p["subject"] in subjects for p in http.posts("/hook"))
        assert first.failed == 1 and "HTTP 503" in first.errors[0]  # it stops after its first undeliverable item
        hook_attempts = [r for r in http.requests if r[0] == "POST"]
        assert len(hook_attempts) == 2  # one try and one retry, after the backoff

        http.routes["/hook"] = Route(b"{}", content_type="application/json")
        http.requests.clear()
        second = wl.monitor_once()  # no new data: no change; the webhook gets what it missed, once
        assert second.changes == [] and second.updates["gdelt"]["already_stored"] == 3
        assert sorted(p["subject"] for p in http.posts("/hook")) == subjects
        assert len((tmp_path / "changes.jsonl").read_text().splitlines()) == len(subjects)
        assert len(smtp.messages) == len(subjects)

        http.requests.clear()
        third = wl.monitor_once()
        assert (third.changes, third.sent, http.posts("/hook")) == ([], 0, [])
        states = dict(wl.store.con.execute("SELECT channel, count(*) FROM notifications WHERE status = 'sent' "
                                           "GROUP BY channel").fetchall())
        assert sorted(states.values()) == [len(subjects)] * 3


def test_a_changed_value_is_one_change_with_before_and_after(wl):
    views = [View("weakest:axis", "PRK", "weakest link of axis: PRK", {})]
    assert [c["after"] for c in record_changes(wl.store.con, views, "2025-01-01", [])[0]] == ["PRK"]
    assert record_changes(wl.store.con, views, "2025-01-02", [])[0] == []
    changed = [View("weakest:axis", "RUS", "weakest link of axis: RUS", {})]
    [change] = record_changes(wl.store.con, changed, "2025-01-03", [])[0]
    assert (change["before"], change["after"], change["key"]) == ("PRK", "RUS", "weakest:axis=RUS@2025-01-03")


def test_an_unreachable_source_does_not_stop_the_monitor(gdelt_v2_dir, tmp_path):
    watch = tmp_path / "watch.toml"
    jsonl = tmp_path / "n.jsonl"
    watch.write_text(WATCH.format(mirror="http://127.0.0.1:9/none/", jsonl=jsonl, hook="http://127.0.0.1:9/hook",
                                  smtp_port=9).split("[[notify.webhook]]")[0], encoding="utf-8")
    with weaklink.connect(f"duckdb:///{tmp_path / 'store.duckdb'}", watch) as wl:
        wl.ingest_gdelt(sorted((gdelt_v2_dir / "oreillyross-GDELT_Downloader").glob("*.export.CSV"))[:1])
        run = wl.monitor_once()
    assert "cannot read the file list at http://127.0.0.1:9/none/" in run.updates["gdelt"]["error"]
    assert run.changes and len(jsonl.read_text().splitlines()) == len(run.changes)


def test_watch_file_notify_and_feed_entries_are_checked(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(WATCH.format(mirror="ftp://mirror/", jsonl="x", hook="http://h/", smtp_port=25))
    with pytest.raises(WatchFileError, match=r"line \d+: key 'update.mirror'"):
        load_watch(bad)
    bad.write_text(WATCH.format(mirror="http://m/", jsonl="x", hook="http://h/", smtp_port=70000))
    with pytest.raises(WatchFileError, match=r"key 'notify.email.0.port'"):
        load_watch(bad)
    good = WATCH.format(mirror="http://m/", jsonl="x", hook="http://h/", smtp_port=25)
    for feed, key in [('issuer = "Korea"\nkind = "statement"', "feeds.0.issuer"),
                      ('issuer = "PRK"\nkind = "tweet"', "feeds.0.kind")]:
        bad.write_text(good + f'\n[[feeds]]\nurl = "http://feeds/rss.xml"\n{feed}\n')
        with pytest.raises(WatchFileError, match=rf"line \d+: key '{key}'"):
            load_watch(bad)


def test_sigterm_stops_the_monitor_between_steps(gdelt_v2_dir, tmp_path):
    watch = tmp_path / "watch.toml"
    text = WATCH.format(mirror="http://127.0.0.1:9/", jsonl=tmp_path / "n.jsonl", hook="http://h/", smtp_port=9)
    blocs_and_dyads = text[text.index("[blocs.axis]"):text.index("[cohesion]")]
    watch.write_text(text.replace(blocs_and_dyads, "").split("[[notify.webhook]]")[0], encoding="utf-8")  # quick runs
    store = tmp_path / "store.duckdb"
    with weaklink.connect(f"duckdb:///{store}", watch) as wl:
        wl.ingest_gdelt(sorted((gdelt_v2_dir / "oreillyross-GDELT_Downloader").glob("*.export.CSV"))[:1])
    env = {**os.environ, "WEAKLINK_STORE": str(store), "WEAKLINK_WATCH": str(watch)}
    proc = subprocess.Popen([sys.executable, "-m", "weaklink", "monitor", "--every", "1h", "--no-update", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    first = json.loads(proc.stdout.readline())  # the first run has ended
    assert first["changes"] and not first["stopped"]
    time.sleep(0.2)
    signalled = time.monotonic()
    proc.send_signal(signal.SIGTERM)  # it is waiting for its next run, an hour away
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert time.monotonic() - signalled < 10
    with weaklink.connect(f"duckdb:///{store}", watch) as wl:  # the store was closed cleanly and holds the run
        sent = wl.store.con.execute("SELECT count(*) FROM notifications WHERE status = 'sent'").fetchall()[0][0]
    assert sent == len(first["changes"])
