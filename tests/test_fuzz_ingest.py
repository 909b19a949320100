"""Fuzzing the input side through the real CLI: variants of a real GDELT 2.0 export (byte flips, CR/CRLF
mixes, non-finite numbers, coerced ids, a huge line, hostile text and file names), every ingest command
fed garbage, an empty file and a real `.rda`, and hostile watch files.

For each: the exit code, the message, the counts adding up with none negative, and each expected reject
listed by `weaklink rejects` with its line number and reason. No traceback ever.
"""

from __future__ import annotations

import gzip
import json
import random
import traceback
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from weaklink.cli import main
from weaklink.errors import AccountingError
from weaklink.ingest.common import check_counts
from weaklink.ingest.summary import FileResult

REAL = "gdelt-v2-events/oreillyross-GDELT_Downloader/20241022130000.export.CSV"  # 1,485 lines, 61 fields, LF
ROWS = 1485
HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
           "[bold]x[/bold] [x]", "'; DROP TABLE events; --", "\x1b[31mred\x1b[0m", "\u202eevil", "a\x00b"]


# ----------------------------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def real_lines(shared_data) -> list[bytes]:
    data = (shared_data / REAL).read_bytes()
    assert data.endswith(b"\n") and b"\r" not in data
    return data[:-1].split(b"\n")


def cli(store: Path, *args: str):
    """Run the CLI in this process; no exception may escape it (that would be a traceback for a user)."""
    result = CliRunner().invoke(main, ["--store", f"duckdb:///{store}", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("".join(traceback.format_exception(result.exception)))
    assert "Traceback" not in result.output
    return result


def ingest(tmp_path: Path, data: bytes, name: str = "fuzz.export.CSV", expect_exit: int = 0):
    """Ingest one file with `ingest gdelt --json`; returns its summary row and its rejects by line."""
    path = tmp_path / name
    path.write_bytes(data)
    store = tmp_path / "fuzz.duckdb"
    result = cli(store, "ingest", "gdelt", "--json", str(path))
    assert result.exit_code == expect_exit, result.output
    (row,) = json.loads(result.stdout)["files"]
    counts = (row["read"], row["stored"], row["rejected"], row["duplicate"])
    assert min(counts) >= 0 and row["read"] == row["stored"] + row["rejected"] + row["duplicate"], row
    rejects = json.loads(cli(store, "rejects", "--format", "json").stdout)
    assert all(r["line"] >= 1 and r["reason"] for r in rejects)
    assert len(rejects) == row["rejected"]
    return row, {r["line"]: r for r in rejects}


def fields(line: bytes) -> list[bytes]:
    return line.split(b"\t")


def joined(lines: list[bytes], end: bytes = b"\n") -> bytes:
    return end.join(lines) + end


# ---------------------------------------------------------------------------------------------- byte flips
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_byte_flips_reject_only_the_lines_they_touch(tmp_path, real_lines, seed):
    data = bytearray(joined(real_lines))
    rng = random.Random(seed)
    spots = sorted(rng.sample(range(len(data) - 1), 40))
    for spot in spots:
        data[spot] ^= rng.randrange(1, 256)
    data = bytes(data)
    row, rejects = ingest(tmp_path, data)
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    assert row["status"] == "ingested" and row["read"] == lines
    touched = {data.count(b"\n", 0, spot) + 1 for spot in spots}
    allowed = touched | {line + 1 for line in touched}  # a new LF cuts a line in two
    assert rejects and set(rejects) <= allowed, sorted(set(rejects) - allowed)


# ----------------------------------------------------------------------------------------- line endings
def test_cr_only_file_is_read_line_by_line(tmp_path, real_lines):
    row, rejects = ingest(tmp_path, joined(real_lines, b"\r"))
    assert (row["read"], row["stored"], row["rejected"], row["duplicate"]) == (ROWS, ROWS, 0, 0) and not rejects


def test_crlf_file_and_crlf_lines_in_an_lf_file(tmp_path, real_lines):
    row, _ = ingest(tmp_path, joined(real_lines, b"\r\n"))
    assert (row["read"], row["stored"]) == (ROWS, ROWS)
    mixed = [line + b"\r" if i % 7 == 0 else line for i, line in enumerate(real_lines)]
    (tmp_path / "mixed").mkdir()
    row, rejects = ingest(tmp_path / "mixed", joined(mixed))
    assert (row["read"], row["stored"], row["rejected"]) == (ROWS, ROWS, 0) and not rejects


def test_stray_carriage_returns_are_rejects_for_their_lines(tmp_path, real_lines):
    lines = list(real_lines)
    lines[99] = lines[99].replace(b"\t", b"\t\r", 1)           # line 100: a CR inside a field
    lines[199] = lines[199] + b"\r" + lines[200]               # line 200: two records joined by a lone CR
    del lines[200]
    lines[299] = lines[299].rsplit(b"\t", 1)[0] + b"\t\r"      # line 300: empty last field, then CRLF: fine
    row, rejects = ingest(tmp_path, joined(lines))
    assert (row["read"], row["stored"], row["rejected"], row["duplicate"]) == (ROWS - 1, ROWS - 3, 2, 0)
    assert set(rejects) == {100, 200}
    assert all("carriage return" in r["reason"] for r in rejects.values())


# ------------------------------------------------------------------------------------- values and ids
BAD_VALUES = [  # (field index, value, words the reason must hold)
    (30, b"NaN", "GoldsteinScale is not a number"), (30, b"inf", "GoldsteinScale is not a number"),
    (30, b"-Infinity", "GoldsteinScale is not a number"), (30, b"1e309", "GoldsteinScale is not a number"),
    (34, b"1_000", "AvgTone is not a number"), (34, b"1e3", "AvgTone is not a number"),
    (34, b"0x1F", "AvgTone is not a number"), (30, b"11", "GoldsteinScale is out of range"),
    (30, b"1" + b"0" * 400, "GoldsteinScale is out of range"), (56, b"91.5", "ActionGeo_Lat is out of range"),
    (57, b"-181", "ActionGeo_Long is out of range"), (56, b" 39.0", "ActionGeo_Lat is not a number"),
    (0, b"1.5", "GLOBALEVENTID is not an integer"), (0, b"0x1F", "GLOBALEVENTID is not an integer"),
    (0, b"1e3", "GLOBALEVENTID is not an integer"), (0, b" 123", "GLOBALEVENTID is not an integer"),
    (0, b"+5", "GLOBALEVENTID is not an integer"), (0, "１２３".encode(), "GLOBALEVENTID is not an integer"),
    (0, b"99999999999999999999999", "GLOBALEVENTID is too large"),
    (29, b"9", "QuadClass must be 1, 2, 3 or 4"), (29, b"1.0", "QuadClass must be 1, 2, 3 or 4"),
    (25, b"7", "IsRootEvent must be 0 or 1"), (31, b"-3", "NumMentions is not a whole number"),
    (32, b"2.5", "NumSources is not a whole number"), (33, b"99999999999", "NumArticles is too large"),
    (1, b"2024101", "SQLDATE is not a date"), (1, b"20241345", "SQLDATE is not a date"),
    (1, b"00000101", "SQLDATE is not a date"), (59, b"2024102213", "DATEADDED is not a date"),
    (35, b"x", "Actor1Geo_Type must be 0 to 5"),
]


def test_non_finite_and_coerced_values_are_rejected_with_reasons(tmp_path, real_lines):
    lines = list(real_lines)
    for n, (index, value, _) in enumerate(BAD_VALUES):
        parts = fields(lines[n * 10])
        parts[index] = value
        lines[n * 10] = b"\t".join(parts)
    row, rejects = ingest(tmp_path, joined(lines))
    assert (row["read"], row["stored"], row["rejected"]) == (ROWS, ROWS - len(BAD_VALUES), len(BAD_VALUES))
    for n, (_, value, words) in enumerate(BAD_VALUES):
        reject = rejects[n * 10 + 1]
        assert words in reject["reason"], (value, reject["reason"])
        assert reject["raw"].split("\t")[0] == lines[n * 10].decode().split("\t")[0]
    stored = duckdb.connect(str(tmp_path / "fuzz.duckdb"), read_only=True)
    ids = {r[0] for r in stored.execute("SELECT record_id FROM events").fetchall()}
    stored.close()
    assert not {"2", "31", "1000", "123", "5"} & ids  # none of the coerced ids was made up


# ------------------------------------------------------------------------------------------- long lines
def test_a_line_over_32_mb_is_a_reject_with_a_sample(tmp_path, real_lines):
    lines = list(real_lines)
    lines[9] = lines[9] + b"x" * (33 << 20)
    row, rejects = ingest(tmp_path, joined(lines))
    assert (row["read"], row["stored"], row["rejected"], row["duplicate"]) == (ROWS, ROWS - 1, 1, 0)
    reject = rejects[10]
    assert "line too long" in reject["reason"] and f"{len(lines[9]):,} bytes" in reject["reason"]
    assert reject["raw"].startswith(lines[9][:100].decode()) and len(reject["raw"]) < 300
    assert reject["raw"].endswith(f"({len(lines[9]):,} bytes)")


# -------------------------------------------------------------------------------------- hostile strings
# Every text field of a GDELT 2.0 line: actors (5-24), event codes (26-28), geography names, countries,
# ADM codes and feature ids (36-39, 42, 44-47, 50, 52-55, 58) and SOURCEURL (60).
TEXT_FIELDS = [*range(5, 25), 26, 27, 28, 36, 37, 38, 39, 42, 44, 45, 46, 47, 50, 52, 53, 54, 55, 58, 60]


def test_hostile_text_in_every_field_is_stored_verbatim(tmp_path, real_lines):
    lines = list(real_lines[:50])
    for n, line in enumerate(lines):
        parts = fields(line)
        for index in TEXT_FIELDS:
            parts[index] = HOSTILE[(n + index) % len(HOSTILE)].encode()
        lines[n] = b"\t".join(parts)
    row, rejects = ingest(tmp_path, joined(lines))
    assert (row["read"], row["stored"], row["rejected"]) == (50, 50, 0)
    stored = duckdb.connect(str(tmp_path / "fuzz.duckdb"), read_only=True)
    urls = {r[0] for r in stored.execute("SELECT source_url FROM events").fetchall()}
    stored.close()
    assert urls <= set(HOSTILE) and len(urls) > 3


def test_hostile_raw_lines_are_shown_literally_by_rejects(tmp_path, real_lines):
    lines = list(real_lines[:20]) + [b"[bold]not[/bold] [x] a line \x1b[31m<script>"]
    ingest(tmp_path, joined(lines))
    table = cli(tmp_path / "fuzz.duckdb", "rejects").stdout
    assert "[bold]not[/bold] [x] a line \\x1b[31m<script>" in table and "\x1b" not in table  # ESC shown, not sent


@pytest.mark.parametrize("name", ["e<svg onload=alert(1)>.export.CSV", "a[x].export.CSV", "b[!x]*?.export.CSV"])
def test_hostile_file_names_are_taken_literally_and_shown_as_they_are(tmp_path, real_lines, name):
    decoy = tmp_path / "ax.export.CSV"  # what `a[x]` would match as a glob
    decoy.write_bytes(joined(real_lines[:5]))
    path = tmp_path / name
    path.write_bytes(joined(real_lines[:30]))
    store = tmp_path / "names.duckdb"
    result = cli(store, "ingest", "gdelt", str(path))
    assert result.exit_code == 0, result.output
    assert name in result.stdout  # the summary table, not eaten as markup
    (source,) = json.loads(cli(store, "sources", "--format", "json").stdout)
    assert source["path"] == str(path.resolve()) and source["rows_stored"] == 30
    empty = tmp_path / ("empty-" + name)
    empty.write_bytes(b"")
    result = cli(store, "ingest", "gdelt", str(empty))
    assert result.exit_code == 1
    assert f"empty-{name}: the file is empty" in result.stdout  # the reason, below the summary table


# ------------------------------------------------------------------------------ accounting is enforced
def test_provenance_refuses_counts_that_do_not_add_up(tmp_path):
    with pytest.raises(AccountingError, match="do not add up"):
        check_counts(tmp_path / "x.CSV", FileResult(path="x", sha256=None, status="ingested", read=1,
                                                    stored=ROWS, duplicate=1 - ROWS))
    with pytest.raises(AccountingError):
        check_counts(tmp_path / "x.CSV", FileResult(path="x", sha256=None, status="ingested", read=3, stored=1))


# ------------------------------------------------------------------------- every ingest command, garbage
def garbage(tmp_path: Path, kind: str, suffix: str, shared: Path) -> Path:
    path = tmp_path / f"{kind}{suffix}"
    if kind == "garbage":
        path.write_bytes(random.Random(7).randbytes(20_000))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "rda":
        path = tmp_path / "un_votes.rda"
        path.write_bytes((shared / "unvotes/cran-unvotes/un_votes.rda").read_bytes())
    else:  # a gzip stream that ends part-way
        path.write_bytes(gzip.compress(random.Random(8).randbytes(50_000))[:3000])
    return path


COMMANDS = [(["gdelt"], ".export.CSV"), (["timeline"], ".csv"), (["unvotes", "--votes"], ".csv"),
            (["unvotes", "--roll-calls"], ".csv"), (["unvotes", "--issues"], ".csv"), (["unsc", "--table"], ".csv"),
            (["unsc", "--vetoes"], ".csv"), (["docs"], ".txt")]


@pytest.mark.parametrize("kind", ["garbage", "empty", "rda", "cut-gzip"])
@pytest.mark.parametrize("command, suffix", COMMANDS, ids=[" ".join(c) for c, _ in COMMANDS])
def test_every_ingest_command_refuses_bad_files_cleanly(tmp_path, shared_data, command, suffix, kind):
    path = garbage(tmp_path, kind, suffix, shared_data)
    if command == ["unvotes", "--votes"]:  # votes alone are refused up front while the store has no roll calls
        cli(tmp_path / "walk.duckdb", "ingest", "unvotes", "--roll-calls",
            str(shared_data / "unvotes/cran-unvotes/roll_calls.csv"))
    result = cli(tmp_path / "walk.duckdb", "ingest", *command, str(path), "--json")
    assert result.exit_code in (0, 1), result.output
    files = json.loads(result.stdout)["files"]
    mine = [f for f in files if f["path"] == str(path.resolve()) or f["path"] == str(path)]
    assert len(mine) == 1, files
    row = mine[0]
    if row["status"] == "error":
        assert result.exit_code == 1 and path.name in row["message"]
    else:  # some loaders may take a line or two of garbage as rejects; the counts must still add up
        assert row["read"] == row["stored"] + row["rejected"] + row["duplicate"] and row["stored"] == 0


def test_one_bad_document_does_not_stop_the_others(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("---\ndate: 2025-13-45\nissuers: [CHN]\n---\nChina and Russia met.\n")
    (folder / "b.md").write_text("---\ndate: 2025-01-05\nissuers: [CHN]\n---\nChina and Russia met again.\n")
    (folder / "c.txt").write_bytes(random.Random(3).randbytes(2000))
    result = cli(tmp_path / "docs.duckdb", "ingest", "docs", str(folder), "--json")
    assert result.exit_code == 1
    rows = {Path(f["path"]).name: f for f in json.loads(result.stdout)["files"]}
    assert rows["b.md"]["stored"] == 1
    assert rows["a.md"]["status"] == "error" and "a.md" in rows["a.md"]["message"]
    assert "2025-13-45" in rows["a.md"]["message"] or "month must be in 1..12" in rows["a.md"]["message"]
    assert rows["c.txt"]["status"] == "error" and "c.txt" in rows["c.txt"]["message"]
    table = cli(tmp_path / "docs2.duckdb", "ingest", "docs", str(folder))
    assert "a.md" in table.stdout and "not valid" in table.stdout  # table mode shows the reason


def test_timeline_lines_with_bad_bytes_and_endings_are_rejects(tmp_path):
    from weaklink.ingest.timeline import bundled_files

    lines = bundled_files()[0].read_bytes().replace(b"\r\n", b"\n").split(b"\n")
    lines[3] = lines[3].replace(b",", b",\xff", 1)                 # line 4: not UTF-8
    lines[5] = lines[5].replace(b"-", b"\r", 1)                    # line 6: a CR inside a field
    body = b"\r\n".join(lines[:12]) + b"\r\n"                      # CRLF line ends
    path = tmp_path / "t[1].csv"
    path.write_bytes(body)
    store = tmp_path / "tl.duckdb"
    result = cli(store, "ingest", "timeline", str(path), "--json")
    (row,) = json.loads(result.stdout)["files"]
    assert (row["read"], row["stored"], row["rejected"]) == (11, 9, 2), row
    rejects = {r["line"]: r["reason"] for r in json.loads(cli(store, "rejects", "--format", "json").stdout)}
    assert "UTF-8" in rejects[4] and "carriage return" in rejects[6]


# ---------------------------------------------------------------------------------------- watch files
def _watch(text: str) -> str:
    from weaklink.watch import bundled_text

    base = bundled_text()
    key = text.split(" = ")[0]
    start = base.index(f"\n{key} = ") + 1
    return base[:start] + text + base[base.index("\n", start):]


@pytest.mark.parametrize("content, words", [
    (_watch("window_days = 1000000000"), "cohesion.window_days"),
    (_watch("seed = -1"), "cohesion.seed"),
    (_watch("weights = { events = nan, exchanges = 1.0, votes = 1.0, rhetoric = 1.0 }"), "finite"),
    (_watch("weights = { events = inf, exchanges = 1.0, votes = 1.0, rhetoric = 1.0 }"), "finite"),
    (_watch("level = nan"), "cohesion.level"),
    (b"\x00\xff\xfe" + bytes(range(256)) * 10, "not UTF-8"),
    ("a = " + "[" * 50_000 + "]" * 50_000, "nested too deeply"),
])
def test_bad_watch_files_are_errors_naming_the_file(tmp_path, content, words):
    watch = tmp_path / "my[watch].toml"
    watch.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = cli(tmp_path / "w.duckdb", "--watch", str(watch), "sources")
    assert result.exit_code == 1
    flat = result.stderr.replace("\n", "")
    assert "my[watch].toml" in flat and words in flat, flat


# ------------------------------------------------------------------- the line rewriter, against a model
def _model(data: bytes, max_line: int) -> tuple[bytes, int, list[int], list[int]]:
    """What `normalise` must give, line by line in plain Python: output, lines, blank lines, rejected lines."""
    sep = b"\r" if b"\r" in data and b"\n" not in data else b"\n"
    parts = data.split(sep)
    parts = parts[:-1] if parts and parts[-1] == b"" else parts
    out, blank, rejected = [], [], []
    for number, part in enumerate(parts, 1):
        text = part[:-1] if sep == b"\n" and part.endswith(b"\r") else part
        if len(part) > max_line or b"\r" in text:
            rejected.append(number)
            text = b""
        elif not text:
            blank.append(number)
        out.append(text + b"\n")
    return b"".join(out), len(parts), blank, rejected


def test_line_rewriter_matches_a_line_by_line_model(monkeypatch):
    import io

    from weaklink.sources import lines

    rng = random.Random(11)
    for _ in range(600):
        monkeypatch.setattr(lines, "CHUNK", rng.choice([1, 2, 3, 5, 8]))
        monkeypatch.setattr(lines, "MAX_LINE", lines.CHUNK * rng.choice([1, 2, 4]))
        alphabet = rng.choice([b"ab\n", b"ab\r\n", b"a\r", b"abc\n\r\t"])
        data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(60)))
        shape = lines.shape_of(io.BytesIO(data))
        out = io.BytesIO()
        got = lines.normalise(io.BytesIO(data), out, shape)
        expected = _model(data, lines.MAX_LINE)
        assert (out.getvalue(), got.lines, got.blank_lines, [r[0] for r in got.rejects]) == expected, data
        if shape.clean:  # a file sent to the reader as it is must need no rewriting
            assert out.getvalue() == data + (b"\n" if data and not data.endswith(b"\n") else b"")
