"""Directed rhetoric series, framing trends, keyword in context and full-text search (docs/rhetoric.md).

The historical checks run on real UN General Debate speeches from ../shared/data/ungdc (skipped when absent).
A series reads only its issuer's documents, so the session store holds the speeches of the six watched states
(371 of the corpus's 10,951) read straight from the published archive: the series are the ones the full corpus
gives (benchmarks/ungdc_analysis.py runs the whole corpus), at a fraction of the tests' time budget.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import weaklink
from weaklink.errors import InvalidArgument, StoreError
from weaklink.sources import ungdc as ungdc_source
from weaklink.text import analysis, stats

DOCS = Path(__file__).parent / "text_docs"
WATCHED = {"CHN", "RUS", "USA", "PRK", "KOR", "JPN"}
SPEECH = re.compile(r"/([A-Z]{2,3})_(\d+)_(\d{4})\.txt$")


def load_speeches(wl, archive: Path, issuers: set[str]) -> int:
    """The issuers' speeches from the .tgz as documents (BOM and CRLF removed), dated 15 September."""
    columns: dict[str, list] = {k: [] for k in ("path", "sha256", "fingerprint", "date", "issuers", "title", "text",
                                                "predecessor")}
    with tarfile.open(archive) as tar:
        for member in tar:
            found = SPEECH.search(member.name)
            if not member.isfile() or not found or found.group(1) not in issuers:
                continue
            text = tar.extractfile(member).read().decode("utf-8-sig").replace("\r\n", "\n")
            code, session, year = found.groups()
            for key, value in (("path", member.name), ("sha256", member.name), ("fingerprint", member.name),
                               ("date", date(int(year), 9, 15)), ("issuers", [code]),
                               ("title", f"{code} at session {session}"), ("text", text),
                               ("predecessor", ungdc_source.predecessor(code, date(int(year), 9, 15)))):
                columns[key].append(value)
    wl.store.con.register("speeches", pa.table(columns))
    wl.store.con.execute("""INSERT INTO documents (path, sha256, fingerprint, date, issuers, title, kind, language,
                            text, predecessor) SELECT path, sha256, fingerprint, date, issuers, title, 'unga_speech',
                            'en', text, predecessor FROM speeches""")
    wl.store.con.unregister("speeches")
    return len(columns["text"])


@pytest.fixture(scope="session")
def ungdc(shared_data, tmp_path_factory):
    archive = shared_data / "ungdc" / "UNGDC_1946-2024.tgz"
    if not archive.exists():
        pytest.skip(f"the UN General Debate Corpus is not at {archive}")
    api = weaklink.connect(f"duckdb:///{tmp_path_factory.mktemp('ungdc') / 'store.duckdb'}")
    assert load_speeches(api, archive, WATCHED) == 371  # CHN 78, RUS 78, USA 79, JPN 68, KOR 34, PRK 34
    summary = api._after_documents_ingest()
    assert summary.computed == summary.indexed == 371
    yield api
    api.close()


def pooled(wl, issuer: str, target: str, first: int, last: int) -> tuple[float | None, int, int]:
    """Net warmth over all the issuer's sentences naming the target in the years first..last (pooled)."""
    rows = [r for r in wl.rhetoric_series(issuer, target).to_records() if first <= r["period"].year <= last]
    warm, hostile = sum(r["sentences_warm"] for r in rows), sum(r["sentences_hostile"] for r in rows)
    return ((warm - hostile) / (warm + hostile) if warm + hostile else None), warm, hostile


def doc_id(wl, title: str) -> int:
    return wl.store.con.execute("SELECT doc_id FROM documents WHERE title = ?", [title]).fetchall()[0][0]


def actor_stats(wl, ref: int) -> dict[str, tuple[int, int]]:
    rows = wl.store.con.execute("SELECT actor, names, mentions FROM doc_actor_stats WHERE doc_id = ?", [ref])
    return {actor: (names, total) for actor, names, total in rows.fetchall()}


def test_hand_counted_mentions_in_real_speeches(ungdc):
    # Counted with `grep -o` on the unpacked files, each context read to drop non-mentions.
    # PRK_73_2018 (Ri Yong Ho, 2018): "United States" 28 times, "American" once -> USA 28 names, 29 in all.
    assert actor_stats(ungdc, doc_id(ungdc, "PRK at session 73"))["USA"] == (28, 29)
    # RUS_46_1991 (the USSR, 1991): names "Soviet Union" 4, "USSR" 6, "Russia" 1, "Union of Soviet Socialist
    # Republics" 1 = 12; demonyms "Soviet" 4 (President, Republics, Soviet-United States, foreign policy) and
    # "Russian" 2 = 6; metonyms "Moscow" 3 -> 21. USA: "United States" 3 (one in "Soviet-United States");
    # "Latin America" is not the United States.
    found = actor_stats(ungdc, doc_id(ungdc, "RUS at session 46"))
    assert found["RUS"] == (12, 21) and found["USA"] == (3, 3)
    # CHN_37_1982 (Huang Hua, 1982): "China" 21, "Chinese" 9; "Soviet Union" 3 and "Soviet" 2;
    # "United States" 2 ("Latin America", "Latin American" are left out).
    found = actor_stats(ungdc, doc_id(ungdc, "CHN at session 37"))
    assert found["CHN"] == (21, 30) and found["RUS"] == (3, 5) and found["USA"] == (2, 2)


def test_statistics_equal_the_per_sentence_warmth(ungdc):
    """The one-pass statistics give the warm and hostile words of `analysis.warmth`, sentence by sentence."""
    lex = analysis.lexicons(ungdc.watch)
    for title in ("PRK at session 73", "RUS at session 46", "CHN at session 37", "USA at session 43"):
        text = ungdc.document(doc_id(ungdc, title))["text"]
        out = stats.batch_stats([1], [text], lex)
        mine = {a: (w, h) for a, w, h in zip(out.actors["actor"], out.actors["warm_terms"],
                                             out.actors["hostile_terms"])}
        assert {a: (v["warm"], v["hostile"]) for a, v in analysis.warmth(text, lex, [], []).items()} == mine
        assert out.docs["sentences"][0] == len(analysis.sentences(text))
        assert out.docs["words"][0] == len(text.split())


def test_sino_soviet_split_then_normalisation(ungdc):
    # The People's Republic holds China's seat from 25 October 1971 (GA resolution 2758); its speeches of the
    # 1970s-80s attack "Soviet social-imperialism" and hegemonism (the Sino-Soviet split, border war of 1969),
    # until Gorbachev's visit to Beijing normalised relations in May 1989 (Lüthi, The Sino-Soviet Split, 2008;
    # Office of the Historian, US Dept of State, "The Sino-Soviet Split"). Before 1971 the seat was the
    # Republic of China's, so that span is left out.
    split, _, hostile = pooled(ungdc, "CHN", "RUS", 1972, 1988)
    after, warm_after, _ = pooled(ungdc, "CHN", "RUS", 1989, 2024)
    assert hostile >= 20 and split < -0.3
    assert warm_after >= 3 and after > 0.5


def test_soviet_american_cold_war_then_thaw(ungdc):
    # The USSR's speeches name the United States mostly in hostile sentences through the Cold War; under
    # Gorbachev and in the first Yeltsin years (Malta 1989, START 1991, the "new thinking") they turn warm
    # (Garthoff, The Great Transition, 1994; Office of the Historian, "The End of the Cold War").
    cold, _, hostile = pooled(ungdc, "RUS", "USA", 1946, 1985)
    thaw, warm, _ = pooled(ungdc, "RUS", "USA", 1986, 1995)
    assert hostile >= 100 and cold < -0.25
    assert warm >= 5 and thaw > 0.3 and thaw - cold > 0.6


def test_dprk_hostility_to_the_united_states_and_the_2018_summit(ungdc):
    # Pyongyang's speeches denounce the United States through the nuclear crises (2002 "axis of evil" to the
    # 2017 "fire and fury" exchange); in 2018, after the Singapore summit of 12 June, Ri Yong Ho spoke of
    # building trust with the United States (UN press release GA/12069, 29 September 2018).
    crisis, _, hostile = pooled(ungdc, "PRK", "USA", 2003, 2017)
    summit, *_ = pooled(ungdc, "PRK", "USA", 2018, 2018)
    assert hostile >= 50 and crisis < -0.6
    assert summit is not None and summit > crisis + 0.5
    # The direction matters: the same years seen from Washington are another series.
    back = ungdc.rhetoric_series("USA", "PRK", since="2003-01-01", until="2017-12-31").to_records()
    assert sum(r["mentions"] for r in back) > 0


def test_series_nulls_say_why(ungdc):
    rows = ungdc.rhetoric_series("PRK", "USA", since="1989-01-01", until="1992-12-31").to_records()
    assert [r["period"].year for r in rows] == [1989, 1990, 1991, 1992]
    assert rows[0]["value"] is None and rows[0]["documents"] == 0 and "no document by PRK" in rows[0]["reason"]
    assert rows[2]["documents"] == 1 and rows[2]["value"] is not None and rows[2]["reason"] is None
    never = ungdc.rhetoric_series("JPN", "SRB", measure="mentions", since="1960-01-01", until="1960-12-31")
    row = never.to_records()[0]
    assert row["value"] is None and row["documents"] == 1 and "never name SRB" in row["reason"]
    rate = ungdc.rhetoric_series("PRK", "USA", measure="mentions", since="2018-01-01", until="2018-12-31")
    row = rate.to_records()[0]
    assert row["value"] == pytest.approx(row["mentions"] * 10_000 / row["words"], abs=1e-3)
    with pytest.raises(InvalidArgument, match="lexicon"):
        ungdc.rhetoric_series("CHN", "VNM")


def test_series_say_when_a_former_state_held_the_seat(ungdc):
    # China's seat was the Republic of China's until GA resolution 2758 (25 October 1971); the corpus files
    # the USSR's speeches as RUS until the Soviet Union ended (December 1991).
    rows = {r["period"].year: r["given_by"] for r in ungdc.rhetoric_series("CHN", "RUS", since="1969-01-01",
                                                                           until="1972-12-31").to_records()}
    assert rows[1969] == rows[1971] == "the Republic of China (TWN)" and rows[1972] is None
    rows = {r["period"].year: r["given_by"] for r in ungdc.rhetoric_series("RUS", "USA", since="1990-01-01",
                                                                           until="1993-12-31").to_records()}
    assert rows[1990] == rows[1991] == "the USSR (SUN)" and rows[1992] is None and rows[1993] is None


def test_framing_trends_and_keyword_in_context(ungdc):
    trends = ungdc.term_trends(issuer="CHN", freq="year").to_pylist()
    # "Hegemonism" is the People's Republic's word (against both superpowers from the 1970s): it never occurs
    # in the Republic of China's speeches of 1946-1971; "multipolar world" is later still.
    for term, at_least in (("hegemonism", 100), ("multipolar_world", 10)):
        years = {r["period"].year: r["count"] for r in trends if r["term"] == term}
        assert min(years) >= 1972 and sum(years.values()) >= at_least
    assert all(r["documents_using"] <= r["documents"] for r in trends)
    lines = ungdc.kwic("social-imperialism", issuer="CHN", width=30, limit=500).to_pylist()
    years = {r["date"].year for r in lines}
    assert lines and min(years) >= 1972 and max(years) < 1990
    assert all(re.fullmatch(r"social\W+imperialism", r["match"], re.IGNORECASE) and len(r["left"]) <= 30 for r in lines)


def test_full_text_search_ranks_phrases_with_filters(ungdc):
    hits = ungdc.search('"social-imperialism"', issuer="CHN", limit=50)
    assert hits and all(h["issuers"] == ["CHN"] and 1972 <= int(h["date"][:4]) < 1990 for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert all(h["context"] and "imperialism" in h["context"][0]["match"].lower() for h in hits)
    later = ungdc.search("denuclearization", issuer="PRK", since="2018-01-01", until="2018-12-31")
    assert [h["date"] for h in later] == ["2018-09-15"]
    for bad in ('security AND (', '"unclosed', "issuer:", "text:[a TO"):
        with pytest.raises(InvalidArgument, match="cannot read the search query"):
            ungdc.search(bad)


def test_lexicon_change_recomputes_and_read_only_stores_keep_working(tmp_path):
    url = f"duckdb:///{tmp_path / 'docs.duckdb'}"
    with weaklink.connect(url) as wl:
        wl.ingest_docs([DOCS])
        first = wl.store.con.execute("SELECT sum(sentences_warm) FROM doc_actor_stats").fetchall()[0][0]
        assert (tmp_path / "docs.duckdb.text-index" / "indexed.json").exists()
    changed = weaklink.connect(url)
    changed.watch.tone.warm = [w for w in changed.watch.tone.warm if w not in ("friend*", "partnership")]
    changed.close()
    with weaklink.connect(url, watch=changed.watch, read_only=True) as ro:
        ro.rhetoric_series("CHN", "RUS")  # stale statistics: recomputed for the session, in temporary tables
        lowered = ro.store.con.execute("SELECT sum(sentences_warm) FROM doc_actor_stats").fetchall()[0][0]
        assert lowered < first
        assert ro.search('"strategic partnership"')  # the index needs no recompute for a lexicon change
    with weaklink.connect(url, read_only=True) as ro:  # the stored statistics were left as they were
        assert ro.store.con.execute("SELECT sum(sentences_warm) FROM doc_actor_stats").fetchall()[0][0] == first
    (tmp_path / "docs.duckdb.text-index" / "indexed.json").unlink()
    with weaklink.connect(url, read_only=True) as ro, pytest.raises(StoreError, match="weaklink text reindex"):
        ro.search("partnership")
    with weaklink.connect(url) as wl:
        summary = wl.reindex()
        assert summary.computed == summary.indexed == summary.documents == 9
        assert len(wl.search("partnership", limit=20)) >= 3


def test_rhetoric_component_is_directed(wl, tmp_path):
    """A member warm toward another that answers coldly: i→j and j→i differ, the tie uses their mean."""
    for name, issuer, text in (("a", "CHN", "China values its friendship and cooperation with Russia."),
                               ("b", "RUS", "Russia condemns the threats and provocations of China.")):
        path = tmp_path / f"{name}.md"
        path.write_text(f"---\ndate: 2024-03-0{1 + (name == 'b')}\nissuers: [{issuer}]\n---\n{text}\n",
                        encoding="utf-8")
        wl.ingest_docs([path])
    data = wl.weakest("axis", since="2024-01-01", until="2024-12-31")
    dyad = next(d for d in data["components"] if d["dyad"] in ("CHN-RUS", "RUS-CHN"))
    assert dyad["rhetoric_directed"] == {"CHN→RUS": 1.0, "RUS→CHN": 0.0}
    assert dyad["rhetoric"] == 0.5
    pairs = {tuple(sorted(d["dyad"].split("-"))): d for d in data["components"]}
    assert pairs[("CHN", "PRK")]["rhetoric"] is None


def test_cli_series_both_directions_kwic_and_search(tmp_path):
    store = tmp_path / "cli.duckdb"

    def run(*args):
        proc = subprocess.run([sys.executable, "-m", "weaklink", "--store", str(store), *args],
                              capture_output=True, text=True, timeout=300, check=False)
        return proc

    assert run("ingest", "docs", str(DOCS)).returncode == 0
    rows = json.loads(run("text", "series", "PRK", "RUS", "--format", "json").stdout)
    assert rows[-1]["period"] == "2024-01-01" and rows[-1]["documents"] == 2 and rows[-1]["value"] is not None
    both = run("text", "series", "PRK", "RUS", "--both", "--format", "csv").stdout.splitlines()
    assert both[0].split(",")[:5] == ["period", "PRK→RUS", "PRK→RUS documents", "PRK→RUS mentions", "RUS→PRK"]
    lines = json.loads(run("text", "kwic", "strategic partnership", "--width", "20", "--format", "json").stdout)
    assert lines and all(re.fullmatch(r"strategic\W+partnership", r["match"], re.IGNORECASE) for r in lines)
    found = run("text", "search", '"strategic partnership"', "--format", "json")
    assert found.returncode == 0 and json.loads(found.stdout)[0]["context"]
    bad = run("text", "search", "a AND (")
    assert bad.returncode != 0 and "cannot read the search query" in bad.stderr and "Traceback" not in bad.stderr


def test_sentence_layout_on_edge_cases():
    for text in ("", "   ", "Hello.", "\n\nA. B.\n", "The U.S. and Mr. Smith met. Then D.P.R.K. spoke!\n\n\nNew",
                 "中国。好的。 test", "a.\u00a0b", "e.g. this. i.e. that", "x.  \n  \n y",
                 # periods the NumPy pre-check rules out or hands to the regex: short and long words, non-ASCII
                 "Mr. A. No. 5 etc. and Col. X. Gen. Y. Lt. Z. St. Paul. Jr. Sr. vs. it. Ms. Dr. Mrs. End.",
                 "U.S. is. Gens. go. Rés. café. ÉU.S. a, OK. S.A. Ab1. 1234. Ünos. Ok.\tNext. A.B.C. done."):
        shape = stats.layout(text)
        spans = analysis.sentences(text)
        assert shape.sentences == len(spans) and shape.words == len(text.split())
        where = np.searchsorted(shape.starts, [s for s, _, _ in spans], side="right") - 1
        assert len(set(where.tolist())) == len(spans)
