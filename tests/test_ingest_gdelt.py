"""GDELT ingest: every line stored, rejected (with line and reason) or a known duplicate."""

from __future__ import annotations

import zipfile

import pytest
from conftest import count_lines
from gdelt_lines import gdelt_line, write_lines

from weaklink.errors import NoInputFiles


def stored_count(wl) -> int:
    return wl.store.con.execute("SELECT count(*) FROM events").fetchall()[0][0]


def rejects_of(wl) -> list[tuple[int, str]]:
    return [(r["line"], r["reason"]) for r in wl.rejects().to_records()]


def test_real_v2_folder_twice_same_store(wl, gdelt_v2_dir):
    files = sorted(gdelt_v2_dir.rglob("*.export.CSV"))
    lines = sum(count_lines(p) for p in files)
    first = wl.ingest_gdelt([gdelt_v2_dir]).totals
    assert first.files == len(files) == first.ingested
    assert first.read == lines
    assert first.stored + first.rejected + first.duplicate == first.read
    assert first.stored == stored_count(wl)
    before = wl.store.con.execute("SELECT sum(hash(record_id)), count(*) FROM events").fetchall()
    second = wl.ingest_gdelt([gdelt_v2_dir]).totals
    assert second.skipped == len(files) and second.stored == 0 and second.read == 0
    assert wl.store.con.execute("SELECT sum(hash(record_id)), count(*) FROM events").fetchall() == before


def test_mixed_gdelt1_widths_in_one_file(wl, shared_data):
    path = shared_data / "gdelt-v1-events/reed9999-gdelt-demo/events.csv"
    result = wl.ingest_gdelt([path]).files[0]
    assert result.status == "ingested" and result.version == "1.0"
    assert result.read == count_lines(path) == result.stored + result.rejected + result.duplicate
    with_url, without_url = wl.store.con.execute("""
        SELECT count(*) FILTER (source_url IS NOT NULL), count(*) FILTER (source_url IS NULL)
        FROM events""").fetchall()[0]
    assert with_url > 0 and without_url > 0


def test_zip_is_streamed_and_counted(wl, shared_data):
    path = shared_data / "gdelt-v1-events/loum-geoutils/20141124.export.CSV.zip"
    result = wl.ingest_gdelt([path]).files[0]
    with zipfile.ZipFile(path) as archive:
        expected = archive.read(archive.namelist()[0]).count(b"\n")
    assert (result.status, result.read, result.stored) == ("ingested", expected, expected)
    assert wl.sources().to_records()[0]["member"] == "20141124.export.CSV"


def test_event_codes_stay_strings(wl, shared_data):
    path = next((shared_data / "gdelt-v2-events").rglob("*.export.CSV"))
    wl.ingest_gdelt([path])
    raw = {line.split("\t")[26] for line in path.read_text(encoding="utf-8").splitlines()}
    stored = {r[0] for r in wl.store.con.execute("SELECT DISTINCT event_code FROM events").fetchall()}
    assert stored == raw
    assert any(code.startswith("0") for code in stored)


def test_versions_detected_per_line(wl, tmp_path):
    lines = [gdelt_line(1), gdelt_line(2, version=1, width=58), gdelt_line(3, version=1, width=57)]
    result = wl.ingest_gdelt([write_lines(tmp_path / "mixed.CSV", lines)]).files[0]
    assert (result.stored, result.version) == (3, "1.0+2.0")
    rows = wl.store.con.execute(
        "SELECT record_id, source_format, date_added, source_url, action_geo_lat FROM events ORDER BY 1").fetchall()
    assert [r[1] for r in rows] == ["gdelt-2.0", "gdelt-1.0", "gdelt-1.0"]
    assert str(rows[0][2]) == "2024-01-15 12:00:00" and str(rows[1][2]) == "2024-01-15 00:00:00"
    assert rows[1][3] == "https://example.org/2" and rows[2][3] is None
    assert all(r[4] == 39.03 for r in rows)


def test_bad_lines_are_rejected_with_line_and_reason(wl, tmp_path):
    lines = [
        gdelt_line(1),
        "\t".join(["x"] * 12),                       # 2: wrong field count
        gdelt_line(3, sqldate="2024-13-45"),         # 3: bad date
        "",                                          # 4: empty line
        gdelt_line(5, goldstein="lots"),             # 5: bad number
        gdelt_line(6) + "\textra\tfields",           # 6: too many fields
        gdelt_line(7, id="seven"),                   # 7: bad id
        gdelt_line(8),
        gdelt_line(1),                               # 9: duplicate of line 1
    ]
    path = write_lines(tmp_path / "bad.CSV", lines)  # an unterminated last line is a reject: test_first_hour.py
    result = wl.ingest_gdelt([path]).files[0]
    assert (result.read, result.stored, result.rejected, result.duplicate) == (9, 2, 6, 1)
    found = rejects_of(wl)
    assert [line for line, _ in found] == [2, 3, 4, 5, 6, 7]
    reasons = dict(found)
    assert "wrong number of fields: 12" in reasons[2]
    assert "SQLDATE" in reasons[3] and "2024-13-45" in reasons[3]
    assert reasons[4] == "empty line"
    assert "GoldsteinScale is not a number: 'lots'" in reasons[5]
    assert "more than 61" in reasons[6]
    assert "GLOBALEVENTID" in reasons[7]
    raw = {r["line"]: r["raw"] for r in wl.rejects().to_records()}
    assert raw[2] == lines[1] and raw[5] == lines[4]


def test_invalid_utf8_is_rejected_and_others_kept(wl, tmp_path):
    good = [gdelt_line(i) for i in range(1, 6)]
    data = ("\n".join(good[:2]) + "\n").encode() + gdelt_line(99, a1code="CH\xff").encode("latin-1") + b"\n"
    data += ("\n".join(good[2:]) + "\n").encode()
    path = tmp_path / "latin1.CSV"
    path.write_bytes(data)
    result = wl.ingest_gdelt([path]).files[0]
    assert (result.read, result.stored, result.rejected) == (6, 5, 1)
    assert rejects_of(wl)[0][0] == 3 and "UTF-8" in rejects_of(wl)[0][1]


def test_reject_line_numbers_in_a_large_file(wl, tmp_path):
    """Rejects far into a multi-buffer file keep their exact line numbers."""
    bad_at = {1_000, 55_555, 120_000}
    lines = [gdelt_line(i) if i not in bad_at else gdelt_line(i, sqldate="yesterday")
             for i in range(1, 150_001)]
    lines[70_000 - 1] = ""
    result = wl.ingest_gdelt([write_lines(tmp_path / "large.CSV", lines)]).files[0]
    assert (result.read, result.rejected, result.stored) == (150_000, 4, 149_996)
    assert [line for line, _ in rejects_of(wl)] == [1_000, 55_555, 70_000, 120_000]


def test_same_records_in_another_file_are_duplicates(wl, tmp_path):
    wl.ingest_gdelt([write_lines(tmp_path / "a.CSV", [gdelt_line(i) for i in range(1, 11)])])
    result = wl.ingest_gdelt([write_lines(tmp_path / "b.CSV", [gdelt_line(i) for i in range(6, 16)])]).files[0]
    assert (result.read, result.stored, result.duplicate, result.rejected) == (10, 5, 5, 0)
    assert stored_count(wl) == 15


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"name,date\nfoo,2024-01-01\n", "not a GDELT event export"),
    (b"PK\x03\x04truncated", "zip"),
])
def test_unreadable_files_get_clear_errors_and_store_nothing(wl, tmp_path, content, message):
    path = tmp_path / ("x.CSV.zip" if content.startswith(b"PK") else "x.CSV")
    path.write_bytes(content)
    summary = wl.ingest_gdelt([path])
    assert not summary.ok and message in summary.files[0].message
    assert stored_count(wl) == 0 and wl.sources().to_records() == [] and wl.rejects().to_records() == []


def test_truncated_real_zip(wl, tmp_path, shared_data):
    data = (shared_data / "gdelt-v1-events/loum-geoutils/20141124.export.CSV.zip").read_bytes()
    path = tmp_path / "cut.export.CSV.zip"
    path.write_bytes(data[: len(data) // 2])
    result = wl.ingest_gdelt([path]).files[0]
    assert result.status == "error" and "truncated" in result.message
    assert stored_count(wl) == 0


def test_derived_csv_is_not_gdelt(wl, shared_data):
    result = wl.ingest_gdelt([shared_data / "gdelt-derived/JaimeLaVie-GDELT_analysis/chn.csv"]).files[0]
    assert result.status == "error" and "not a GDELT event export" in result.message


def test_paths_folders_and_globs(wl, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        write_lines(folder / f"2024011{n}.export.CSV", [gdelt_line(n * 10 + 1), gdelt_line(n * 10 + 2)])
    (folder / "notes.md").write_text("not data")
    (folder / "20240110.mentions.CSV").write_text("x\ty\n")
    assert wl.ingest_gdelt([folder]).totals.files == 3
    assert wl.ingest_gdelt([str(folder / "*.export.CSV")]).totals.skipped == 3
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NoInputFiles, match="holds no event files"):
        wl.ingest_gdelt([empty])
    with pytest.raises(NoInputFiles, match="matches no file"):
        wl.ingest_gdelt([str(tmp_path / "*.zip")])
    with pytest.raises(NoInputFiles, match="no such file"):
        wl.ingest_gdelt([tmp_path / "missing.CSV"])


def test_provenance_records_the_file(wl, tmp_path):
    path = write_lines(tmp_path / "p.CSV", [gdelt_line(1), gdelt_line(2), "oops"])
    wl.ingest_gdelt([path])
    (row,) = wl.sources().to_records()
    import hashlib
    assert row["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert row["size_bytes"] == path.stat().st_size and row["path"] == str(path.resolve())
    assert (row["rows_read"], row["rows_stored"], row["rows_rejected"], row["rows_duplicate"]) == (3, 2, 1, 0)
    assert row["version"] == "2.0" and row["started_at"] <= row["finished_at"]


# ---------------------------------------------------------------------- dates: late events and the 2020 repair
def _real_line_redated(shared_data, record_id: int, sqldate: str, dateadded: str) -> str:
    """A real GDELT 2.0 export line, with its id, SQLDATE and DATEADDED set."""
    path = shared_data / "gdelt-v2-events/oreillyross-GDELT_Downloader/20250103150000.export.CSV"
    fields = path.read_text(encoding="utf-8").split("\n", 1)[0].split("\t")
    fields[0], fields[1], fields[59] = str(record_id), sqldate, dateadded
    return "\t".join(fields)


def test_century_early_dates_of_new_year_2020_are_repaired_with_the_original_kept(wl, shared_data, tmp_path):
    lines = [_real_line_redated(shared_data, 1, "19200102", "20200102101500"),   # repaired: 1920 -> 2020
             _real_line_redated(shared_data, 2, "19191231", "20191231230000"),   # repaired: 1919 -> 2019
             _real_line_redated(shared_data, 3, "19200102", "20200106000000"),   # added after the window: kept as is
             _real_line_redated(shared_data, 4, "19210102", "20200102101500"),   # not exactly a century: kept as is
             _real_line_redated(shared_data, 5, "20200101", "20200102101500"),   # a right date
             gdelt_line(6, version=1, sqldate="19200103", dateadded="20200104")]  # GDELT 1.0 daily line: repaired
    result = wl.ingest_gdelt([write_lines(tmp_path / "20200102.export.CSV", lines)]).files[0]
    assert (result.stored, result.rejected, result.repaired) == (6, 0, 3)
    rows = {r[0]: r[1:] for r in wl.store.con.execute(
        "SELECT record_id, strftime(event_date, '%Y-%m-%d'), strftime(event_date_original, '%Y-%m-%d') FROM events"
    ).fetchall()}
    assert rows == {"1": ("2020-01-02", "1920-01-02"), "2": ("2019-12-31", "1919-12-31"),
                    "3": ("1920-01-02", None), "4": ("1921-01-02", None), "5": ("2020-01-01", None),
                    "6": ("2020-01-03", "1920-01-03")}
    assert result.late == 2 and wl.ingest_gdelt([tmp_path]).totals.repaired == 0  # ids 3 and 4; a re-run: nothing


def test_migration_7_repairs_rows_stored_before_it(wl, tmp_path):
    from weaklink.store.schema import MIGRATIONS

    wl.ingest_gdelt([write_lines(tmp_path / "a.CSV", [gdelt_line(1, sqldate="19200101", dateadded="20200101090000"),
                                                        gdelt_line(2, sqldate="19200101", dateadded="20200301000000")])])
    con = wl.store.con  # undo the repair and the column, as in a store written before migration 7
    con.execute("UPDATE events SET event_date = coalesce(event_date_original, event_date)")
    con.execute("ALTER TABLE events DROP COLUMN event_date_original")
    next(func for number, _, func in MIGRATIONS if number == 7)(con)
    assert con.execute("SELECT record_id, event_date::VARCHAR, event_date_original::VARCHAR FROM events ORDER BY 1"
                       ).fetchall() == [("1", "2020-01-01", "1920-01-01"), ("2", "1920-01-01", None)]


def test_late_events_are_kept_counted_and_left_out_of_indicators(wl, shared_data, tmp_path):
    """GDELT 1.0 lines of 2016 and of the historical backfile (1982, added 2013) in one real file."""
    import weaklink

    path = shared_data / "gdelt-v1-events/reed9999-gdelt-demo/events.csv"
    result = wl.ingest_gdelt([path]).files[0]
    late_by_hand = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        added, day = fields[56], fields[1]
        late_by_hand += (_day(added) - _day(day)).days > 30
    assert result.late == late_by_hand > 100 and result.stored == count_lines(path)
    every = {r["period"].year for r in weaklink.connect(wl.store.path, include_late=True).dyads(
        "USA", "CHN", freq="year").to_records()}
    kept = {r["period"].year for r in wl.dyads("USA", "CHN", freq="year").to_records()}
    assert 1982 in every and min(kept) >= 2016
    wider = weaklink.connect(wl.store.path, max_lag_days=10**4).dyads("USA", "CHN", freq="year").to_records()
    assert 1982 not in {r["period"].year for r in wider}  # 31 years, over 10,000 days


def _day(text: str):
    from datetime import date

    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def test_the_demo_month_series_has_no_stray_periods(tmp_path):
    import subprocess
    import sys

    env_store = tmp_path / "demo.duckdb"
    run = [sys.executable, "-m", "weaklink", "--store", str(env_store)]
    demo = subprocess.run([*run, "demo", "--format", "json"], check=False, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr
    series = subprocess.run([*run, "dyads", "CHN", "PRK", "--freq", "month", "--format", "json"],
                            check=False, capture_output=True, text=True, timeout=300)
    every = subprocess.run([*run, "--include-late", "dyads", "CHN", "PRK", "--freq", "month", "--format", "json"],
                           check=False, capture_output=True, text=True, timeout=300)
    import json

    periods = {r["period"][:7] for r in json.loads(series.stdout)}
    assert {"2014-10", "2014-12"} <= {r["period"][:7] for r in json.loads(every.stdout)}
    assert not periods & {"2014-10", "2014-12", "1979-01", "1982-12"}
    import duckdb

    con = duckdb.connect(str(env_store), read_only=True)
    reported = {d.strftime("%Y-%m") for (d,) in con.execute(
        "SELECT DISTINCT date_trunc('month', date_added) FROM events WHERE dataset = 'gdelt'").fetchall()}
    con.close()
    assert periods and all(any(_months_apart(p, r) <= 1 for r in reported) for p in periods), periods - reported


def _months_apart(a: str, b: str) -> int:
    return abs((int(a[:4]) * 12 + int(a[5:7])) - (int(b[:4]) * 12 + int(b[5:7])))


# A store large next to the file, with every stored id outside the real files' ids (GDELT 2.0 ids of 2024-25 are
# above 1.2e9): the duplicate check is restricted to the file's id range (ingest/common.py, `id_range`).
FILLER_ROWS = 600_000  # about five DuckDB row groups
FILLER_BASE = 1_100_000_000


def _fill(wl, rows: int = FILLER_ROWS, base: int = FILLER_BASE) -> None:
    con = wl.store.con
    con.execute(f"""INSERT INTO events (dataset, record_id, event_date)
                    SELECT 'gdelt', ({base} + i)::VARCHAR, DATE '2020-01-01' FROM range({rows}) AS r(i)""")
    con.execute("CHECKPOINT")


def _real_v2_file(shared_data):
    return shared_data / "gdelt-v2-events/oreillyross-GDELT_Downloader/20241022130000.export.CSV"  # ids ~1.2e9


def test_duplicate_check_reads_only_the_files_id_range(wl, shared_data, tmp_path):
    import json

    from weaklink.ingest.csvread import readable
    from weaklink.ingest.gdelt import _id_range, _insert_sql
    from weaklink.sources.scan import scan_file

    path = _real_v2_file(shared_data)
    _fill(wl)
    con, profile = wl.store.con, tmp_path / "profile.json"
    with readable(con, scan_file(path), terminated=True) as source:
        ids = _id_range(con, source)
        assert ids.restricted and int(ids.low) > FILLER_BASE + FILLER_ROWS
        con.execute("BEGIN TRANSACTION")
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"PRAGMA profiling_output = '{profile}'")
        inserted = con.execute(_insert_sql(source, 999, ids=ids)).fetchall()[0][0]
        con.execute("PRAGMA disable_profiling")
        con.execute("ROLLBACK")
    scanned = json.loads(profile.read_text())["query"]["total_rows_scanned"]
    assert inserted == count_lines(path)
    # The file's lines, and at most one stored row group (122,880 rows) the range could touch; without the
    # restriction every one of the 600,000 stored ids is read.
    assert scanned <= count_lines(path) + 122_880, scanned


def test_duplicates_are_counted_in_a_large_store(wl, shared_data, tmp_path):
    path = _real_v2_file(shared_data)
    lines = path.read_text(encoding="utf-8").splitlines()
    _fill(wl)
    first = wl.ingest_gdelt([path]).files[0]
    assert (first.read, first.stored, first.duplicate) == (len(lines), len(lines), 0)
    # Half the file again, one of its lines twice, and a line whose id is below every stored one but not stored.
    below = "\t".join([str(FILLER_BASE - 5), *lines[0].split("\t")[1:]])
    again = write_lines(tmp_path / "again.CSV", [*lines[: len(lines) // 2], lines[3], below])
    second = wl.ingest_gdelt([again]).files[0]
    half = len(lines) // 2
    assert (second.read, second.stored, second.duplicate, second.rejected) == (half + 2, 1, half + 1, 0)
    forced = wl.ingest_gdelt([path], force=True).files[0]
    assert (forced.stored, forced.duplicate) == (0, len(lines))
    assert stored_count(wl) == FILLER_ROWS + len(lines) + 1
    # A filler id in a new file is a duplicate too: the range is the file's, wherever it lies.
    filler = "\t".join([str(FILLER_BASE + 7), *lines[1].split("\t")[1:]])
    third = wl.ingest_gdelt([write_lines(tmp_path / "filler.CSV", [filler, lines[2]])]).files[0]
    assert (third.stored, third.duplicate) == (0, 2)


@pytest.mark.parametrize("filler", [0, FILLER_ROWS])
def test_keep_watched_counts_the_same_with_and_without_the_range(wl, shared_data, filler):
    path = _real_v2_file(shared_data)
    _fill(wl, filler)
    first = wl.ingest_gdelt([path], keep="watched").files[0]
    assert first.kept_out > 0 and first.stored > 0 and first.stored + first.kept_out == first.read
    again = wl.ingest_gdelt([path], keep="watched", force=True).files[0]
    assert (again.stored, again.duplicate, again.kept_out) == (0, first.stored, first.kept_out)
