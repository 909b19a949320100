"""compare-sources (docs/datasets.md): a constructed pair of datasets, written in the ICEWS and Phoenix layouts, in
which one shift of the CHN-RUS series is in both and one only in ICEWS; and months only ICEWS covers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from weaklink.cli.main import main
from weaklink.errors import InvalidArgument
from weaklink.sources.icews import HEADER

NOISE = [0, 1, -1, 1, 0, -1]
MONTHS = 24          # both datasets
ICEWS_ONLY = 2       # months after those only ICEWS covers
BACKGROUND = 100     # events of other actors per month, in each dataset


def dyad_events(month: int, dataset: str) -> int:
    """CHN-RUS events: 6 a month, 16 from month 8 in both datasets, 30 from month 16 in ICEWS only."""
    level = 6 if month < 8 else 16
    if dataset == "icews" and month >= 16:
        level += 14
    return level + NOISE[month % len(NOISE)]


def _day(month: int) -> date:
    return date(2019 + month // 12, month % 12 + 1, 10)


def _icews_line(n: int, day: date, chn_rus: bool) -> str:
    a, b = (("Government (China)", "China"), ("Government (Russia)", "Russian Federation")) if chn_rus else \
        (("Citizen (Japan)", "Japan"), ("Citizen (Australia)", "Australia"))
    return "\t".join([str(n), day.isoformat(), a[0], "Government", a[1], "Consult", "040", "1", b[0], "Government",
                      b[1], str(n), "1", "Xinhua", "NA", "NA", "NA", "China", "NA", "NA"])


def _phoenix_line(n: int, day: date, chn_rus: bool) -> str:
    a, b = (("CHNGOV", "CHN"), ("RUSGOV", "RUS")) if chn_rus else (("JPN", "JPN"), ("AUS", "AUS"))
    return "\t".join([f"{n}_v0.1.0", day.strftime("%Y%m%d"), day.strftime("%Y"), day.strftime("%m"),
                      day.strftime("%d"), a[0], a[1], "GOV", "", b[0], b[1], "GOV", "", "042", "04", "1", "1.9",
                      "", "", "", "", "", "", f"story{n}", f"http://example.org/{n}", "source"])


def write_pair(folder: Path) -> tuple[Path, Path]:
    icews, phoenix, n = ["\t".join(HEADER)], [], 0
    for month in range(MONTHS + ICEWS_ONLY):
        for dataset, lines, line in (("icews", icews, _icews_line), ("phoenix", phoenix, _phoenix_line)):
            if dataset == "phoenix" and month >= MONTHS:
                continue
            for k in range(dyad_events(month, dataset) + BACKGROUND):
                n += 1
                lines.append(line(n, _day(month), k < dyad_events(month, dataset)))
    (folder / "events.pair.tab").write_text("\n".join(icews) + "\n", encoding="utf-8")
    (folder / "phoenix.pair.txt").write_text("\n".join(phoenix), encoding="utf-8")  # no final newline, as published
    return folder / "events.pair.tab", folder / "phoenix.pair.txt"


@pytest.fixture(scope="module")
def pair_store(tmp_path_factory) -> str:
    """A store holding the pair, built once for this module."""
    import weaklink

    folder = tmp_path_factory.mktemp("pair")
    url = f"duckdb:///{folder / 'store.duckdb'}"
    icews, phoenix = write_pair(folder)
    with weaklink.connect(url) as wl:
        assert wl.ingest_icews(icews).totals.stored == sum(dyad_events(m, "icews") + BACKGROUND
                                                           for m in range(MONTHS + ICEWS_ONLY))
        assert wl.ingest_phoenix(phoenix).totals.stored == sum(dyad_events(m, "phoenix") + BACKGROUND
                                                               for m in range(MONTHS))
    return url


@pytest.fixture
def pair(pair_store):
    import weaklink

    with weaklink.connect(pair_store, read_only=True) as wl:
        yield wl


def test_the_shared_shift_and_the_one_source_shift_are_told_apart(pair):
    result = pair.compare_sources("icews", "phoenix", ("CHN", "RUS"), freq="month")
    shifts = {(s["dataset"], s["period"]): s["found_in"] for s in result.meta["shifts"]}
    both, icews_only = _day(8).replace(day=1).isoformat(), _day(16).replace(day=1).isoformat()
    assert shifts[("icews", both)] == "both" and shifts[("phoenix", both)] == "both"
    assert shifts[("icews", icews_only)] == "icews only"
    assert ("phoenix", icews_only) not in shifts
    assert len(shifts) == 3
    # Where only ICEWS moved, ICEWS stands higher than Phoenix on the standardised scale, among the largest gaps.
    late = [r for r in result.to_records() if r["period"].isoformat() >= icews_only and r["difference"] is not None]
    assert late and all(r["difference"] > 0 for r in late)
    # The largest disagreement is the month only ICEWS moved.
    first = result.meta["disagreements"][0]
    assert (first["period"], first["moved_more_in"]) == (icews_only, "icews") and first["change_difference"] > 3


def test_periods_one_source_does_not_cover_are_no_data_not_zero(pair):
    result = pair.compare_sources("icews", "phoenix", ("CHN", "RUS"), freq="month", measure="events")
    rows = result.to_records()
    assert len(rows) == MONTHS + ICEWS_ONLY
    assert [r["icews_events"] for r in rows] == [dyad_events(m, "icews") for m in range(MONTHS + ICEWS_ONLY)]
    tail = rows[MONTHS:]
    assert all(r["phoenix"] is None and r["phoenix_events"] is None and r["covered_by"] == "icews" for r in tail)
    assert all(r["difference"] is None for r in tail)
    assert result.meta["n"] == MONTHS
    icews = [dyad_events(m, "icews") for m in range(MONTHS)]
    phoenix = [dyad_events(m, "phoenix") for m in range(MONTHS)]
    assert result.meta["correlation"] == pytest.approx(float(_pearson(icews, phoenix)), abs=1e-4)


def _pearson(x: list[float], y: list[float]) -> float:
    import numpy as np

    return float(np.corrcoef(x, y)[0, 1])


def test_bad_arguments_are_clear(pair):
    with pytest.raises(InvalidArgument, match="compare two different datasets"):
        pair.compare_sources("icews", "icews", ("CHN", "RUS"))
    with pytest.raises(InvalidArgument, match="unknown measure"):
        pair.compare_sources("icews", "phoenix", ("CHN", "RUS"), measure="tone")


def test_cli_compare_sources(pair_store):
    store = pair_store
    runner = CliRunner()
    shown = runner.invoke(main, ["--store", store, "compare-sources", "icews", "phoenix", "--dyad", "CHN", "RUS"])
    assert shown.exit_code == 0, shown.output
    assert "icews only" in shown.output and "over 24 periods both cover" in shown.output
    as_json = runner.invoke(main, ["--store", store, "compare-sources", "icews", "phoenix", "--dyad", "CHN", "RUS",
                                   "--format", "json"])
    data = json.loads(as_json.output)
    assert data["n"] == MONTHS and len(data["rows"]) == MONTHS + ICEWS_ONLY
    as_csv = runner.invoke(main, ["--store", store, "compare-sources", "icews", "phoenix", "--dyad", "CHN", "RUS",
                                  "--format", "csv", "--since", "2019-03-01", "--until", "2019-05-31"])
    assert as_csv.output.splitlines()[0].startswith("period,icews,phoenix,icews_events,phoenix_events")
    assert len(as_csv.output.splitlines()) == 4
