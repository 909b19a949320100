"""Cohesion, commitment and the weakest link on constructed data whose answer is known."""

from __future__ import annotations

import csv
import math
import re

import numpy as np
import pytest
from gdelt_lines import gdelt_line, write_lines

from weaklink.indicators import ties
from weaklink.watch import bundled_text, parse_watch

TEST_BLOC = '\n[blocs.test]\nname = "test"\nmembers = ["FRA", "DEU", "ITA"]\n'


def counts(pattern: dict[tuple[str, str], int], members=("FRA", "DEU", "ITA"), other: int = 100) -> ties.BlocCounts:
    """Cooperative (quad 1) counts per directed pair, plus `other` events from each member to outsiders."""
    index = {m: i for i, m in enumerate(members)}
    media = np.zeros((3, 4, 4))
    for (a, b), n in pattern.items():
        media[index[a], index[b], 0] = n
    media[:, 3, 0] = other
    return ties.BlocCounts(list(members), media, np.full((3, 4, 4), 2.0), np.zeros((3, 4, 4)))


def per_event(c: ties.BlocCounts, articles: int | None = None) -> list[ties.Clusters]:
    """The media events as clusters: each its own article, or (events in cell order) `articles` equal articles.
    No curated entries, no votes."""
    cells = [tuple(cell) for cell in np.argwhere(c.media > 0) for _ in range(int(c.media[tuple(cell)]))]
    groups = np.arange(len(cells)) * (articles or len(cells)) // len(cells)
    media = np.zeros((groups.max() + 1, *c.media.shape))
    for group, cell in zip(groups, cells):
        media[(group, *cell)] += 1
    m = len(c.members)
    return [ties.Clusters.from_arrays({"media": media, "goldstein_sum": media * c.goldstein}),
            ties.Clusters.from_arrays({"curated": np.zeros((0, m, m + 1, 4)), "exchanges": np.zeros((0, m, m))}),
            ties.Clusters.from_arrays({"vote_sum": np.zeros((0, m, m)), "vote_n": np.zeros((0, m, m))})]


def fixed(m: int = 3) -> ties.Fixed:
    return ties.Fixed(np.zeros((m, m)), 1.0, False, np.full((m, m), np.nan))


BALANCED_BUT_ITA = {("FRA", "DEU"): 50, ("DEU", "FRA"): 50, ("FRA", "ITA"): 50, ("ITA", "FRA"): 5,
                    ("DEU", "ITA"): 50, ("ITA", "DEU"): 5}


def test_member_initiating_least_is_weakest():
    c = counts(BALANCED_BUT_ITA)
    commitment = ties.member_commitment(ties.directed_commitment(c))
    boot = ties.bootstrap(per_event(c), fixed(), c.members, {"events": 1.0}, replicates=300, seed=1)
    low, high = ties.interval(boot.commitment)
    assert ties.weakest(commitment, low, high) == 2
    assert commitment[2] < 0.2 < 0.5 < commitment[0]


def test_clusters_add_up_to_the_counts_and_redraw_as_weights_times_matrix():
    c = counts(BALANCED_BUT_ITA)
    media = per_event(c, articles=7)[0]
    assert media.size == 7 and np.array_equal(media.total()["media"], c.media)
    once = media.redraw(np.ones((1, 7)))["media"][0]
    assert np.array_equal(once, c.media)
    twice_first = media.redraw(np.eye(7)[[0]] * 2)["media"][0]
    assert twice_first.sum() == 2 * media.redraw(np.eye(7)[[0]])["media"][0].sum()


def test_fewer_articles_give_wider_intervals_for_the_same_events():
    c = counts(BALANCED_BUT_ITA)
    widths = {}
    for articles in (10, None):
        boot = ties.bootstrap(per_event(c, articles), fixed(), c.members, {"events": 1.0}, replicates=300, seed=2)
        low, high = ties.interval(boot.commitment)
        widths[articles] = high - low
    assert np.all(widths[10] > widths[None])


def test_relabelling_relabels_the_answer():
    swap = {"FRA": "ITA", "ITA": "FRA", "DEU": "DEU"}
    relabelled = {(swap[a], swap[b]): n for (a, b), n in BALANCED_BUT_ITA.items()}
    c = counts(relabelled)
    commitment = ties.member_commitment(ties.directed_commitment(c))
    assert int(np.nanargmin(commitment)) == 0  # FRA now plays ITA's part
    original = ties.member_commitment(ties.directed_commitment(counts(BALANCED_BUT_ITA)))
    assert commitment[[2, 1, 0]] == pytest.approx(original)


def test_scaling_all_volumes_changes_nothing():
    base, scaled = counts(BALANCED_BUT_ITA), counts({k: 7 * v for k, v in BALANCED_BUT_ITA.items()}, other=700)
    for f in (lambda c: ties.member_commitment(ties.directed_commitment(c)),
              lambda c: ties.events_component(c.media, c.goldstein)):
        assert np.allclose(f(base), f(scaled), equal_nan=True)


def test_missing_components_are_left_out_not_zero():
    events = np.array([[np.nan, 0.8], [0.8, np.nan]])
    votes = np.full((2, 2), np.nan)
    strength = ties.tie_strength({"events": events, "votes": votes}, {"events": 1.0, "votes": 1.0})
    assert strength[0, 1] == pytest.approx(0.8)
    with_votes = ties.tie_strength({"events": events, "votes": np.array([[np.nan, 0.2], [0.2, np.nan]])},
                                   {"events": 1.0, "votes": 1.0})
    assert with_votes[0, 1] == pytest.approx(0.5)


def test_one_component_set_per_dyad_for_the_whole_series():
    """Exchanges measured in all four periods, events only in the last two: the series keeps exchanges."""
    nan = np.nan
    exchanges = [np.array([[nan, 0.5], [0.5, nan]])] * 4
    events = [np.full((2, 2), nan)] * 2 + [np.array([[nan, 0.9], [0.9, nan]])] * 2
    available = {"events": ~np.isnan(np.array(events)), "exchanges": ~np.isnan(np.array(exchanges))}
    weights = {"events": 1.0, "exchanges": 1.0}
    use = ties.choose_components(available, weights)
    assert use["exchanges"][0, 1] and not use["events"][0, 1]
    series = [ties.tie_strength({"events": e, "exchanges": x}, weights, use)[0, 1] for e, x in zip(events, exchanges)]
    assert series == [0.5] * 4
    named = ties.choose_components(available, weights, ["events", "exchanges"])
    series = [ties.tie_strength({"events": e, "exchanges": x}, weights, named)[0, 1] for e, x in zip(events, exchanges)]
    assert np.isnan(series[:2]).all() and series[2:] == [pytest.approx(0.7)] * 2


def test_overlapping_intervals_name_no_weakest():
    assert ties.weakest(np.array([0.4, 0.45, 0.6]), np.array([0.3, 0.35, 0.5]), np.array([0.5, 0.55, 0.7])) is None
    assert ties.weakest(np.array([0.2, 0.45, 0.6]), np.array([0.1, 0.35, 0.5]), np.array([0.3, 0.55, 0.7])) == 0


def constructed_store(wl, tmp_path, swap: dict[str, str] | None = None):
    """Media events for the test bloc: ITA initiates far less cooperation (names swapped by `swap`)."""
    swap = swap or {}
    lines, n = [], 0
    for (a, b), count in {**BALANCED_BUT_ITA, ("FRA", "USA"): 60, ("DEU", "USA"): 60, ("ITA", "USA"): 60}.items():
        a, b = swap.get(a, a), swap.get(b, b)
        for _ in range(count):
            n += 1
            lines.append(gdelt_line(n, sqldate="20240310", a1code=a, a1country=a, a2code=b, a2country=b,
                                    code="042", quad=1, goldstein=1.9, mentions=1 + n % 5))
    wl.ingest_gdelt([write_lines(tmp_path / "bloc.CSV", lines)])
    wl.watch = parse_watch(bundled_text() + TEST_BLOC, "test")


def test_weakest_through_the_store(wl, tmp_path):
    constructed_store(wl, tmp_path)
    result = wl.weakest("test", since="2024-01-01", until="2024-12-31")
    assert result["weakest"] == "ITA" and result["lowest"] == "ITA"
    members = {m["actor"]: m for m in result["members"]}
    assert members["ITA"]["high"] < min(members["FRA"]["low"], members["DEU"]["low"])
    assert all(math.isfinite(m["centrality"]) for m in members.values())
    dyad = result["components"][0]
    assert dyad["used"] == ["events"] and set(dyad["missing"]) == {"exchanges", "votes", "rhetoric"}
    assert "ITA" in result["summary"] and "weakest link" in result["summary"]


def test_weakest_states_how_much_of_its_window_the_data_cover(wl, tmp_path):
    """Events added on one day of a year-long window: the result says GDELT covers a sliver of it, no votes."""
    constructed_store(wl, tmp_path)
    result = wl.weakest("test", since="2024-01-01", until="2024-12-31")
    covered = {c["source"]: c for c in result["coverage"]}
    assert covered["gdelt"]["days"] == 366 and 1 <= covered["gdelt"]["days_covered"] < 366
    assert covered["gdelt"]["fraction"] < 0.05 and covered["unga"]["last"] is None
    assert "gdelt 1 of its 366 days" in result["summary"] and "no unga data" in result["summary"]
    full = wl.weakest("test", since="2024-01-15", until="2024-01-15")  # the day the events were added
    assert {c["source"]: c["fraction"] for c in full["coverage"]}["gdelt"] == 1.0
    assert "gdelt" not in full["summary"].split("Data cover only part")[-1]

def test_weakest_follows_the_data_not_the_name(wl, tmp_path):
    constructed_store(wl, tmp_path, swap={"ITA": "FRA", "FRA": "ITA"})
    assert wl.weakest("test", since="2024-01-01", until="2024-12-31")["weakest"] == "FRA"


def test_component_weights_come_from_the_watch_file(wl, tmp_path):
    constructed_store(wl, tmp_path)
    ingest_entries(wl, tmp_path, [entry("fd-1", "2022-05-02", "visit", "FRA;DEU")])  # the timeline covers FRA-DEU
    with_timeline = wl.weakest("test", since="2024-01-01", until="2024-12-31")
    assert "exchanges" in with_timeline["components"][0]["used"]
    text = bundled_text().replace("exchanges = 1.0,", "exchanges = 0.0,")
    wl.watch = parse_watch(text + TEST_BLOC, "test")
    without = wl.weakest("test", since="2024-01-01", until="2024-12-31")
    assert "exchanges" not in without["components"][0]["used"]
    assert without["method"]["weights"]["exchanges"] == 0.0


def test_exchanges_are_unknown_before_the_timeline_covers_a_dyad(wl, tmp_path):
    """A dyad the timeline first records in 2022: its exchanges are no data before, measured after."""
    use_bloc(wl)
    ingest_entries(wl, tmp_path, [entry("fd-1", "2022-05-02", "visit", "FRA;DEU"),
                                  entry("fi-1", "2021-03-01", "visit", "FRA;ITA")])
    rows = {r["period"].year: r for r in wl.cohesion("test", freq="year").to_records()}
    assert rows[2021]["FRA-DEU"] is None and rows[2021]["FRA-ITA"] is not None
    assert rows[2022]["FRA-DEU"] is not None and rows[2022]["FRA-ITA"] == 0.0  # covered, nothing happened
    assert rows[2021]["DEU-ITA"] is None and rows[2022]["DEU-ITA"] is None  # never recorded together


def test_attribution_splits_the_change_exactly(wl, tmp_path):
    constructed_store(wl, tmp_path)
    wl.ingest_timeline()
    result = wl.attribution("axis", ("2019-01-01", "2022-12-31"), ("2023-01-01", "2024-12-31"))
    for dyad in result["dyads"]:
        if dyad["change"] is not None:
            assert sum(dyad["components"].values()) == pytest.approx(dyad["change"], abs=1e-3)


def test_real_gdelt_end_to_end(wl, gdelt_v2_dir):
    wl.ingest_gdelt([gdelt_v2_dir])
    wl.ingest_timeline()
    result = wl.weakest("axis", since="2024-10-01", until="2025-02-28")
    assert result["events_used"] > 300
    for member in result["members"]:
        assert all(math.isfinite(member[k]) for k in ("commitment", "low", "high", "centrality"))
        assert member["low"] <= member["commitment"] <= member["high"]
    assert result["summary"] and (result["weakest"] in (None, "CHN", "PRK", "RUS"))
    series = wl.cohesion("axis", freq="quarter").to_records()
    assert series and all(r["cohesion"] is None or 0 <= r["cohesion"] <= 1 for r in series)
    side_by_side = {r["bloc"] for r in wl.blocs(freq="year").to_records()}
    assert side_by_side == {"axis", "alliance"}


def use_bloc(wl, members=("FRA", "DEU", "ITA"), cohesion_extra: str = "") -> None:
    text = bundled_text()
    if cohesion_extra:
        text = re.sub(r"^include_low_confidence = .*\n", "", text, flags=re.M)
        text = text.replace("[cohesion]\n", "[cohesion]\n" + cohesion_extra)
    wl.watch = parse_watch(text + f'\n[blocs.test]\nname = "test"\nmembers = {list(members)!r}\n'.replace("'", '"'),
                           "test")


def entry(key: str, day: str, kind: str, actors: str, code: str = "042", quad: int = 1,
          confidence: str = "high") -> dict:
    return {"id": key, "date": day, "end_date": "", "kind": kind, "actors": actors, "level": "minister",
            "cameo_code": code, "quad_class": quad, "description": "constructed",
            "sources": f"https://example.org/{key}", "confidence": confidence}


def ingest_entries(wl, tmp_path, rows: list[dict]) -> None:
    path = tmp_path / "timeline.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert wl.ingest_timeline([path]).ok


def media_events(wl, tmp_path, name: str, pattern: dict, day: str, url, start: int = 1) -> None:
    """GDELT lines for each directed pair's count; url(k) names the article of the k-th event."""
    lines, k = [], 0
    for (a, b), count in pattern.items():
        for _ in range(count):
            lines.append(gdelt_line(start + k, sqldate=day, dateadded=day + "120000", a1code=a, a1country=a,  # not late
                                    a2code=b, a2country=b, code="042", quad=1, goldstein=5.0, url=url(k)))
            k += 1
    wl.ingest_gdelt([write_lines(tmp_path / f"{name}.CSV", lines)])


THOUSAND = {("FRA", "DEU"): 150, ("DEU", "FRA"): 150, ("FRA", "ITA"): 150, ("ITA", "FRA"): 50,
            ("DEU", "ITA"): 150, ("ITA", "DEU"): 50, ("FRA", "USA"): 100, ("DEU", "USA"): 100, ("ITA", "USA"): 100}


def test_same_events_from_fewer_articles_give_a_wider_interval(wl, tmp_path):
    """1,000 events reported in 10 articles (2023) against the same 1,000 each in its own article (2024)."""
    media_events(wl, tmp_path, "ten", THOUSAND, "20230310", lambda k: f"https://example.org/ten/{k // 100}")
    media_events(wl, tmp_path, "each", THOUSAND, "20240310", lambda k: f"https://example.org/each/{k}", start=5001)
    use_bloc(wl)
    ten = wl.weakest("test", since="2023-01-01", until="2023-12-31")
    each = wl.weakest("test", since="2024-01-01", until="2024-12-31")
    assert ten["clusters"]["media_articles"] == 10 and each["clusters"]["media_articles"] == 1000
    assert ten["events_used"] == each["events_used"] == 1000
    for a, b in zip(ten["members"], each["members"]):
        assert a["commitment"] == pytest.approx(b["commitment"])
        assert a["high"] - a["low"] > 2 * (b["high"] - b["low"])
    dyad = next(d for d in ten["components"] if d["dyad"] == "FRA-ITA")
    assert dyad["clusters"] == {"media_articles": 2, "curated_entries": 0, "vote_decisions": 0}
    assert "10 news articles" in ten["summary"]


def visits(years, per_year: int) -> list[dict]:
    return [entry(f"v-{year}-{k}", f"{year}-0{k + 1}-15", "visit", "FRA;DEU" if k % 2 else "DEU;FRA")
            for year in years for k in range(per_year)]


def test_a_component_starting_mid_series_leaves_the_series_flat(wl, tmp_path):
    ingest_entries(wl, tmp_path, visits(range(2015, 2025), 2))
    media_events(wl, tmp_path, "late", {("FRA", "DEU"): 20}, "20230510", lambda k: f"https://example.org/a/{k}")
    media_events(wl, tmp_path, "later", {("FRA", "DEU"): 20}, "20240510", lambda k: f"https://example.org/b/{k}",
                 start=101)
    use_bloc(wl)
    series = wl.cohesion("test", freq="year")
    rows = series.to_records()
    assert [r["period"].year for r in rows] == list(range(2015, 2025))
    assert [r["FRA-DEU"] for r in rows] == pytest.approx([0.5] * 10, abs=1e-3)
    assert len({r["cohesion"] for r in rows}) == 1
    footing = series.meta["components"]["FRA-DEU"]
    assert footing["used"] == ["exchanges"] and footing["no_value"] == ""
    assert "2 of 10 periods" in footing["left_out"]["events"] and "2023-01-01" in footing["left_out"]["events"]
    named = wl.cohesion("test", freq="year", components="events,exchanges")
    values = {r["period"].year: r["FRA-DEU"] for r in named.to_records()}
    assert list(values) == [2023, 2024] and values[2023] == pytest.approx(values[2024])  # the span with a value
    assert values[2023] > 0.5
    assert named.meta["components"]["FRA-DEU"]["used"] == ["events", "exchanges"]
    with pytest.raises(Exception, match="unknown component"):
        wl.cohesion("test", components=["tone"])


def test_attribution_signs_follow_the_components(wl, tmp_path):
    """Exchanges rise from 2 to 4 a year while media coverage begins: exchanges must count as a rise."""
    ingest_entries(wl, tmp_path, visits(range(2015, 2023), 2) + visits(range(2023, 2025), 4))
    media_events(wl, tmp_path, "late", {("FRA", "DEU"): 20}, "20230510", lambda k: f"https://example.org/a/{k}")
    use_bloc(wl)
    result = wl.attribution("test", ("2019-01-01", "2020-12-31"), ("2023-01-01", "2024-12-31"))
    dyad = next(d for d in result["dyads"] if d["dyad"] == "FRA-DEU")
    assert dyad["used"] == ["exchanges"] and "first window" in dyad["left_out"]["events"]
    assert dyad["components"]["exchanges"] > 0.15
    assert dyad["change"] == pytest.approx(dyad["components"]["exchanges"], abs=1e-3)
    named = wl.attribution("test", ("2019-01-01", "2020-12-31"), ("2023-01-01", "2024-12-31"),
                           components=["events", "exchanges"])
    assert next(d for d in named["dyads"] if d["dyad"] == "FRA-DEU")["change"] is None


def commitments(wl, since: str, until: str) -> dict:
    return {m["actor"]: m["commitment"] for m in wl.weakest("test", since=since, until=until)["members"]}


def test_symmetric_kinds_split_the_initiative(wl, tmp_path):
    ingest_entries(wl, tmp_path, [
        *(entry(f"ex-{k}", f"2024-0{k + 1}-10", "exercise", "FRA;DEU", "062", 2) for k in range(3)),
        *(entry(f"js-{k}", f"2024-0{k + 5}-10", "joint_statement", "FRA;DEU", "050", 1) for k in range(2)),
        *(entry(f"vi-{k}", f"2023-0{k + 1}-10", "visit", "FRA;DEU") for k in range(2)),
        entry("tri", "2022-03-01", "summit", "FRA;DEU;ITA", "040", 1),
    ])
    use_bloc(wl)
    assert commitments(wl, "2024-01-01", "2024-12-31") == {"FRA": 0.5, "DEU": 0.5, "ITA": None}
    assert commitments(wl, "2023-01-01", "2023-12-31") == {"FRA": 1.0, "DEU": 0.0, "ITA": None}
    assert commitments(wl, "2022-01-01", "2022-12-31") == {"FRA": 0.5, "DEU": 0.5, "ITA": 0.5}


def test_low_confidence_entries_leave_commitment_unless_asked_for(wl, tmp_path):
    ingest_entries(wl, tmp_path, [entry(f"sure-{k}", f"2024-0{k + 1}-10", "visit", "FRA;DEU") for k in range(2)]
                   + [entry(f"rumour-{k}", f"2024-0{k + 5}-10", "visit", "DEU;FRA", confidence="low")
                      for k in range(2)])
    use_bloc(wl)
    result = wl.weakest("test", since="2024-01-01", until="2024-12-31")
    assert {m["actor"]: m["commitment"] for m in result["members"]} == {"FRA": 1.0, "DEU": 0.0, "ITA": None}
    assert result["clusters"]["curated_entries"] == 2 and result["method"]["include_low_confidence"] is False
    use_bloc(wl, cohesion_extra="include_low_confidence = true\n")
    assert commitments(wl, "2024-01-01", "2024-12-31") == {"FRA": 0.5, "DEU": 0.5, "ITA": None}


def test_relabelling_the_bloc_relabels_every_answer(wl, tmp_path):
    constructed_store(wl, tmp_path)
    ingest_entries(wl, tmp_path, visits([2024], 3) + [entry("tri", "2024-06-01", "summit", "FRA;DEU;ITA", "040", 1)])
    answers = []
    for order in (("FRA", "DEU", "ITA"), ("ITA", "FRA", "DEU")):
        use_bloc(wl, order)
        result = wl.weakest("test", since="2024-01-01", until="2024-12-31")
        members = {m["actor"]: m for m in result["members"]}
        dyads = {frozenset(d["dyad"].split("-")): d for d in result["components"]}
        answers.append((result["weakest"], result["lowest"], result["most_central"], result["clusters"],
                        sorted(result["central_tie"]), members, dyads))
    (first, second) = answers
    assert first[:5] == second[:5] and first[0] == "ITA"
    for actor, m in first[5].items():
        for key in ("commitment", "low", "high", "p_weakest", "centrality", "betweenness"):
            assert m[key] == pytest.approx(second[5][actor][key], abs=1e-9), (actor, key)
    for pair, d in first[6].items():
        for key in ("tie_strength", "low", "high", "events", "exchanges", "clusters"):
            assert d[key] == pytest.approx(second[6][pair][key], abs=1e-9), (pair, key)
