"""A SIGKILL part-way through a large file leaves the store as before that file; a re-run completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from gdelt_lines import gdelt_line, write_lines

ROWS = 600_000


def big_real_file(source_dir: Path, target: Path, rows: int) -> None:
    """Real GDELT 2.0 rows repeated to `rows` lines, with fresh unique GLOBALEVENTIDs."""
    con = duckdb.connect()
    cols = ", ".join(f"'c{i:02d}': 'VARCHAR'" for i in range(61))
    others = ", ".join(f"c{i:02d}" for i in range(1, 61))
    con.execute(f"""
        COPY (
            SELECT (10000000 + row_number() OVER ())::VARCHAR AS c00, {others}
            FROM (SELECT * FROM read_csv('{source_dir}/**/*.export.CSV', columns={{{cols}}}, delim='\t',
                  quote='', escape='', header=false, auto_detect=false)),
                 range(ceil({rows} / 97819.0)::INTEGER)
            LIMIT {rows}
        ) TO '{target}' (DELIMITER '\t', HEADER false, QUOTE '', ESCAPE '')""")
    con.close()


def read_bytes_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    return 0


def store_state(path: Path) -> tuple:
    con = duckdb.connect(str(path), read_only=True)
    state = con.execute("""
        SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM provenance),
               (SELECT count(*) FROM rejects), (SELECT sum(hash(record_id)) FROM events)""").fetchall()
    con.close()
    return state[0]


def run_cli(store: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "weaklink", "--store", str(store), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs /proc/<pid>/io to see read progress")
def test_sigkill_mid_file_leaves_store_as_before(tmp_path, gdelt_v2_dir):
    store = tmp_path / "store.duckdb"
    first = write_lines(tmp_path / "first.CSV", [gdelt_line(i) for i in range(1, 101)] + ["broken"])
    assert run_cli(store, "ingest", "gdelt", str(first)).wait() == 0
    before = store_state(store)

    big = tmp_path / "big.export.CSV"
    big_real_file(gdelt_v2_dir, big, ROWS)
    size = big.stat().st_size
    proc = run_cli(store, "ingest", "gdelt", "--json", str(big))
    baseline = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        done = read_bytes_of(proc.pid)
        baseline = baseline if baseline is not None else done
        if done - baseline > size * 1.5:  # hashed once, and the CSV reader is half-way through
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the ingest finished before it could be killed: make the file larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    assert store_state(store) == before
    rerun = run_cli(store, "ingest", "gdelt", "--json", str(big))
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    import json
    result = json.loads(out)["files"][0]
    assert result["status"] == "ingested"
    assert (result["read"], result["stored"], result["rejected"], result["duplicate"]) == (ROWS, ROWS, 0, 0)
    after = store_state(store)
    assert after[0] == before[0] + ROWS and after[1] == before[1] + 1 and after[2] == before[2]
