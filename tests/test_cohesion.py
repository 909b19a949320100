"""Cohesion, commitment and the weakest link on constructed data whose answer is known."""

from __future__ import annotations

import math

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


BALANCED_BUT_ITA = {("FRA", "DEU"): 50, ("DEU", "FRA"): 50, ("FRA", "ITA"): 50, ("ITA", "FRA"): 5,
                    ("DEU", "ITA"): 50, ("ITA", "DEU"): 5}


def test_member_initiating_least_is_weakest():
    c = counts(BALANCED_BUT_ITA)
    commitment = ties.member_commitment(ties.directed_commitment(c))
    boot = ties.bootstrap(c, {}, {"events": 1.0}, replicates=300, seed=1)
    low, high = ties.interval(boot.commitment)
    assert ties.weakest(commitment, low, high) == 2
    assert commitment[2] < 0.2 < 0.5 < commitment[0]


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


def test_weakest_follows_the_data_not_the_name(wl, tmp_path):
    constructed_store(wl, tmp_path, swap={"ITA": "FRA", "FRA": "ITA"})
    assert wl.weakest("test", since="2024-01-01", until="2024-12-31")["weakest"] == "FRA"


def test_component_weights_come_from_the_watch_file(wl, tmp_path):
    constructed_store(wl, tmp_path)
    wl.ingest_timeline()
    with_timeline = wl.weakest("test", since="2024-01-01", until="2024-12-31")
    assert "exchanges" in with_timeline["components"][0]["used"]
    text = bundled_text().replace("exchanges = 1.0,", "exchanges = 0.0,")
    wl.watch = parse_watch(text + TEST_BLOC, "test")
    without = wl.weakest("test", since="2024-01-01", until="2024-12-31")
    assert "exchanges" not in without["components"][0]["used"]
    assert without["method"]["weights"]["exchanges"] == 0.0


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
