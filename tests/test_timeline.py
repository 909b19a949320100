"""The bundled curated timeline (schema, sources) and the timeline loader."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date

import pytest

from weaklink.ingest.timeline import bundled_files
from weaklink.sources.timeline import COLUMNS, InvalidRow, parse_entry

HEADER = ",".join(COLUMNS)


def bundled_rows() -> list[dict]:
    rows = []
    for path in bundled_files():
        with path.open(encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == COLUMNS, path.name
            rows += [{**row, "_file": path.name} for row in reader]
    return rows


def test_bundled_timeline_is_valid_and_large_enough():
    rows = bundled_rows()
    entries = [parse_entry(row) for row in rows]  # raises InvalidRow on any bad row
    assert len(entries) >= 150
    assert not [i for i, n in Counter(e.id for e in entries).items() if n > 1]
    same_event = Counter((e.date, e.kind, frozenset(e.actors)) for e in entries)
    assert not [k for k, n in same_event.items() if n > 1], "the same event appears twice"
    assert min(e.date for e in entries) >= date(2015, 1, 1)
    assert all(e.sources and all(u.startswith("https://") for u in e.sources) for e in entries)
    assert {"summit", "visit", "exercise", "arms_transfer", "unsc_vote", "joint_statement"} <= {e.kind for e in entries}
    assert {"CHN", "PRK", "RUS", "KOR", "USA", "JPN"} <= {a for e in entries for a in e.actors}


@pytest.mark.parametrize("change, reason", [
    ({"date": "2024-02-30"}, "date is not a date"),
    ({"end_date": "2017-01-01"}, "before date"),
    ({"kind": "party"}, "kind must be one of"),
    ({"actors": "CHN;XXX"}, "'XXX' is not an ISO3"),
    ({"level": "president"}, "level must be one of"),
    ({"cameo_code": "42"}, "not a CAMEO event code"),
    ({"quad_class": "4"}, "does not match code 042"),
    ({"sources": "www.example.org/page"}, "not a URL"),
    ({"confidence": "sure"}, "confidence must be one of"),
    ({"id": "Bad Id"}, "id must be lowercase"),
])
def test_invalid_rows_say_which_column(change, reason):
    row = {"id": "2018-03-26-test", "date": "2018-03-26", "end_date": "2018-03-28", "kind": "visit",
           "actors": "PRK;CHN", "level": "leader", "cameo_code": "042", "quad_class": "1",
           "description": "A visit.", "sources": "https://example.org/a", "confidence": "high"}
    parse_entry(row)
    with pytest.raises(InvalidRow, match=reason):
        parse_entry({**row, **change})


def write_timeline(path, rows: list[str]):
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


ROW = "{id},{date},,{kind},{actors},{level},042,1,{text},https://example.org/{id},high"


def row(id, date="2023-07-26", kind="visit", actors="CHN;PRK", level="leader", text="A visit"):
    return ROW.format(id=id, date=date, kind=kind, actors=actors, level=level, text=text)


def test_own_timeline_rejects_duplicates_and_updates(wl, tmp_path):
    path = write_timeline(tmp_path / "mine.csv", [
        row("a-1"), row("a-2", kind="meeting"), row("a-3", actors="CHN;ATLANTIS"), "not,enough", row("a-1")])
    result = wl.ingest_timeline([path]).files[0]
    assert (result.read, result.stored, result.rejected, result.duplicate) == (5, 1, 4, 0)
    reasons = {r["line"]: r["reason"] for r in wl.rejects().to_records()}
    assert "ATLANTIS" in reasons[4] and "more than once" in reasons[2] and "more than once" in reasons[6]
    fixed = write_timeline(tmp_path / "mine.csv", [row("a-1"), row("a-2", kind="meeting", text="Talks held")])
    again = wl.ingest_timeline([fixed]).files[0]
    assert (again.stored, again.duplicate) == (2, 0)
    same = wl.ingest_timeline([write_timeline(tmp_path / "copy.csv", [row("a-1")])]).files[0]
    assert (same.stored, same.duplicate) == (0, 1)
    listed = wl.timeline(actors=["PRK"]).to_records()
    assert [r["id"] for r in listed] == ["a-1", "a-2"] and listed[1]["description"] == "Talks held"


def test_missing_columns_is_a_clear_error(wl, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,date\nx,2020-01-01\n")
    result = wl.ingest_timeline([path]).files[0]
    assert result.status == "error" and "missing column(s)" in result.message


def test_bundled_timeline_loads_and_filters(wl):
    summary = wl.ingest_timeline()
    assert summary.totals.stored == len(bundled_rows()) and summary.totals.rejected == 0
    visits = wl.timeline(actors=["Russia", "North Korea"], kind="visit").to_records()
    assert visits and all({"RUS", "PRK"} <= set(v["actors"].split(";")) and v["kind"] == "visit" for v in visits)
    assert wl.ingest_timeline().totals.skipped == len(bundled_files())


def test_exchanges_count_each_dyad_of_a_meeting(wl, tmp_path):
    path = write_timeline(tmp_path / "x.csv", [
        row("t-1", date="2023-02-01", kind="summit", actors="CHN;PRK;RUS"),
        row("t-2", date="2023-05-01", kind="visit", actors="PRK;RUS", level="minister"),
        row("t-3", date="2023-05-02", kind="exercise", actors="CHN;RUS", level="military"),
        row("t-4", date="2024-08-01", kind="call", actors="CHN;USA"),
    ])
    wl.ingest_timeline([path])
    by_year = {(r["period"].year, r["dyad"]): r for r in
               wl.exchanges(["CHN", "PRK", "RUS"], freq="year", since="2022-01-01", until="2024-12-31").to_records()}
    assert by_year[(2023, "CHN-PRK")]["exchanges"] == 1 and by_year[(2023, "PRK-RUS")]["exchanges"] == 2
    assert by_year[(2023, "CHN-RUS")]["exchanges"] == 1 and by_year[(2023, "PRK-RUS")]["leader"] == 1
    assert by_year[(2022, "CHN-RUS")]["exchanges"] == 0 and by_year[(2024, "CHN-RUS")]["exchanges"] == 0
    leaders = wl.exchanges(["CHN", "USA"], level="leader", freq="year").to_records()
    assert [(r["period"].year, r["exchanges"]) for r in leaders] == [(2024, 1)]


def test_exchanges_without_entries_are_no_data_not_zeros_dated_today(wl, tmp_path):
    assert wl.exchanges(freq="year").to_records() == []  # an empty store: no row, not a zero for this year
    wl.ingest_timeline([write_timeline(tmp_path / "x.csv", [row("t-1", date="2023-02-01", kind="call", actors="CHN;USA"),
                                                            row("t-2", date="2024-08-01", kind="call", actors="CHN;USA")])])
    axis = wl.exchanges(freq="year").to_records()  # none among the axis: zeros over what the timeline covers
    assert sorted({r["period"].year for r in axis}) == [2023, 2024] and not any(r["exchanges"] for r in axis)
