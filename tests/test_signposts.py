"""Signpost rules on constructed data with known outcomes, the bundled signposts, history and ACH."""

from __future__ import annotations

import pytest
from gdelt_lines import gdelt_line, write_lines

from weaklink.errors import WatchFileError
from weaklink.signposts import ach
from weaklink.watch import bundled_text, parse_watch

HEADER = "id,date,end_date,kind,actors,level,cameo_code,quad_class,description,sources,confidence\n"


def timeline(tmp_path, rows: list[str]):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def row(id, date, kind, actors, level="leader", code="040", quad=1, confidence="high"):
    return f"{id},{date},,{kind},{actors},{level},{code},{quad},Something happened.,https://example.org/{id},{confidence}"


def with_signpost(wl, toml: str, min_coverage: float | None = None) -> None:
    text = bundled_text()
    if min_coverage is not None:
        text = text.replace("min_coverage = 0.5", f"min_coverage = {min_coverage}")
    wl.watch = parse_watch(text + "\n" + toml, "test")


def status(wl, signpost_id: str, as_of: str) -> str:
    return next(s for s in wl.signposts(as_of=as_of) if s["id"] == signpost_id)["status"]


EVENT = """[[signposts]]
id = "test-event"
question = "Do all three meet at leader level?"
window_days = 365
rule = { kind = "event", actors_all = ["CHN", "PRK", "RUS"], kinds = ["summit"], level = ["leader"], min_count = 2, emerging = { kind = "event", actors_all = ["CHN", "PRK", "RUS"] } }
"""


def test_event_rule_fires_emerges_or_not(wl, tmp_path):
    wl.ingest_timeline([timeline(tmp_path, [
        row("z", "2022-06-01", "visit", "KOR;USA"),   # the timeline covers 2022-06-01 to 2024-09-02
        row("a", "2024-03-01", "summit", "CHN;PRK;RUS"),
        row("b", "2024-06-01", "other", "RUS;PRK;CHN", level="minister"),
        row("c", "2024-09-01", "summit", "PRK;CHN;RUS"),
        row("d", "2024-09-02", "summit", "CHN;RUS"),
    ])])
    with_signpost(wl, EVENT)
    assert status(wl, "test-event", "2023-12-31") == "not_seen"
    assert status(wl, "test-event", "2024-06-30") == "emerging"   # one leader summit, min 2; any trilateral entry
    board = {s["id"]: s for s in wl.signposts(as_of="2024-12-31")}
    assert board["test-event"]["status"] == "seen"
    assert {e["id"] for e in board["test-event"]["evidence"]} == {"a", "c"}
    assert all(e["sources"].startswith("https://") for e in board["test-event"]["evidence"])


def test_event_rule_on_media_events_by_direction(wl, tmp_path):
    lines = [gdelt_line(i, sqldate="20240510", a1code="CHN", a1country="CHN", a2code="RUS", a2country="RUS",
                        code="072", quad=2, goldstein=7.2) for i in range(1, 4)]
    lines.append(gdelt_line(9, sqldate="20240510", a1code="RUS", a1country="RUS", a2code="CHN", a2country="CHN",
                            code="072", quad=2))
    wl.ingest_gdelt([write_lines(tmp_path / "aid.CSV", lines)])
    with_signpost(wl, """[[signposts]]
id = "test-aid"
question = "Does China send military aid to Russia?"
rule = { kind = "event", datasets = ["gdelt"], source = ["CHN"], target = ["RUS"], cameo_codes = ["072"], min_count = 3 }
""")
    assert status(wl, "test-aid", "2024-12-31") == "seen"
    reverse = """[[signposts]]
id = "test-aid"
question = "Does Russia send military aid to China?"
rule = { kind = "event", datasets = ["gdelt"], source = ["RUS"], target = ["CHN"], cameo_codes = ["072"], min_count = 3 }
"""
    with_signpost(wl, reverse)
    # one file, added on one day (2024-01-15), cannot show an absence over a year
    assert status(wl, "test-aid", "2024-12-31") == "no_data"
    with_signpost(wl, reverse, min_coverage=0.0)
    assert status(wl, "test-aid", "2024-12-31") == "not_seen"


def test_vote_rule(wl):
    wl.ingest_unsc()
    with_signpost(wl, """[[signposts]]
id = "test-vote"
question = "Do China and Russia split at the UNSC?"
window_days = 365
rule = { kind = "vote", states = ["CHN", "RUS"], body = "unsc", veto_only = true }
""")
    assert status(wl, "test-vote", "2022-12-31") == "not_seen"  # May 2022: both vetoed, no split
    board = {s["id"]: s for s in wl.signposts(as_of="2024-12-31")}
    assert board["test-vote"]["status"] == "seen"
    assert board["test-vote"]["evidence"][0]["decision"] == "S/2024/255"
    assert board["test-vote"]["evidence"][0]["RUS"] == "no (veto)"


DOC = """---
date: {date}
issuers: [CHN]
parties: [CHN, PRK]
title: Readout
---
{text}
"""


def test_document_rule(wl, tmp_path):
    (tmp_path / "a.md").write_text(DOC.format(date="2024-04-12", text="The two sides cherish their traditional "
                                              "friendship. The United States should stop its military intimidation."))
    (tmp_path / "b.md").write_text(DOC.format(date="2023-04-12", text="The two sides cherish their traditional "
                                              "friendship."))
    wl.ingest_docs([tmp_path / "a.md", tmp_path / "b.md"])
    with_signpost(wl, """[[signposts]]
id = "test-doc"
question = "Does China name the US when talking to the DPRK?"
rule = { kind = "document", issuers = ["CHN"], parties = ["CHN", "PRK"], mention = "USA" }

[[signposts]]
id = "test-term"
question = "Does China speak of military intimidation?"
rule = { kind = "document", issuers = ["CHN"], terms = ["military_intimidation"], min_documents = 2, emerging = { kind = "document", issuers = ["CHN"], terms = ["military_intimidation"] } }
""")
    board = {s["id"]: s for s in wl.signposts(as_of="2024-12-31")}
    assert board["test-doc"]["status"] == "seen" and board["test-doc"]["evidence"][0]["mentions"] == 1
    assert board["test-term"]["status"] == "emerging"
    assert status(wl, "test-doc", "2023-12-31") == "not_seen"


def test_indicator_rule_threshold_sd_and_ratio(wl, tmp_path):
    rows = [row(f"x{y}-{k}", f"{y}-0{k + 1}-10", "visit", "CHN;PRK") for y in range(2015, 2023) for k in range(2)]
    rows += [row(f"x2024-{k}", f"2024-0{k + 1}-10", "visit", "CHN;PRK") for k in range(6)]
    rows += [row("x2023-0", "2023-03-10", "visit", "CHN;PRK"), row("end", "2024-12-30", "visit", "CHN;USA")]
    wl.ingest_timeline([timeline(tmp_path, rows)])
    base = 'indicator = "exchanges", actors = ["CHN", "PRK"], freq = "year", baseline_since = "2015-01-01", ' \
           'baseline_until = "2022-12-31"'
    with_signpost(wl, f"""[[signposts]]
id = "test-above"
question = "More than 5 exchanges a year?"
rule = {{ kind = "indicator", indicator = "exchanges", actors = ["CHN", "PRK"], freq = "year", above = 5 }}

[[signposts]]
id = "test-ratio"
question = "Twice the baseline?"
rule = {{ kind = "indicator", {base}, ratio = 2.0 }}

[[signposts]]
id = "test-sd"
question = "One SD above the baseline?"
rule = {{ kind = "indicator", {base}, sd = 1.0 }}
""")
    board = {s["id"]: s["status"] for s in wl.signposts(as_of="2024-12-31")}
    assert board == {**board, "test-above": "seen", "test-ratio": "seen", "test-sd": "seen"}
    earlier = {s["id"]: s["status"] for s in wl.signposts(as_of="2023-12-31")}
    assert (earlier["test-above"], earlier["test-ratio"], earlier["test-sd"]) == ("not_seen",) * 3


def test_all_and_any(wl, tmp_path):
    wl.ingest_timeline([timeline(tmp_path, [row("p", "2024-03-01", "summit", "CHN;RUS")])])
    with_signpost(wl, """[[signposts]]
id = "test-all"
question = "Both?"
rule = { kind = "all", rules = [ { kind = "event", actors_all = ["CHN", "RUS"] }, { kind = "event", actors_all = ["CHN", "PRK"] } ] }

[[signposts]]
id = "test-any"
question = "Either?"
rule = { kind = "any", rules = [ { kind = "event", actors_all = ["CHN", "RUS"] }, { kind = "event", actors_all = ["CHN", "PRK"] } ] }
""")
    board = {s["id"]: s["status"] for s in wl.signposts(as_of="2024-12-31")}
    assert (board["test-all"], board["test-any"]) == ("emerging", "seen")


def test_history_and_changed_since(wl, tmp_path):
    wl.ingest_timeline([timeline(tmp_path, [row("a", "2024-03-01", "summit", "CHN;PRK;RUS"),
                                            row("c", "2024-09-01", "summit", "PRK;CHN;RUS")])])
    with_signpost(wl, EVENT)
    wl.replay_signposts("2024-01-01", "2024-12-31", freq="quarter")
    explained = wl.signpost("test-event", as_of="2024-12-31")
    assert [(h["as_of"], h["status"]) for h in explained["history"]] == [
        ("2024-03-31", "emerging"), ("2024-09-30", "seen")]
    assert explained["since"] == "2024-09-30"
    changed = wl.signposts(as_of="2024-12-31", changed_since="2024-07-01")
    assert "test-event" in {s["id"] for s in changed}
    assert "test-event" not in {s["id"] for s in wl.signposts(as_of="2024-12-31", changed_since="2024-10-01")}


@pytest.mark.parametrize("rule, key, expected", [
    ('{ kind = "event", min_count = 1 }', "signposts.14.rule", "needs actors_all"),
    ('{ kind = "meeting", actors_all = ["CHN"] }', "signposts.14.rule", "does not match any of the expected tags"),
    ('{ kind = "indicator", indicator = "exchanges", above = 1, below = 2 }', "signposts.14.rule", "exactly one"),
    ('{ kind = "document", issuers = ["CHN"], terms = ["friendship_forever"] }', "signposts.14.rule.terms",
     "unknown framing term"),
    ('{ kind = "document", issuers = ["CHN"], terms = ["blood_ally"], doc_kinds = ["jointstatement"] }',
     "signposts.14.rule.doc_kinds", "['jointstatement']; expected document kinds"),
    ('{ kind = "event", actors_all = ["CHN"], kinds = ["sumit"] }', "signposts.14.rule.kinds", "curated kinds"),
    ('{ kind = "event", actors_all = ["CHN"], datasets = ["gdelt2"] }', "signposts.14.rule.datasets",
     "expected event datasets: gdelt, icews, phoenix, polecat, curated"),
    ('{ kind = "document", issuers = ["Chnia"], terms = ["blood_ally"] }', "signposts.14.rule.issuers",
     "['Chnia']"),
    ('{ kind = "any", rules = [ { kind = "event", actors_all = ["CHN"] }, { kind = "event", actors_all = ["CHN"], '
     'emerging = { kind = "event", source = ["Atlantis"] } } ] }', "signposts.14.rule.rules.1.emerging.source",
     "['Atlantis']"),
])
def test_invalid_rules_name_key_and_line(rule, key, expected):
    text = bundled_text() + f'\n[[signposts]]\nid = "bad"\nquestion = "?"\nrule = {rule}\n'
    with pytest.raises(WatchFileError) as error:
        parse_watch(text, "watch.toml")
    message = str(error.value)
    rule_line = text.count("\n", 0, text.rindex("rule = ")) + 1
    assert f"key '{key}" in message and expected in message and f"watch.toml, line {rule_line}:" in message


def test_declared_document_kinds_are_accepted():
    text = bundled_text().replace("document_kinds = []", 'document_kinds = ["white_paper"]')
    rule = '{ kind = "document", issuers = ["CHN"], terms = ["blood_ally"], doc_kinds = ["white_paper"] }'
    parse_watch(text + f'\n[[signposts]]\nid = "ok"\nquestion = "?"\nrule = {rule}\n', "watch.toml")


def test_event_datasets_are_the_ones_the_ingest_writes():
    from weaklink.ingest import gdelt, timeline
    from weaklink.signposts.rules import EVENT_DATASETS
    from weaklink.sources import icews, phoenix, polecat

    assert set(EVENT_DATASETS) == {gdelt.DATASET, timeline.DATASET, icews.LAYOUT.dataset, phoenix.DAILY.dataset,
                                   phoenix.R_CSV.dataset, polecat.LAYOUT.dataset}


def test_heuer_and_bayes_on_a_hand_worked_matrix():
    # Three hypotheses, three items.      A            B            C        weight
    #   e1 (high x high = 1.0)            C            I            II       1.0
    #   e2 (high x low  = 0.4)            I            C            N        0.4
    #   e3 (medium x medium = 0.49)       N            II           C        0.49
    # Heuer inconsistency (I = 1, II = 2, times weight):
    #   A = 0.4 x 1 = 0.4;  B = 1.0 x 1 + 0.49 x 2 = 1.98;  C = 1.0 x 2 = 2.0   -> ranking A, B, C
    # Bayes (P: CC .9, C .7, N .5, I .3, II .1; P ** weight; equal priors):
    #   A: .7 * .3**.4 * .5**.49 ; B: .3 * .7**.4 * .1**.49 ; C: .1 * .5**.4 * .7**.49
    rows = [ach.Row("e1", 1.0, {"A": "C", "B": "I", "C": "II"}),
            ach.Row("e2", 0.4, {"A": "I", "B": "C", "C": "N"}),
            ach.Row("e3", 0.49, {"A": "N", "B": "II", "C": "C"})]
    scores = ach.inconsistency(rows, ["A", "B", "C"])
    assert scores == {"A": 0.4, "B": 1.98, "C": 2.0}
    assert ach.ranking(scores) == ["A", "B", "C"]
    raw = {"A": .7 * .3 ** .4 * .5 ** .49, "B": .3 * .7 ** .4 * .1 ** .49, "C": .1 * .5 ** .4 * .7 ** .49}
    total = sum(raw.values())
    assert ach.posterior(rows, ["A", "B", "C"]) == pytest.approx({h: v / total for h, v in raw.items()}, abs=1e-4)
    # Sensitivity: B and C differ by 0.02; re-rating e3's B from II to I (1.98 -> 1.49) keeps the order,
    # but e3's C moving from C to I (2.0 -> 2.49) keeps it too; e1's C from II to I (2.0 -> 1.0) swaps B and C.
    sensitive = {item["evidence"]: item for item in ach.sensitivity(rows, ["A", "B", "C"])}
    assert any(c["change"] == "C: II → I" and c["ranking"] == ["A", "C", "B"] for c in sensitive["e1"]["changes"])


BOUND = """[[evidence]]
id = "EX"
title = "China and Russia vote alike at the UNSC"
signpost = "unsc-divergence"
ratings = { H1 = "I", H2 = "C", H3 = "C" }
when_not_seen = { H1 = "C", H2 = "N", H3 = "N" }
"""


def test_bound_evidence_rerates_when_the_signpost_changes(wl):
    with_signpost(wl, BOUND)
    empty = wl.ach(as_of="2024-12-31")
    excluded = {e["id"]: e["reason"] for e in empty["excluded"]}
    assert "EX" in excluded and "unsc-divergence has no data" in excluded["EX"] and "unsc 0%" in excluded["EX"]
    assert "EX" not in {e["id"] for e in empty["evidence"]}
    wl.ingest_unsc()
    before = {e["id"]: e for e in wl.ach(as_of="2023-12-31")["evidence"]}
    after = {e["id"]: e for e in wl.ach(as_of="2024-12-31")["evidence"]}
    assert before["EX"]["ratings"] == {"H1": "C", "H2": "N", "H3": "N"}  # not seen: they voted alike
    assert after["EX"]["ratings"] == {"H1": "I", "H2": "C", "H3": "C"}   # seen: China abstained, Russia vetoed
    assert after["E1"]["ratings"] == {"H1": "I", "H2": "C", "H3": "C"}
    assert "unsc-divergence is seen since 2024-12-31" in after["E1"]["basis"]
    assert after["E8"]["basis"] == "rated by the watch file's author"


def test_dated_evidence_counts_from_its_date(wl):
    wl.ingest_unsc()
    early = wl.ach(as_of="2023-12-31")
    excluded = {e["id"]: e["reason"] for e in early["excluded"]}
    assert excluded["E1"] == "counts from 2024-03-28, after 2023-12-31"     # the March 2024 vote
    assert excluded["E9"] == "counts from 2024-05-27, after 2023-12-31"     # the Seoul summit
    assert {"E1", "E9"}.isdisjoint(e["id"] for e in early["evidence"])
    assert early["as_of"] == "2023-12-31"
    later = wl.ach(as_of="2024-05-27")
    assert "E9" in {e["id"] for e in later["evidence"]} and "E1" in {e["id"] for e in later["evidence"]}


def test_store_without_documents_gives_no_data_and_leaves_their_evidence_out(wl):
    wl.ingest_timeline()
    wl.ingest_unsc()
    board = {s["id"]: s for s in wl.signposts(as_of="2024-12-31")}
    documents = ["security-architecture", "us-in-china-dprk-talk", "blood-ally-language", "peninsula-in-us-china",
                 "us-in-joint-statements"]
    for signpost in documents:
        assert board[signpost]["status"] == "no_data" and board[signpost]["coverage"] == 0.0, signpost
        assert all(m["source"].startswith("documents:") and m["coverage"] == 0 for m in board[signpost]["missing"])
    assert {m["source"] for m in board["us-in-joint-statements"]["missing"]} == {
        "documents:CHN:joint_statement", "documents:RUS:joint_statement"}
    assert board["trilateral-summit"]["status"] != "no_data" and board["trilateral-summit"]["coverage"] == 1.0
    matrix = wl.ach(as_of="2024-12-31")
    excluded = {e["id"]: e["reason"] for e in matrix["excluded"]}
    assert set(excluded) == {"E2", "E4", "E6"}   # bound to us-in-joint-statements, blood-ally-language, us-in-china..
    assert all("has no data" in reason for reason in excluded.values())
    assert "documents:CHN" in excluded["E4"]


PARTIAL = """[[signposts]]
id = "test-partial"
question = "Does China meet the DPRK at leader level?"
window_days = 366
rule = { kind = "event", actors_all = ["CHN", "PRK"], kinds = ["summit"] }
"""


@pytest.mark.parametrize("last, min_coverage, expected, coverage", [
    ("2024-09-30", 0.5, "not_seen", 274 / 366),     # Jan-Sep of a leap year
    ("2024-03-31", 0.5, "no_data", 91 / 366),       # Jan-Mar: below min_coverage
    ("2024-03-31", 0.2, "not_seen", 91 / 366),      # ... unless the watch file accepts less
])
def test_partial_coverage_reports_its_fraction(wl, tmp_path, last, min_coverage, expected, coverage):
    wl.ingest_timeline([timeline(tmp_path, [row("a", "2024-01-01", "visit", "KOR;USA"),
                                            row("b", last, "visit", "KOR;USA")])])
    with_signpost(wl, PARTIAL, min_coverage=min_coverage)
    found = next(s for s in wl.signposts(as_of="2024-12-31") if s["id"] == "test-partial")
    assert found["status"] == expected and found["coverage"] == pytest.approx(coverage, abs=1e-3)
    assert found["missing"] == [{"source": "curated", "coverage": round(coverage, 3)}]
    assert found["as_of"] == "2024-12-31"


def test_seen_on_partial_data_stays_seen(wl, tmp_path):
    wl.ingest_timeline([timeline(tmp_path, [row("a", "2024-01-01", "summit", "CHN;PRK"),
                                            row("b", "2024-02-01", "visit", "KOR;USA")])])
    with_signpost(wl, PARTIAL)
    found = next(s for s in wl.signposts(as_of="2024-12-31") if s["id"] == "test-partial")
    assert found["status"] == "seen" and found["coverage"] < 0.1   # more data could only add to the count


def test_evaluation_defaults_to_the_day_the_data_end(wl, tmp_path):
    wl.ingest_timeline([timeline(tmp_path, [row("a", "2023-01-05", "summit", "CHN;PRK"),
                                            row("b", "2024-06-30", "visit", "KOR;USA")])])
    with_signpost(wl, PARTIAL)
    board = wl.signposts()
    assert {(s["as_of"], s["dated_by"]) for s in board} == {("2024-06-30", "data")}
    assert wl.ach()["as_of"] == "2024-06-30"
    assert wl.replay_signposts("2024-01-01")[0]["as_of"] == "2024-06-30"
    assert next(s for s in board if s["id"] == "test-partial")["status"] == "not_seen"  # 2023 summit: out of window


def test_a_store_without_data_is_not_dated_by_the_data_nor_recorded(wl):
    """No data at all: the board says it is dated by the clock, every status is no data, and nothing is written
    to the history (a later ingest must not find a clock-dated record among the data's dates)."""
    board = wl.signposts()
    assert board and {(s["dated_by"], s["status"]) for s in board} == {("clock", "no_data")}
    assert wl.store.con.execute("SELECT count(*) FROM signpost_history").fetchall() == [(0,)]
    assert {s["dated_by"] for s in wl.signposts(as_of="2024-06-30")} == {"request"}


def test_indicator_weights_periods_by_their_covered_days(wl, tmp_path):
    # 2023: 12 exchanges over the whole year; 2024: 2 exchanges, the data end on 2024-02-29 (60 days).
    rows = [row(f"y{m}", f"2023-{m:02d}-15", "visit", "CHN;PRK") for m in range(1, 13)]
    rows += [row("j1", "2024-01-10", "visit", "CHN;PRK"), row("j2", "2024-02-29", "visit", "CHN;PRK"),
             row("start", "2023-01-01", "visit", "KOR;USA")]
    wl.ingest_timeline([timeline(tmp_path, rows)])
    with_signpost(wl, """[[signposts]]
id = "test-rate"
question = "More than 11 exchanges a year?"
window_days = 365
rule = { kind = "indicator", indicator = "exchanges", actors = ["CHN", "PRK"], freq = "year", above = 11 }
""")
    found = next(s for s in wl.signposts(as_of="2024-02-29") if s["id"] == "test-rate")
    # window 2023-03-02..2024-02-29: 2023 weighs its 305 days in it at 12 a year; 2024 weighs 60 days at
    # 2 exchanges in its 60 covered days = 2 * 366 / 60 = 12.2 a year. Unscaled, 2024 would read 2 a year.
    expected = (305 * 12 + 60 * 2 * 366 / 60) / 365
    assert found["evidence"][0]["window_mean"] == pytest.approx(expected, abs=1e-3)
    assert found["evidence"][0]["weights"] == {"2023-01-01": 305, "2024-01-01": 60}
    assert found["status"] == "seen"


def test_bundled_signposts_on_bundled_data(wl):
    wl.ingest_timeline()
    wl.ingest_unsc()
    board = {s["id"]: s for s in wl.replay_signposts("2023-01-01", "2025-12-31", freq="quarter")}
    framework_ids = {"trilateral-summit", "trilateral-platform", "trilateral-military", "security-architecture",
                     "china-arms-russia", "china-sanctions-relief", "unsc-divergence", "us-in-china-dprk-talk",
                     "blood-ally-language", "china-europe-balancing", "peninsula-in-us-china", "exchange-tempo",
                     "alliance-tightening", "us-in-joint-statements"}
    assert set(board) == framework_ids
    assert all(s["status"] in ("seen", "emerging", "not_seen", "no_data") and s["detail"] for s in board.values())
    assert board["blood-ally-language"]["status"] == "no_data"   # no documents in this store
    assert board["unsc-divergence"]["status"] == "seen" and board["unsc-divergence"]["since"] == "2024-03-31"
    result = wl.ach(as_of="2025-12-31")
    assert {h["id"] for h in result["hypotheses"]} == {"H1", "H2", "H3"}
    assert sum(h["posterior"] for h in result["hypotheses"]) == pytest.approx(1.0, abs=1e-3)
    assert len(wl.scenarios(as_of="2025-12-31")) == 3


MINIMAL = """[watch]
name = "ties"

[[actors]]
id = "CHN"
name = "China"

[[hypotheses]]
id = "A"
title = "first"

[[hypotheses]]
id = "B"
title = "second"

[[hypotheses]]
id = "C"
title = "third"
"""


def item(id: str, ratings: str, extra: str = "") -> str:
    return f'[[evidence]]\nid = "{id}"\ntitle = "{id}"\ncredibility = "high"\nrelevance = "high"\n' \
           f"ratings = {{ {ratings} }}\n{extra}\n"


def test_a_tie_is_reported_as_a_tie(wl):
    wl.watch = parse_watch(MINIMAL + item("e1", 'A = "C", B = "C", C = "I"') + item("e2", 'A = "C", B = "C", C = "C"'),
                           "ties.toml")
    matrix = wl.ach(as_of="2024-01-01")
    assert matrix["leaders"] == ["A", "B"] and matrix["leading"] is None
    assert {h["id"]: h["rank"] for h in matrix["hypotheses"]} == {"A": 1, "B": 1, "C": 3}
    assert {h["id"]: h["score"] for h in matrix["hypotheses"]} == {"A": 0.0, "B": 0.0, "C": 1.0}
    assert matrix["sensitivity"]["non_diagnostic"] == ["e2"]
    assert matrix["as_of"] == "2024-01-01"
    wl.watch = parse_watch(MINIMAL + item("e1", 'A = "C", B = "I", C = "I"'), "ties.toml")
    assert wl.ach(as_of="2024-01-01")["leaders"] == ["A"] and wl.ach(as_of="2024-01-01")["leading"] == "A"


def test_smallest_set_of_signpost_changes_on_a_hand_built_case():
    # Two hypotheses. A fixed item counts 1.5 against B. Items x (signpost s1) and y (signpost s2) each count
    # 1.0 against A when their signpost is seen, nothing otherwise; both signposts are not seen now.
    # One flip gives A 1.0 < 1.5: A still leads. Both seen give A 2.0 > 1.5: B leads. Smallest set: size 2.
    seen = {"A": "I", "B": "N"}
    by_status = {"seen": seen, "emerging": {"A": "N", "B": "N"}, "not_seen": {"A": "N", "B": "N"}, "no_data": None}
    fixed = [ach.Row("f", 1.5, {"A": "N", "B": "I"})]
    bound = [ach.Bound("x", 1.0, "s1", by_status), ach.Bound("y", 1.0, "s2", by_status)]
    model = ach.StatusModel(fixed, bound, {"s1": "not_seen", "s2": "not_seen"}, ["A", "B"])
    assert ach.leaders(model.scores()) == ["A"]
    smallest = ach.smallest_change(model)
    assert smallest["size"] == 2 and smallest["leaders"] == ["A"]
    assert smallest["sets"] == [{"changes": [{"signpost": "s1", "from": "not_seen", "to": "seen"},
                                             {"signpost": "s2", "from": "not_seen", "to": "seen"}],
                                 "leaders": ["B"]}]
    per_item = {i["evidence"]: i for i in ach.status_sensitivity(model, bound)}
    assert [u["status"] for u in per_item["x"]["under"]] == ["seen", "emerging", "no_data"]
    assert per_item["x"]["under"][0]["scores"] == {"A": 1.0, "B": 1.5} and per_item["x"]["under"][0]["leaders"] == ["A"]
    # one more item on s1 makes a single flip enough
    bound.append(ach.Bound("z", 1.0, "s1", by_status))
    model = ach.StatusModel(fixed, bound, {"s1": "not_seen", "s2": "not_seen"}, ["A", "B"])
    assert ach.smallest_change(model)["size"] == 1
    assert ach.smallest_change(model)["sets"][0]["changes"] == [{"signpost": "s1", "from": "not_seen", "to": "seen"}]

