"""The CLI as a user runs it: a real process, real store file, real output."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from gdelt_lines import gdelt_line, write_lines


def cli(tmp_path, *args, check=True):
    env = {**os.environ, "WEAKLINK_STORE": str(tmp_path / "cli.duckdb")}
    proc = subprocess.run([sys.executable, "-m", "weaklink", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_demo_builds_and_refreshes_the_store(tmp_path):
    first = json.loads(cli(tmp_path, "demo", "--format", "json").stdout)
    assert first["ingest"]["stored"] > 0 and first["ingest"]["rejected"] == 0
    assert {d["dataset"] for d in first["datasets"]} == {"gdelt", "curated"}
    assert first["decisions"][0]["body"] == "unsc" and first["decisions"][0]["decisions"] >= 20
    assert {e["dyad"] for e in first["exchanges"]} == {"CHN-PRK", "CHN-RUS", "PRK-RUS"}
    assert {"CHN-RUS", "PRK-RUS", "CHN-PRK"} <= {d["dyad"] for d in first["dyads"]}
    again = json.loads(cli(tmp_path, "demo", "--format", "json").stdout)
    assert again["ingest"]["skipped"] == again["ingest"]["files"] and again["ingest"]["stored"] == 0
    assert again["datasets"] == first["datasets"]
    text = cli(tmp_path, "demo").stdout
    assert "Watched dyads" in text and "CHN-RUS" in text


def test_ingest_json_summary_shape(tmp_path):
    path = write_lines(tmp_path / "x.CSV", [gdelt_line(1), gdelt_line(2), "bad"])
    summary = json.loads(cli(tmp_path, "ingest", "gdelt", "--json", str(path)).stdout)
    (file,) = summary["files"]
    assert {"path", "sha256", "status", "read", "stored", "rejected", "duplicate"} <= set(file)
    assert (file["status"], file["read"], file["stored"], file["rejected"]) == ("ingested", 3, 2, 1)
    assert summary["totals"]["read"] == 3


def test_ingest_errors_exit_nonzero_with_a_message(tmp_path):
    empty = tmp_path / "empty.CSV"
    empty.write_text("")
    proc = cli(tmp_path, "ingest", "gdelt", str(empty), check=False)
    assert proc.returncode == 1 and "empty" in proc.stdout + proc.stderr
    proc = cli(tmp_path, "ingest", "gdelt", str(tmp_path / "nothing-here"), check=False)
    assert proc.returncode == 1 and "no such file" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_sources_rejects_dyads_formats(tmp_path, fmt):
    path = write_lines(tmp_path / "y.CSV", [gdelt_line(1), gdelt_line(2, sqldate="20240201"), "junk"])
    cli(tmp_path, "ingest", "gdelt", str(path))
    outputs = {cmd: cli(tmp_path, *cmd.split(), "--format", fmt).stdout
               for cmd in ("sources", "rejects", "dyads CHN PRK")}
    if fmt == "json":
        assert json.loads(outputs["sources"])[0]["rows_read"] == 3
        assert json.loads(outputs["rejects"])[0]["line"] == 3
        assert [r["events"] for r in json.loads(outputs["dyads CHN PRK"])] == [1, 1]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(outputs["dyads CHN PRK"])))
        assert [r["period"] for r in rows] == ["2024-01-01", "2024-02-01"]
        assert list(csv.DictReader(io.StringIO(outputs["rejects"])))[0]["reason"].startswith("wrong number")
    else:
        assert "y.CSV" in outputs["sources"] and "junk" in outputs["rejects"]
        assert "2024-02-01" in outputs["dyads CHN PRK"]


def test_store_flag_and_bad_store_url(tmp_path):
    other = tmp_path / "other.duckdb"
    cli(tmp_path, "--store", f"duckdb:///{other}", "ingest", "timeline")
    assert other.exists()
    missing = tmp_path / "missing.duckdb"  # read commands open the store read-only: they never create one
    proc = cli(tmp_path, "--store", str(missing), "sources", check=False)
    assert proc.returncode == 1 and "no store at" in proc.stderr and not missing.exists()
    proc = cli(tmp_path, "--store", "mysql://db/x", "sources", check=False)
    assert proc.returncode == 1 and "not supported" in proc.stderr


def test_custom_watch_file_is_used(tmp_path):
    cli(tmp_path, "init", str(tmp_path / "proj"))
    watch = tmp_path / "proj" / "watch.toml"
    watch.write_text(watch.read_text().replace('id = "PRK"', 'id = "prk"'))
    proc = cli(tmp_path, "--watch", str(watch), "sources", check=False)
    assert proc.returncode == 1 and "actors.1.id" in proc.stderr and "line" in proc.stderr


def test_help_lists_the_commands(tmp_path):
    text = cli(tmp_path, "--help").stdout
    for command in ("init", "demo", "ingest", "sources", "rejects", "dyads"):
        assert command in text
