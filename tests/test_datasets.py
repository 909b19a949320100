"""ICEWS, Phoenix and POLECAT/PLOVER beside GDELT (docs/datasets.md): real samples, the CAMEO-PLOVER table, rejects."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from weaklink.cli.main import main
from weaklink.errors import InvalidArgument
from weaklink.reference import plover
from weaklink.sources.polecat import HEADER as POLECAT_HEADER

ICEWS = "icews/andybega-icews/events.2018.sample.tab"
PHOENIX_DAILY = "phoenix/eventdata-spec-event-data-server/sample_events.txt"
PHOENIX_R = "phoenix/TwoRavens-EventData/samplePhox.csv"
PLOVER_TABLE = "plover/openeventdata-PLOVER/CAMEO2PLOVER-2021.txt"
PLOVER_GSR = "plover/openeventdata-PLOVER/PLOVER_GSR_CAMEO.txt"


def _rows(wl, sql: str, params=()) -> list[tuple]:
    return wl.store.con.execute(sql, list(params)).fetchall()


def _lines(path: Path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


# ICEWS ------------------------------------------------------------------------------------------------------
def test_icews_sample_every_line_stored_countries_resolved(wl, shared_data):
    path = shared_data / ICEWS
    result = wl.ingest_icews(path).files[0]
    assert result.status == "ingested"
    assert result.read == _lines(path) - 1 == 3705   # the header line is not a record
    assert (result.stored, result.rejected, result.duplicate) == (3705, 0, 0)
    # A country name the country table does not know is kept with no country, and said.
    assert "'Democratic Republic of Congo' (4)" in result.message
    rows = _rows(wl, """SELECT count(*), count(*) FILTER (WHERE quad_class IS NULL),
                        count(*) FILTER (WHERE actor1_name = 'Foreign Affairs (Bangladesh)' AND actor1_country = 'BGD')
                        FROM events WHERE dataset = 'icews'""")[0]
    assert rows[0] == 3705 and rows[1] == 0 and rows[2] > 0
    first = _rows(wl, """SELECT event_date, actor1_country, actor2_country, event_code, event_root_code, quad_class,
                         goldstein FROM events WHERE dataset = 'icews' AND record_id = '32889836'""")[0]
    assert [str(first[0]), *first[1:]] == ["2018-06-01", "BGD", "VNM", "040", "04", 1, 1.0]
    # "Russian Federation" resolves to its CAMEO code, so the dyad series finds ICEWS events by ISO3 code.
    with open(path, encoding="utf-8") as handle:
        expected = sum(1 for r in csv.DictReader(handle, delimiter="\t")
                       if {r["Source Country"], r["Target Country"]} == {"China", "Russian Federation"})
    series = wl.dyads("CHN", "RUS", freq="month", dataset="icews")
    assert sum(r["events"] for r in series.to_records()) == expected > 0
    assert series.meta["datasets"] == ["icews"] and series.meta["coverage"]["icews"][0][0] == "2018-06-01"


def test_icews_rejects_with_line_and_reason_and_idempotent(wl, shared_data, tmp_path):
    lines = (shared_data / ICEWS).read_text(encoding="utf-8").splitlines()
    bad = list(lines[:6])
    bad[2] = bad[2].replace("\t040\t", "\t999\t")                     # not a CAMEO code
    bad[3] = bad[3].replace("2018-06-01", "2018-13-01", 1)           # not a date
    bad[4] = "\t".join(bad[4].split("\t")[:5])                        # too few fields
    bad.append(bad[5])                                               # a repeat of line 6
    fields = bad[1].split("\t")
    fields[7] = "NA"                                                  # no Intensity: the CAMEO reference's weight
    bad[1] = "\t".join(fields)
    path = tmp_path / "icews.bad.tab"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    result = wl.ingest_icews(path).files[0]
    assert (result.read, result.stored, result.rejected, result.duplicate) == (6, 2, 3, 1)
    rejects = {line: reason for line, reason in _rows(wl, "SELECT line, reason FROM rejects ORDER BY line")}
    assert set(rejects) == {3, 4, 5}
    assert rejects[3].startswith("CAMEO Code is not a CAMEO event code") and "'999'" in rejects[3]
    assert rejects[4].startswith("Event Date is not a date")
    assert "fewer than 20" in rejects[5]
    from weaklink.reference.cameo import load_event_codes

    code, goldstein = _rows(wl, "SELECT event_code, goldstein FROM events WHERE record_id = ?", [fields[0]])[0]
    assert code == fields[6] and goldstein == load_event_codes()[code].goldstein
    assert wl.ingest_icews(path).files[0].status == "skipped"       # same sha256
    again = wl.ingest_icews(path, force=True).files[0]
    assert (again.stored, again.duplicate, again.rejected) == (0, 3, 3)
    assert _rows(wl, "SELECT count(*) FROM events WHERE dataset = 'icews'")[0][0] == 2
    assert _rows(wl, "SELECT count(*) FROM rejects")[0][0] == 3       # replaced, not added to


def test_not_an_icews_file_is_refused_and_nothing_stored(wl, shared_data):
    result = wl.ingest_icews(shared_data / PHOENIX_DAILY).files[0]
    assert result.status == "error" and "not an ICEWS event file" in result.message
    assert _rows(wl, "SELECT count(*) FROM events")[0][0] == 0


# Phoenix ----------------------------------------------------------------------------------------------------
def test_phoenix_daily_file_unterminated_last_record_and_rejects(wl, shared_data):
    path = shared_data / PHOENIX_DAILY
    assert not path.read_bytes().endswith(b"\n")
    result = wl.ingest_phoenix(path).files[0]
    assert (result.read, result.stored, result.rejected, result.duplicate) == (_lines(path), 2363, 2, 0)
    assert _rows(wl, "SELECT line, reason FROM rejects ORDER BY line") == [
        (98, "the CAMEO code (field 14) is empty"), (2335, "the CAMEO code (field 14) is empty")]
    last = path.read_text(encoding="utf-8").rsplit("\n", 1)[1].split("\t")[0]
    assert _rows(wl, "SELECT count(*) FROM events WHERE dataset = 'phoenix' AND record_id = ?", [last])[0][0] == 1
    # Quad class follows the CAMEO root (GDELT's rule), not Phoenix's own column (0 for roots 01-02).
    assert _rows(wl, """SELECT DISTINCT quad_class FROM events WHERE dataset = 'phoenix'
                        AND event_root_code IN ('01', '02')""") == [(1,)]


def test_phoenix_r_export_codes_get_their_leading_zero(wl, shared_data):
    path = shared_data / PHOENIX_R
    result = wl.ingest_phoenix(path).files[0]
    assert (result.read, result.stored, result.rejected) == (5000, 4998, 2)
    assert _rows(wl, "SELECT DISTINCT source_format FROM events") == [("phoenix-r-csv",)]
    with open(path, encoding="utf-8", newline="") as handle:
        given = Counter((r["CAMEO"], r["RootCode"]) for r in csv.DictReader(handle))
    stored = Counter(dict(_rows(wl, "SELECT event_code, count(*) FROM events GROUP BY 1")))
    assert stored["010"] == given[("10", "1")] > 0 and stored["0311"] == given[("311", "3")]
    assert _rows(wl, "SELECT count(*) FROM events WHERE left(event_code, 2) <> event_root_code")[0][0] == 0


def _phoenix_pairs(shared_data: Path) -> Counter:
    """Per unordered pair of actor countries (the country field, else the actor code's prefix), the events of
    both Phoenix samples that have a CAMEO code, read from the files directly."""
    rows = [line.split("\t") for line in (shared_data / PHOENIX_DAILY).read_text(encoding="utf-8").split("\n")]
    with open(shared_data / PHOENIX_R, encoding="utf-8", newline="") as handle:
        rows += [list(r.values())[2:] for r in csv.DictReader(handle)]
    def country(field: str, code: str) -> str:
        return field if field.strip() not in ("", "NA") else code[:3]
    return Counter(frozenset((country(r[6], r[5]), country(r[10], r[9]))) for r in rows if r[13].strip())


def test_a_dyad_series_from_each_dataset(wl, shared_data):
    wl.ingest_icews(shared_data / ICEWS)
    wl.ingest_phoenix(shared_data / PHOENIX_DAILY)
    wl.ingest_phoenix(shared_data / PHOENIX_R)
    icews = wl.dyads("JPN", "USA", freq="year", dataset="icews").to_records()
    with open(shared_data / ICEWS, encoding="utf-8") as handle:
        expected = sum(1 for r in csv.DictReader(handle, delimiter="\t")
                       if {r["Source Country"], r["Target Country"]} == {"Japan", "United States"})
    assert sum(r["events"] for r in icews) == expected > 0
    phoenix = wl.dyads("USA", "RUS", freq="year", dataset="phoenix").to_records()
    assert sum(r["events"] for r in phoenix) == _phoenix_pairs(shared_data)[frozenset(("USA", "RUS"))] > 0
    assert [r["period"].year for r in phoenix] == [2014, 2015, 2016]
    combined = wl.dyads("USA", "RUS", freq="year", dataset="icews,phoenix")
    assert combined.meta["datasets"] == ["icews", "phoenix"]
    assert wl.dyads("USA", "RUS", freq="year").to_records() == []   # default gdelt: no data in this store
    with pytest.raises(InvalidArgument, match="unknown event dataset icewz"):
        wl.dyads("USA", "RUS", dataset="icewz")


# POLECAT / PLOVER -------------------------------------------------------------------------------------------
def _published_table(path: Path) -> set[tuple[str, str, str, str]]:
    """CAMEO2PLOVER-2021.txt read independently: `code: EVENT, mode, context # comment`."""
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(\d{2,4}):\s*([^#]*)", line)
        if match:
            fields = [f.strip() for f in match.group(2).split(",")] + ["", ""]
            found.add((match.group(1), fields[0], fields[1], "".join(fields[2].split())))
    return found


def test_cameo_plover_table_matches_the_published_file(shared_data):
    ours = {(r.cameo_code, r.event, r.mode, r.context.replace(" ", "")) for r in plover.load_table()}
    assert ours == _published_table(shared_data / PLOVER_TABLE)
    assert len(plover.load_table()) == len(ours)   # no row twice
    assert plover.quad_class("CONSULT", "visit") == 1 and plover.quad_class("ASSAULT") == 4
    assert plover.quad_class("ACCUSE", "investigate") == 2 and plover.quad_class("ACCUSE", "allege") == 3
    assert plover.quad_class("ACCUSE") is None      # from 09 (material co-op) and 11 (verbal conflict): unsettled
    assert plover.quad_class("DEMAND") is None      # an older PLOVER type the 2021 table does not name


def write_polecat(path: Path, records: list[dict]) -> None:
    """A POLECAT weekly file (40 TAB fields, header) from PLOVER gold-standard records: the first actor of each
    side, the event, mode and context, the record's date as event and publication date."""
    def first(actors) -> dict:
        return actors[0] if isinstance(actors, list) and actors else {}

    lines = ["\t".join(name.split("|")[0] for name in POLECAT_HEADER)]
    for record in records:
        source, target = first(record.get("source")), first(record.get("target"))
        row = [""] * 40
        row[0:4] = [record["id"], record.get("date") or "", record["event"], record.get("mode") or ""]
        row[6] = record.get("context") or ""
        row[7], row[8], row[10] = source.get("actorText", ""), source.get("code", ""), source.get("sector", "")
        row[15], row[16], row[18] = target.get("actorText", ""), target.get("code", ""), target.get("sector", "")
        row[34], row[38], row[39] = record.get("date") or "", record.get("language", ""), record.get("version", "")
        lines.append("\t".join(" ".join(str(v).split()) for v in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_polecat_file_from_the_gold_standard_records(wl, shared_data, tmp_path):
    records = json.loads((shared_data / PLOVER_GSR).read_text(encoding="utf-8"))
    path = tmp_path / "ngecEvents.20000101.txt"
    write_polecat(path, records)
    result = wl.ingest_polecat(path).files[0]
    ids = Counter(r["id"] for r in records if r.get("date"))
    assert result.read == len(records) == 323
    assert result.rejected == 1                                  # the DOCUMENT record: no date
    assert result.stored == len(ids) and result.duplicate == sum(ids.values()) - len(ids)
    assert _rows(wl, "SELECT reason FROM rejects") == [("Event Date is not a date (YYYY-MM-DD): ''",)]
    # Every stored event's quad class is the table's; what the table does not settle is kept and counted.
    stored = _rows(wl, "SELECT event_code, event_base_code, quad_class FROM events WHERE dataset = 'polecat'")
    assert all(quad == plover.quad_class(event, mode) for event, mode, quad in stored)
    unmapped = Counter(event for event, _mode, quad in stored if quad is None)
    assert set(unmapped) == {"DEMAND", "DISAPPROVE", "FIGHT", "INVESTIGATE"}
    assert f"{sum(unmapped.values())} stored events could not be put on a CAMEO quad class" in result.message
    hun_rou = _rows(wl, "SELECT actor1_country FROM events WHERE record_id = 'PLOVER-GSR01-AGREE-0001'")
    assert hun_rou == [("HUN",)]


def test_polecat_header_is_checked(wl, tmp_path):
    path = tmp_path / "polecat.txt"
    path.write_text("Event ID\tHeadline\n1\tx\n", encoding="utf-8")
    result = wl.ingest_polecat(path).files[0]
    assert result.status == "error" and "not a POLECAT event file" in result.message


def test_cli_ingest_and_dataset_option(tmp_path, shared_data):
    store = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    runner = CliRunner()
    ingested = runner.invoke(main, ["--store", store, "ingest", "icews", str(shared_data / ICEWS), "--json"])
    assert ingested.exit_code == 0, ingested.output
    assert json.loads(ingested.output)["totals"]["stored"] == 3705
    shown = runner.invoke(main, ["--store", store, "dyads", "CHN", "RUS", "--dataset", "icews", "--format", "json"])
    assert shown.exit_code == 0 and sum(r["events"] for r in json.loads(shown.output)) > 0
    wrong = runner.invoke(main, ["--store", store, "dyads", "CHN", "RUS", "--dataset", "acled"])
    assert wrong.exit_code == 1 and "unknown event dataset acled" in wrong.output


def test_watch_file_cohesion_datasets_accept_the_new_datasets(tmp_path):
    from weaklink.errors import WatchFileError
    from weaklink.watch import load_watch

    bundled = load_watch(None)
    text = (Path(__import__("weaklink").__file__).parent / "data" / "watch.toml").read_text(encoding="utf-8")
    assert 'datasets = ["gdelt"]' in text
    for datasets, ok in (('["icews", "polecat"]', True), ('["phoenix"]', True), ('["acled"]', False)):
        path = tmp_path / "watch.toml"
        path.write_text(text.replace('datasets = ["gdelt"]', f"datasets = {datasets}", 1), encoding="utf-8")
        if ok:
            assert load_watch(path).cohesion.datasets == json.loads(datasets)
        else:
            with pytest.raises(WatchFileError):
                load_watch(path)
    assert bundled.cohesion.datasets == ["gdelt"]


def test_an_event_signpost_on_icews(wl, shared_data):
    from datetime import date

    from weaklink.signposts.evaluate import _event_rows
    from weaklink.signposts.rules import EventRule

    wl.ingest_icews(shared_data / ICEWS)
    with open(shared_data / ICEWS, encoding="utf-8") as handle:
        expected = sum(1 for r in csv.DictReader(handle, delimiter="\t")
                       if r["Source Country"] == "China" and r["CAMEO Code"].startswith("04"))
    rule = EventRule(kind="event", datasets=["icews"], source=["CHN"], cameo_codes=["04"])
    found = _event_rows(wl, rule, date(2018, 6, 1), date(2018, 6, 30)).count().to_pyarrow().as_py()
    assert found == expected > 0
    on_gdelt = EventRule(kind="event", datasets=["gdelt"], source=["CHN"], cameo_codes=["04"])
    assert _event_rows(wl, on_gdelt, date(2018, 6, 1), date(2018, 6, 30)).count().to_pyarrow().as_py() == 0


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs /proc/<pid>/io to see read progress")
def test_sigkill_mid_icews_file_leaves_store_as_before(tmp_path, shared_data):
    import os
    import signal
    import subprocess
    import sys
    import time

    import duckdb

    def state() -> tuple:
        with duckdb.connect(str(store), read_only=True) as con:
            return con.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM provenance), "
                               "(SELECT count(*) FROM rejects)").fetchall()[0]

    def cli(*args: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "weaklink", "--store", str(store), *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    store, rows = tmp_path / "store.duckdb", 200_000
    lines = (shared_data / ICEWS).read_text(encoding="utf-8").splitlines()
    body = [line.split("\t", 1)[1] for line in lines[1:]]
    big = tmp_path / "big.tab"
    with big.open("w", encoding="utf-8") as handle:   # real rows repeated, with fresh event ids
        handle.write(lines[0] + "\n")
        handle.writelines(f"{k + 1}\t{body[k % len(body)]}\n" for k in range(rows))
    assert cli("ingest", "icews", str(shared_data / ICEWS)).wait() == 0
    before = state()
    proc = cli("ingest", "icews", "--json", str(big))
    deadline, size = time.monotonic() + 120, big.stat().st_size
    while time.monotonic() < deadline and proc.poll() is None:
        if int(Path(f"/proc/{proc.pid}/io").read_text().split("rchar:")[1].split()[0]) > size * 1.5:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the ingest finished before it could be killed: make the file larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert state() == before
    out, err = cli("ingest", "icews", "--json", str(big)).communicate(timeout=300)
    result = json.loads(out)["files"][0]
    assert (result["read"], result["stored"], result["rejected"]) == (rows, rows, 0), err
    assert state()[0] == before[0] + rows and state()[1] == before[1] + 1
