"""Issue 12, "the first hour": each point as a user meets it, through the CLI in a real process, on a real store.

Points covered: 3 (a file nothing of which could be stored is retried; --force; the unvotes loading order),
4 (read commands open the store read-only; a store held by another process is waited for, then one error
shape), 5 (start-up imports nothing heavy), 7 (an unterminated last GDELT line is a reject) and 10 (a dyad
of one actor is an error; successor states are named in vote output).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from gdelt_lines import gdelt_line, write_lines

import weaklink
from weaklink.results import Result


def cli(store: Path, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "WEAKLINK_STORE": str(store)}
    env.pop("WEAKLINK_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "weaklink", *args], check=False, capture_output=True, text=True, env=env,
                          cwd=store.parent, timeout=timeout)
    assert "Traceback" not in proc.stderr, proc.stderr
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def store(tmp_path) -> Path:
    """A store file with a few CHN-PRK GDELT events, closed."""
    path = tmp_path / "store.duckdb"
    events = write_lines(tmp_path / "events.CSV", [gdelt_line(i) for i in range(1, 6)])
    with weaklink.connect(str(path)) as wl:
        assert wl.ingest_gdelt([events]).totals.stored == 5
    return path


def count(store: Path, sql: str) -> int:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


# -------------------------------------------------------------------------------- point 10: actors and states
@pytest.mark.parametrize("b", ["CHN", "China", "chn"])
def test_a_dyad_of_one_actor_is_an_error(store, b):
    proc = cli(store, "dyads", "CHN", b, check=False)
    assert proc.returncode == 1 and "same actor" in proc.stderr and proc.stdout == ""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def vote_files(folder: Path) -> dict[str, Path]:
    """Two roll calls, one before and one after the USSR's end; unvotes names Russia "Russia" in both."""
    rolls = write(folder / "roll_calls.csv", "rcid,session,importantvote,date,unres,amend,para,short,descr\n"
                  "1,45,0,1990-10-01,R/45/1,0,0,first,first vote\n2,55,0,2000-10-01,R/55/1,0,0,second,second vote\n")
    votes = write(folder / "votes.csv", "rcid,country,country_code,vote\n1,Russia,RU,yes\n1,China,CN,yes\n"
                  "2,Russia,RU,no\n2,China,CN,yes\n")
    issues = write(folder / "issues.csv", "rcid,short_name,issue\n1,hr,Human rights\n")
    return {"rolls": rolls, "votes": votes, "issues": issues}


def test_vote_output_names_the_ussr_in_russia(tmp_path):
    store, files = tmp_path / "v.duckdb", vote_files(tmp_path)
    # the options in any order: the loader reads roll calls first
    cli(store, "ingest", "unvotes", "--votes", str(files["votes"]), "--issues", str(files["issues"]),
        "--roll-calls", str(files["rolls"]))
    note = "RUS includes 1 vote cast as the USSR (SUN) before 1991-12-24 (1990-10-01 to 1990-10-01)"
    table = cli(store, "votes", "align", "CHN", "RUS", "--freq", "all")
    assert note in table.stdout
    as_json = cli(store, "votes", "align", "CHN", "RUS", "--format", "json")
    assert json.loads(as_json.stdout)[0]["votes"] == 1 and note in as_json.stderr  # stdout stays plain JSON
    assert note in cli(store, "votes", "splits", "CHN", "RUS").stdout
    assert "USSR" not in cli(store, "votes", "align", "CHN", "RUS", "--since", "1992-01-01").stdout
    with weaklink.connect(str(store), read_only=True) as wl:
        (found,) = wl.vote_alignment("China", "Russia").meta["predecessors"]
    assert (found["state"], found["predecessor"], found["votes"]) == ("RUS", "SUN", 1)
    same = cli(store, "votes", "align", "RUS", "Russia", check=False)
    assert same.returncode == 1 and "same state" in same.stderr


# ----------------------------------------------------------------------------- point 3: retried files, --force
def test_votes_before_their_roll_calls_are_refused_up_front(tmp_path):
    store, files = tmp_path / "v.duckdb", vote_files(tmp_path)
    proc = cli(store, "ingest", "unvotes", "--votes", str(files["votes"]), check=False)
    assert proc.returncode == 1 and "--roll-calls" in proc.stderr and "roll calls" in proc.stderr
    assert count(store, "SELECT count(*) FROM provenance") == 0
    cli(store, "ingest", "unvotes", "--roll-calls", str(files["rolls"]), "--votes", str(files["votes"]))
    assert count(store, "SELECT count(*) FROM votes") == 4


def test_a_file_nothing_of_which_was_stored_is_read_again(tmp_path):
    store, files = tmp_path / "v.duckdb", vote_files(tmp_path)
    cli(store, "ingest", "unvotes", "--roll-calls", str(files["rolls"]))
    later = write(tmp_path / "later.csv", "rcid,country,country_code,vote\n3,Russia,RU,yes\n3,China,CN,no\n")
    first = cli(store, "ingest", "unvotes", "--votes", str(later), "--json")
    (row,) = json.loads(first.stdout)["files"]
    assert (row["stored"], row["rejected"]) == (0, 2) and "read again next time" in row["message"]
    rejects = json.loads(cli(store, "rejects", "--format", "json").stdout)
    assert len(rejects) == 2 and "roll call 3 is not in the store" in rejects[0]["reason"]
    # the roll call arrives; the same votes file is read again, not skipped
    more = write(tmp_path / "more_rolls.csv", "rcid,session,importantvote,date,unres,amend,para,short,descr\n"
                 "3,56,0,2001-10-01,R/56/1,0,0,third,third vote\n")
    cli(store, "ingest", "unvotes", "--roll-calls", str(more))
    (again,) = json.loads(cli(store, "ingest", "unvotes", "--votes", str(later), "--json").stdout)["files"]
    assert (again["status"], again["stored"], again["rejected"]) == ("ingested", 2, 0)
    assert count(store, "SELECT count(*) FROM votes") == 2
    assert count(store, "SELECT count(*) FROM rejects") == 0  # the old reasons no longer hold
    assert count(store, "SELECT count(*) FROM provenance WHERE format = 'unvotes-votes'") == 1
    (done,) = json.loads(cli(store, "ingest", "unvotes", "--votes", str(later), "--json").stdout)["files"]
    assert done["status"] == "skipped"


def test_force_reads_a_file_again_without_storing_a_row_twice(store, tmp_path):
    events = tmp_path / "events.CSV"
    (skipped,) = json.loads(cli(store, "ingest", "gdelt", "--json", str(events)).stdout)["files"]
    assert skipped["status"] == "skipped"
    (forced,) = json.loads(cli(store, "ingest", "gdelt", "--force", "--json", str(events)).stdout)["files"]
    assert (forced["status"], forced["read"], forced["stored"], forced["duplicate"]) == ("ingested", 5, 0, 5)
    assert count(store, "SELECT count(*) FROM events") == 5
    assert count(store, "SELECT count(*) FROM provenance") == 1
    timeline = json.loads(cli(store, "ingest", "timeline", "--json").stdout)["totals"]
    again = json.loads(cli(store, "ingest", "timeline", "--force", "--json").stdout)["totals"]
    assert again["read"] == timeline["read"] and again["stored"] == 0 and again["skipped"] == 0
    assert count(store, "SELECT count(*) FROM events WHERE dataset = 'curated'") == timeline["stored"]


@pytest.mark.parametrize("command", ["gdelt", "timeline", "unvotes", "unsc", "docs"])
def test_every_ingest_command_has_force(tmp_path, command):
    assert "--force" in cli(tmp_path / "s.duckdb", "ingest", command, "--help").stdout


# ---------------------------------------------------------------------- point 4: read-only, another process
HOLD = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("holding", flush=True)
sys.stdin.readline()
"""


class Holder:
    """Another process holding the store, read-write or read-only, until released."""

    def __init__(self, store: Path, mode: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", HOLD, str(store), mode], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "holding"

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=30)

    def __enter__(self) -> Holder:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def test_read_commands_share_the_store_with_a_reader_and_work_on_a_read_only_file(store):
    store.chmod(0o444)
    try:
        with Holder(store, "ro"):
            proc = cli(store, "--wait", "0", "dyads", "CHN", "PRK", "--format", "json")
            assert sum(row["events"] for row in json.loads(proc.stdout)) == 5
            assert cli(store, "--wait", "0", "sources").returncode == 0
            writer = cli(store, "--wait", "0", "ingest", "timeline", check=False)
            assert writer.returncode == 1 and "in use by" in writer.stderr
    finally:
        store.chmod(0o644)


def test_a_store_held_by_another_process_is_one_error_shape(store):
    with Holder(store, "rw") as holder:
        as_json = cli(store, "--wait", "1", "dyads", "CHN", "PRK", "--format", "json", check=False)
        error = json.loads(as_json.stdout)["error"]
        assert as_json.returncode == 1 and error["type"] == "StoreLocked"
        assert error["details"]["pid"] == holder.proc.pid and f"PID {holder.proc.pid}" in error["message"]
        ingest = cli(store, "--wait", "0", "ingest", "timeline", "--json", check=False)
        assert ingest.returncode == 1 and json.loads(ingest.stdout)["error"]["type"] == "StoreLocked"
        table = cli(store, "--wait", "0", "sources", check=False)
        assert table.returncode == 1 and table.stdout == ""
        (line,) = table.stderr.strip().splitlines()
        assert line.startswith("error:") and f"PID {holder.proc.pid}" in line and "--wait" in line


def test_a_command_waits_for_the_store_and_says_who_holds_it(store):
    holder = Holder(store, "rw")
    env = {**os.environ, "WEAKLINK_STORE": str(store)}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "weaklink", "--wait", "60", "sources", "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=store.parent)
    time.sleep(4)
    holder.release()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"PID {holder.proc.pid}" in err and "waiting up to 60 s" in err
    assert json.loads(out)[0]["rows_stored"] == 5 and time.monotonic() - started >= 4


def test_a_read_command_never_creates_a_store(tmp_path):
    missing = tmp_path / "none.duckdb"
    proc = cli(missing, "dyads", "CHN", "RUS", "--format", "json", check=False)
    assert proc.returncode == 1 and not missing.exists()
    assert "weaklink init" in json.loads(proc.stdout)["error"]["message"]


# ------------------------------------------------------------------------- point 7: a GDELT export cut short
def test_an_unterminated_last_gdelt_line_is_rejected_and_the_full_file_stores_it(tmp_path):
    store = tmp_path / "cut.duckdb"
    full_text = "\n".join(gdelt_line(i) for i in range(1, 5)) + "\n"
    cut = write(tmp_path / "20240115.export.CSV", full_text[:-30])
    (row,) = json.loads(cli(store, "ingest", "gdelt", "--json", str(cut)).stdout)["files"]
    assert (row["read"], row["stored"], row["rejected"]) == (4, 3, 1)
    (reject,) = json.loads(cli(store, "rejects", "--format", "json").stdout)
    assert reject["line"] == 4 and reject["reason"].startswith("unterminated last line: the file may be cut")
    full = write(tmp_path / "20240115.full.export.CSV", full_text)
    (again,) = json.loads(cli(store, "ingest", "gdelt", "--json", str(full)).stdout)["files"]
    assert (again["stored"], again["duplicate"]) == (1, 3)
    assert count(store, "SELECT count(*) FROM events WHERE record_id = '4' AND source_url LIKE '%/4'") == 1


# ------------------------------------------------------------------------------------- point 5: fast start-up
HEAVY = ("ibis", "duckdb", "pandas", "pyarrow", "matplotlib", "ruptures", "scipy")


@pytest.mark.parametrize("module", ["weaklink", "weaklink.cli"])
def test_start_up_imports_nothing_heavy(module):
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "", f"importing {module} loads {loaded}"


def test_help_and_argument_errors_answer_without_the_store(tmp_path):
    assert "--wait" in cli(tmp_path / "s.duckdb", "--help").stdout
    proc = cli(tmp_path / "s.duckdb", "dyads", "CHN", check=False)
    assert proc.returncode == 2 and "Missing argument" in proc.stderr


def test_the_api_and_its_results_load_no_pandas_until_asked(store):
    code = ("import sys, weaklink; wl = weaklink.connect(sys.argv[1], read_only=True); "
            "from weaklink import results; from weaklink.indicators import exchanges; "
            "series = wl.dyads('CHN', 'PRK'); rows = series.to_pyarrow(); print('pandas' in sys.modules); "
            "print(rows.equals(series.expr.to_pyarrow()), series.to_pandas()['events'].sum())")
    proc = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == ["False", "True", "5"]  # the same rows and types as Ibis gives, without pandas


def test_a_dyad_series_loads_only_the_duckdb_compiler_yet_compiles_for_postgres(store):
    code = ("import sys, ibis, weaklink; wl = weaklink.connect(sys.argv[1], read_only=True); "
            "series = wl.dyads('CHN', 'PRK'); rows = series.to_pyarrow(); "
            "loaded = lambda: sorted(m.rsplit('.', 1)[1] for m in sys.modules "
            "                        if m.startswith('ibis.backends.sql.compilers.') and m.count('.') == 4); "
            "print(rows.num_rows, ','.join(loaded())); "
            "sql = ibis.to_sql(series.expr, dialect='postgres'); "
            "import ibis.backends.sql.compilers as sc; "
            "print(','.join(loaded()), 'PostgresCompiler' in sc.__all__, sc.PostgresCompiler.__name__, "
            "'\"events\"' in sql, 'DATE_TRUNC' in sql.upper())")
    proc = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True, text=True, check=True)
    first, after = proc.stdout.splitlines()
    rows, compilers = first.split()
    assert int(rows) > 0 and set(compilers.split(",")) - {"base", "_compat"} == {"duckdb"}
    loaded, *rest = after.split()
    assert "postgres" in loaded.split(",") and "trino" not in loaded.split(",")
    assert rest == ["True", "PostgresCompiler", "True", "True"]  # the same expression compiles for PostgreSQL


# ------------------------------------------------------------------------------- point 9: results in a notebook
def test_a_result_shows_itself_in_a_notebook_with_a_preview_escaped(tmp_path):
    lines = [gdelt_line(i, sqldate=f"2024{1 + i % 12:02d}15", dateadded=f"2024{1 + i % 12:02d}16120000",
                        url=f"https://example.org/<b>{i}</b>") for i in range(1, 40)]
    with weaklink.connect(str(tmp_path / "s.duckdb")) as wl:
        wl.ingest_gdelt([write_lines(tmp_path / "e.CSV", lines)])
        series = wl.dyads("CHN", "PRK", freq="month")
        assert repr(series).startswith("<weaklink Result: 12 rows × 10 columns (period, events,")
        assert "freq=month" in repr(series) and len(repr(series)) < 300
        page = series._repr_html_()
        assert "12 rows × 10 columns" in page and "<th>share_per_10k</th>" in page
        assert page.count("<tr>") == 1 + 5 + 1 + 5  # header, first five, the gap, last five
        assert "2024-01-01" in page and "2024-12-01" in page and "2024-06-01" not in page
        events = Result(expr=wl.store.table("events").select("record_id", "source_url"))
        shown = events._repr_html_()
        assert "&lt;b&gt;1&lt;/b&gt;" in shown and "<b>1</b>" not in shown
        frame = series.to_pandas()
        assert str(frame["period"].dtype).startswith("datetime64") and frame["events"].sum() == 39
        assert str(wl.timeline().to_pandas()["date"].dtype).startswith("datetime64")


# ------------------------------------------------------------------------------------- point 1: store URLs
def test_store_urls_follow_one_rule_in_the_cli_and_the_api(tmp_path, monkeypatch):
    from weaklink.store.connection import duckdb_path

    monkeypatch.chdir(tmp_path)  # where the CLI runs, so that relative paths mean the same

    absolute = tmp_path / "abs" / "s.duckdb"
    assert duckdb_path(f"duckdb://{absolute}") == duckdb_path(f"duckdb:///{absolute}") == str(absolute)
    assert duckdb_path("duckdb://rel/s.duckdb") == "rel/s.duckdb"
    assert {duckdb_path(u) for u in ("duckdb://", "duckdb://:memory:", "duckdb:///:memory:")} == {":memory:"}
    for url in (f"duckdb:///{absolute}", "duckdb://rel/s.duckdb"):  # the CLI and the API open the same file
        cli(tmp_path / "unused.duckdb", "--store", url, "ingest", "unsc")
        with weaklink.connect(url, read_only=True) as wl:
            assert Path(wl.store.path).resolve() == (absolute if "abs" in url else tmp_path / "rel/s.duckdb")
            assert wl.store.con.execute("SELECT count(*) FROM decisions").fetchall()[0][0] > 0
    proc = cli(tmp_path / "unused.duckdb", "--store", "duckdb:///no-such-top-folder/s.duckdb", "init", "p", check=False)
    assert proc.returncode == 1 and "duckdb://no-such-top-folder/s.duckdb" in proc.stderr
    assert not Path("/no-such-top-folder").exists()


# ------------------------------------------------------------------------------- point 9: no chromium, no PDF
def test_a_pdf_brief_without_chromium_says_at_once_which_package_to_install(store, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty), "WEAKLINK_STORE": str(store)}
    started = time.monotonic()
    pdf = subprocess.run([sys.executable, "-m", "weaklink", "brief", "--out", "x.pdf"], check=False, capture_output=True,
                         text=True, env=env, cwd=tmp_path, timeout=300)
    assert pdf.returncode == 1 and "Traceback" not in pdf.stderr and not (tmp_path / "x.pdf").exists()
    assert "apt-get install chromium" in pdf.stderr and "HTML" in pdf.stderr
    assert time.monotonic() - started < 20  # before computing the briefing


def test_make_demo_needs_only_python3_venv(tmp_path):
    """scripts/system-deps.sh --check (what a user who is not root meets), on a PATH without chromium or poppler."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("bash", "grep", "id", "fc-list"):
        if shutil.which(name):
            (tools / name).symlink_to(shutil.which(name))
    (tools / "python3").symlink_to(sys.executable)  # has venv and ensurepip
    script = Path(__file__).resolve().parents[1] / "scripts" / "system-deps.sh"
    env = {"PATH": str(tools), "HOME": str(tmp_path)}
    demo, test = (subprocess.run([str(tools / "bash"), str(script), target, "--check"], check=False, capture_output=True,
                                 text=True, env=env) for target in ("demo", "test"))
    assert demo.returncode == 0 and demo.stderr.startswith("note: optional") and demo.stderr.count("\n") == 1
    assert "chromium poppler-utils" in demo.stderr
    assert test.returncode == 1 and "missing Debian packages for 'make test': chromium poppler-utils" in test.stderr
