"""The UN General Debate Corpus (UNGDC) on the real published archive: ../shared/data/ungdc (PROVENANCE.md §6).

The full corpus is ingested once per module (store-level ingest; the API's text-statistics pass after it is
the rhetoric tests' business). Counts below were read from the archive listing (`tar tzf`), not from weaklink.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from datetime import date
from pathlib import Path

import pytest

from weaklink.errors import SourceFileError
from weaklink.ingest.ungdc import ingest_corpus
from weaklink.project import demo_speeches
from weaklink.sources import ungdc
from weaklink.text.extract import text_fingerprint

WATCHED_COUNTS = {"CHN": 78, "RUS": 78, "USA": 79, "JPN": 68, "KOR": 34, "PRK": 34}
# PROVENANCE.md says 10,951 speeches, but the archive holds 10,952 files named ISO3_SESSION_YEAR.txt (`tar tzf |
# grep -c '/Session [0-9]* - [0-9]*/[A-Z]*_[0-9]*_[0-9]*\.txt$'`): the junk `.DS_Store-to-UTF-8.txt` is a dot file
# that a plain `ls` count of 10,952 .txt files did not include, so 10,952 + 1 junk, not 10,951 + 1.
SPEECHES = 10_952
# Files that are not speeches: the junk, four R history files left in session folders, and the corpus README.
NOT_SPEECHES = {
    "ungdc/TXT/Session 47 - 1992/.DS_Store-to-UTF-8.txt": "binary content",
    "ungdc/TXT/Session 35 - 1980/.Rhistory": "does not match ISO3_SESSION_YEAR.txt",
    "ungdc/TXT/Session 46 - 1991/.Rhistory": "does not match ISO3_SESSION_YEAR.txt",
    "ungdc/TXT/Session 37 - 1982/.Rapp.history": "does not match ISO3_SESSION_YEAR.txt",
    "ungdc/TXT/Session 68 - 2013/.Rapp.history": "does not match ISO3_SESSION_YEAR.txt",
    "ungdc/README.txt": "the corpus README",
}
# Speeches per session folder, from the listing (`tar tzf ... | grep -c 'Session 01 - 1946/[A-Z]'`).
PER_SESSION = {1: 39, 47: 167, 70: 193, 79: 192}


@pytest.fixture(scope="module")
def archive(shared_data) -> Path:
    path = shared_data / "ungdc" / "UNGDC_1946-2024.tgz"
    if not path.is_file():
        pytest.skip(f"the UNGDC archive is not at {path} (PROVENANCE.md section 6)")
    return path


@pytest.fixture(scope="module")
def corpus(archive, tmp_path_factory):
    """A store holding the whole corpus, and the summary of that one ingest."""
    import weaklink

    api = weaklink.connect("duckdb:///:memory:")  # in memory: no checkpoint of 200 MB of text at close
    summary = ingest_corpus(api.store, archive)
    yield api, summary
    api.close()


def rows(api, sql: str, params=()) -> list[tuple]:
    return api.store.con.execute(sql, list(params)).fetchall()


def speech(api, issuer: str, session: int) -> dict:
    found = rows(api, """SELECT path, date, title, text, sha256, fingerprint, speaker, speaker_post, predecessor
                         FROM documents WHERE kind = 'unga_speech' AND issuers = [?] AND session = ?""",
                 [issuer, session])
    assert len(found) == 1
    keys = ["path", "date", "title", "text", "sha256", "fingerprint", "speaker", "post", "predecessor"]
    return dict(zip(keys, found[0]))


def member_bytes(archive: Path, *names: str) -> dict[str, bytes]:
    """The bytes of the named members, read with tarfile directly (not through weaklink)."""
    found = {}
    with tarfile.open(archive, "r|gz") as source:
        for info in source:
            if info.name in names:
                found[info.name] = source.extractfile(info).read()
                if len(found) == len(names):
                    return found
    raise AssertionError(f"{set(names) - found.keys()} not in the archive")


def test_every_file_is_accounted_for(corpus):
    api, summary = corpus
    totals = summary.totals
    assert summary.ok and totals.errors == 0
    assert totals.read == SPEECHES + len(NOT_SPEECHES) + 1  # + the speakers file
    assert (totals.stored, totals.rejected, totals.duplicate) == (SPEECHES + 1, len(NOT_SPEECHES), 0)
    assert rows(api, "SELECT count(*) FROM documents WHERE kind = 'unga_speech'")[0][0] == SPEECHES
    rejected = dict(rows(api, "SELECT path, reason FROM rejects WHERE line = 0"))
    assert rejected.keys() == NOT_SPEECHES.keys()
    for member, reason in NOT_SPEECHES.items():
        assert reason in rejected[member]
    assert "00 00 00 01 42 75 64 31" in rejected["ungdc/TXT/Session 47 - 1992/.DS_Store-to-UTF-8.txt"]
    archive_row = rows(api, "SELECT rows_read, rows_stored, rows_rejected, rows_duplicate, size_bytes FROM provenance "
                            "WHERE format = 'ungdc'")
    assert archive_row == [(totals.read, totals.stored, totals.rejected, 0, 67_148_869)]


def test_counts_per_watched_state_and_session(corpus):
    api, _ = corpus
    counts = dict(rows(api, "SELECT issuers[1], count(*) FROM documents WHERE kind = 'unga_speech' GROUP BY 1"))
    assert {code: counts.get(code) for code in WATCHED_COUNTS} == WATCHED_COUNTS
    assert counts["EU"] == 14  # the European Union speaks as EU from 2011 (sessions 66-79)
    per_session = dict(rows(api, "SELECT session, count(*) FROM documents WHERE kind = 'unga_speech' GROUP BY 1"))
    assert {s: per_session[s] for s in PER_SESSION} == PER_SESSION
    assert len(per_session) == 79
    # Each speech is dated by the convention in docs/ungdc.md, and the two Koreas speak from 1991 (session 46).
    assert rows(api, "SELECT min(date), max(date) FROM documents WHERE issuers = ['PRK']") == [
        (date(1991, 9, 15), date(2024, 9, 15))]
    assert speech(api, "USA", 1)["date"] == date(1946, 10, 23)


def test_speaker_and_post_from_the_speakers_file(corpus):
    api, _ = corpus
    # Speakers_by_session.xlsx, Sheet1 row 3: 2024 | 79 | USA | United States of America | Joseph R. Biden | President
    usa = speech(api, "USA", 79)
    assert (usa["speaker"], usa["post"]) == ("Joseph R. Biden", "President")
    assert usa["title"] == "General Debate, 79th session (2024): United States"
    # Row for 1992 | 47 | RUS | Russian Federation | Mr. KOZYREV | (empty Post): the post is null, not "".
    assert (speech(api, "RUS", 47)["speaker"], speech(api, "RUS", 47)["post"]) == ("Mr. KOZYREV", None)
    # Two rows for 1959 | 14 | RUS (Mr. Nikita S. KHRUSHCHEV, Chairman of the Council of Ministers; Mr. Kuznetsov, no
    # post): both names kept, in file order.
    assert speech(api, "RUS", 14)["speaker"] == "Mr. Nikita S. KHRUSHCHEV; Mr. Kuznetsov"
    assert speech(api, "RUS", 14)["post"] == "Chairman of the Council of Ministers"
    # The row without an ISO code ("Leage of Arab States", 1987) and rows whose code matches no file are rejected.
    reasons = dict(rows(api, "SELECT line, reason FROM rejects WHERE path LIKE '%Speakers_by_session.xlsx'"))
    assert reasons[6981] == "no ISO Code: the row names no speech"
    assert reasons[61] == "no speech of DMA in session 79 is stored"
    speakers = rows(api, "SELECT rows_read, rows_stored, rows_rejected FROM provenance WHERE format = 'ungdc-speakers'")
    assert speakers == [(10_944, 10_944 - len(reasons), len(reasons))]


def test_former_states_and_seat_holders_are_named(corpus):
    api, _ = corpus
    ussr = speech(api, "RUS", 15)  # 1960, Khrushchev
    assert ussr["predecessor"] == "the USSR (SUN)" and ussr["title"].endswith("(1960): USSR")
    assert speech(api, "RUS", 46)["predecessor"] == "the USSR (SUN)"  # September 1991, before the dissolution
    assert speech(api, "RUS", 47)["predecessor"] is None
    roc = speech(api, "CHN", 26)  # September 1971: Mr. CHOW of the Republic of China, before resolution 2758
    assert roc["predecessor"] == "the Republic of China (TWN)" and roc["speaker"] == "Mr. CHOW"
    assert speech(api, "CHN", 27)["predecessor"] is None
    assert speech(api, "CSK", 40)["title"].endswith("(1985): Czechoslovakia")


def test_bom_and_line_ends_are_normalised(corpus):
    api, _ = corpus
    # Real files, checked against the sha256 of the file as published (stored in `sha256`): PRK_51_1996.txt starts
    # with a UTF-8 BOM; PRK_46_1991.txt has a BOM and CR line ends only (43 CRs, no LF); USA_20_1965.txt ends its lines
    # with LF CR ("\n\r"; "\n\r\n\r" between paragraphs, which becomes a blank line).
    with_bom, cr_only, lf_cr = speech(api, "PRK", 51), speech(api, "PRK", 46), speech(api, "USA", 20)
    assert not with_bom["text"].startswith("\ufeff")
    assert hashlib.sha256(b"\xef\xbb\xbf" + with_bom["text"].encode()).hexdigest() == with_bom["sha256"]
    assert cr_only["text"].count("\n") == 43
    assert hashlib.sha256(b"\xef\xbb\xbf" + cr_only["text"].replace("\n", "\r").encode()).hexdigest() == cr_only["sha256"]
    assert hashlib.sha256(lf_cr["text"].replace("\n", "\n\r").encode()).hexdigest() == lf_cr["sha256"]
    assert rows(api, "SELECT count(*) FROM documents WHERE contains(text, chr(13)) OR starts_with(text, chr(65279))") \
        == [(0,)]


def test_fingerprint_is_the_document_fingerprint(corpus):
    api, _ = corpus
    found = rows(api, "SELECT text, fingerprint FROM documents WHERE issuers[1] IN ('CHN', 'PRK', 'RUS', 'KOR') "
                      "OR session = 79")
    assert len(found) > 400
    assert all(text_fingerprint(text) == fp for text, fp in found)


def test_reingest_is_a_no_op(corpus, archive):
    api, _ = corpus
    before = rows(api, "SELECT count(*), max(doc_id) FROM documents")
    again = ingest_corpus(api.store, archive)
    assert [f.status for f in again.files] == ["skipped"] and again.totals.stored == 0
    assert rows(api, "SELECT count(*), max(doc_id) FROM documents") == before


def test_force_reads_again_and_stores_nothing_new(wl):
    first = ingest_corpus(wl.store, demo_speeches())
    before = [rows(wl, f"SELECT count(*) FROM {t}") for t in ("documents", "provenance", "rejects")]
    forced = ingest_corpus(wl.store, demo_speeches(), force=True)
    assert first.totals.stored == 151 and forced.totals.read == first.totals.read
    assert (forced.totals.stored, forced.totals.duplicate) == (1, 150)  # the speakers file is applied again
    assert [rows(wl, f"SELECT count(*) FROM {t}") for t in ("documents", "provenance", "rejects")] == before


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_a_damaged_archive_is_refused_and_leaves_the_store_unchanged(wl, archive, tmp_path, damage):
    ingest_corpus(wl.store, demo_speeches())
    tables = ("documents", "provenance", "rejects")
    before = [rows(wl, f"SELECT count(*) FROM {t}") for t in tables]
    if damage == "truncated":  # the published archive cut after 4 MB
        data = archive.read_bytes()[: 4_000_000]
    else:  # the bundled extract (built from the archive) with 64 bytes zeroed in the middle
        data = bytearray(demo_speeches().read_bytes())
        data[400_000: 400_064] = bytes(64)
    bad = tmp_path / "UNGDC_damaged.tgz"
    bad.write_bytes(bytes(data))
    summary = wl.ingest_ungdc(bad)
    assert not summary.ok
    message = summary.files[0].message
    assert str(bad) in message and "nothing from this archive was stored" in message
    assert "truncated" in message or "not a readable .tgz" in message
    assert [rows(wl, f"SELECT count(*) FROM {t}") for t in tables] == before


def test_the_demo_extract_reads_like_the_archive_and_as_a_folder(wl, tmp_path):
    extract = demo_speeches()
    assert extract.stat().st_size < 2_000_000
    summary = wl.ingest_ungdc(extract)
    assert summary.ok and summary.totals.stored == 150 + 1  # 6 states x 25 years, + the speakers file
    assert rows(wl, "SELECT issuers[1], count(*) FROM documents GROUP BY 1 ORDER BY 1") == [
        (code, 25) for code in sorted(WATCHED_COUNTS)]
    # the speakers rows come as a small CSV; the 2024 PRK row reads "North Korea " | Song Kim | Permanent Representative
    assert speech(wl, "PRK", 79)["speaker"] == "Song Kim" and speech(wl, "PRK", 79)["post"] == "Permanent Representative"
    with tarfile.open(extract, "r:gz") as packed:
        packed.extractall(tmp_path / "unpacked", filter="data")
    folder = wl.ingest_ungdc(tmp_path / "unpacked" / "ungdc")
    assert folder.ok and folder.totals.duplicate == 150 and folder.totals.stored == 1
    assert rows(wl, "SELECT count(*) FROM documents") == [(150,)]


STATS_SQL = {"doc_text_stats": "SELECT * FROM doc_text_stats ORDER BY doc_id",
             "doc_actor_stats": "SELECT * FROM doc_actor_stats ORDER BY doc_id, actor",
             "doc_term_stats": "SELECT * FROM doc_term_stats ORDER BY doc_id, term_group, term"}


@pytest.mark.parametrize("input_bytes", [0, 10**9], ids=["one process", "worker pool"])
def test_statistics_and_index_are_built_in_the_ingest_pass(wl, input_bytes):
    """The speeches' statistics and index come from the texts in memory while the ingest stores them (one
    pass), in one process or in the worker pool, and equal what a full recomputation from the store gives."""
    from weaklink.text.corpus import IngestAnalysis

    with IngestAnalysis(wl.store, wl.watch, wl._text_index(), input_bytes) as sink:
        assert ingest_corpus(wl.store, demo_speeches(), sink=sink).totals.stored == 151
    assert (sink.workers > 1) == (input_bytes > 0) or (os.cpu_count() or 1) < 2
    assert rows(wl, "SELECT count(*) FROM documents ANTI JOIN doc_text_stats USING (doc_id)") == [(0,)]
    assert wl._text_index().listing() == {d for (d,) in rows(wl, "SELECT doc_id FROM documents")}
    in_pass = {name: rows(wl, sql) for name, sql in STATS_SQL.items()}
    assert len(in_pass["doc_text_stats"]) == 150 and in_pass["doc_actor_stats"] and in_pass["doc_term_stats"]
    found = [h.doc_id for h in wl._text_index().search('"Korean peninsula"', limit=10)]
    assert len(found) == 10
    refreshed = wl.reindex(force=True)
    assert refreshed.computed == refreshed.indexed == 150
    assert {name: rows(wl, sql) for name, sql in STATS_SQL.items()} == in_pass
    assert [h.doc_id for h in wl._text_index().search('"Korean peninsula"', limit=10)] == found


def test_the_source_rejects_names_sessions_and_bytes_that_are_not_speeches(archive):
    name = "ungdc/TXT/Session 79 - 2024/PRK_79_2024.txt"
    text = member_bytes(archive, name)[name]
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w:gz") as out:
        for name, data in [("c/TXT/Session 79 - 2024/PRK_79_2024.txt", text),
                           ("c/TXT/Session 79 - 2024/PRK_78_2023.txt", text),  # disagrees with its folder
                           ("c/TXT/Session 78 - 2024/PRK_78_2024.txt", text),  # session 78 was held in 2023
                           ("c/TXT/Session 79 - 2024/prk-2024.txt", text),
                           ("c/TXT/Session 79 - 2024/KOR_79_2024.txt", text[:100] + b"\xff\xfe" + text[100:])]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"ungdc-source-test-{os.getpid()}.tgz"
    path.write_bytes(packed.getvalue())
    try:
        folders = [i for i in ungdc.read_corpus(path) if isinstance(i, ungdc.SessionFolder)]
    finally:
        path.unlink()
    reasons = {r.member.rsplit("/", 1)[-1]: r.reason for f in folders for r in f.rejects}
    assert [s.member.rsplit("/", 1)[-1] for f in folders for s in f.speeches] == ["PRK_79_2024.txt"]
    assert "disagree with the folder" in reasons["PRK_78_2023.txt"]
    assert reasons["PRK_78_2024.txt"] == "session 78 is held in 2023, not 2024"
    assert "does not match ISO3_SESSION_YEAR.txt" in reasons["prk-2024.txt"]
    assert reasons["KOR_79_2024.txt"].startswith("not UTF-8 text")


def test_speakers_rows_are_trimmed_and_empty_posts_null():
    # The bundled extract carries its rows of Speakers_by_session.xlsx as CSV, values unchanged: the 2024 PRK row
    # reads "North Korea " and the 2024 RUS post "Minister of Foreign Affairs " (trailing spaces).
    with tarfile.open(demo_speeches(), "r:gz") as packed:
        data = packed.extractfile("ungdc/Speakers_by_session.csv").read()
    assert b"North Korea ,Song Kim" in data and b"Sergey Lavrov,Minister of Foreign Affairs \n" in data
    speakers = ungdc.read_speakers("ungdc/Speakers_by_session.csv", data)
    assert len(speakers.rows) == data.count(b"\n") - 1 and not speakers.rejects
    by_key = {(r.session, r.issuer): r for r in speakers.rows}
    assert (by_key[79, "PRK"].country, by_key[79, "PRK"].name) == ("North Korea", "Song Kim")
    assert by_key[79, "RUS"].post == "Minister of Foreign Affairs"
    blanked = ungdc.read_speakers("s.csv", data.replace(b"Lavrov,Minister of Foreign Affairs \n", b"Lavrov, \n", 1))
    assert {(r.session, r.issuer): r for r in blanked.rows}[79, "RUS"].post is None
    with pytest.raises(SourceFileError, match="no column 'ISO Code'"):
        ungdc.read_speakers("speakers.csv", data.replace(b"ISO Code", b"Code", 1))


def test_cli_ingests_the_extract_with_a_json_summary(tmp_path):
    env = {**os.environ, "WEAKLINK_STORE": str(tmp_path / "cli.duckdb")}
    run = [sys.executable, "-m", "weaklink", "ingest", "ungdc", str(demo_speeches()), "--json"]
    first = subprocess.run(run, check=False, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["totals"]["stored"] == 151
