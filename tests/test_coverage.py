"""Coverage as data: the spans each source covers, its gaps, and the day the data end (docs/coverage.md)."""

from __future__ import annotations

from datetime import date

from gdelt_lines import gdelt_line, write_lines

from weaklink.coverage import covered_fraction, data_as_of, gaps, intersect, merge, spans_for

HEADER = "id,date,end_date,kind,actors,level,cameo_code,quad_class,description,sources,confidence\n"


def d(text: str) -> date:
    return date.fromisoformat(text)


def timeline(tmp_path, rows: list[tuple[str, str]]):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "".join(f"{i},{day},,visit,CHN;PRK,leader,040,1,A visit.,https://example.org/{i},high\n"
                                     for i, day in rows), encoding="utf-8")
    return path


def daily_file(folder, day: str, first_id: int, count: int = 3):
    """A GDELT 1.0 daily export named by its day, its events added that day (reported on earlier dates)."""
    lines = [gdelt_line(first_id + k, version=1, sqldate="20231201", dateadded=day) for k in range(count)]
    return write_lines(folder / f"{day}.export.CSV", lines)


def test_two_gdelt_files_with_a_gap_between_them(wl, tmp_path):
    wl.ingest_gdelt([daily_file(tmp_path, "20240110", 1), daily_file(tmp_path, "20240120", 10)])
    report = wl.coverage()
    gdelt = next(s for s in report["sources"] if s["source"] == "gdelt")
    assert gdelt["spans"] == [["2024-01-10", "2024-01-10"], ["2024-01-20", "2024-01-20"]]
    assert gdelt["gaps"] == [["2024-01-11", "2024-01-19"]]
    assert (gdelt["since"], gdelt["until"], gdelt["days_covered"], gdelt["rows"], gdelt["files"]) == (
        "2024-01-10", "2024-01-20", 2, 6, 2)
    assert report["as_of"] == "2024-01-20"
    # the events' own dates (2023-12-01) are not coverage: a file covers the day it was published
    assert covered_fraction(spans_for(wl, "gdelt"), d("2024-01-10"), d("2024-01-19")) == 0.1


def test_a_file_covers_its_day_even_when_every_line_was_already_stored(wl, tmp_path):
    wl.ingest_gdelt([daily_file(tmp_path, "20240110", 1)])
    again = tmp_path / "again"
    again.mkdir()
    lines = [gdelt_line(k, version=1, sqldate="20231201", dateadded="20240110", mentions=9) for k in range(1, 4)]
    same = write_lines(again / "20240111.export.CSV", lines)
    assert wl.ingest_gdelt([same]).files[0].duplicate == 3  # another file (sha256), the same record ids
    assert spans_for(wl, "gdelt") == [(d("2024-01-10"), d("2024-01-11"))]


def test_gdelt_2_fifteen_minute_file_covers_its_day(wl, tmp_path):
    lines = [gdelt_line(k, sqldate="20240301", dateadded="20240305101500") for k in range(1, 3)]
    wl.ingest_gdelt([write_lines(tmp_path / "20240305101500.export.CSV", lines)])
    assert spans_for(wl, "gdelt") == [(d("2024-03-05"), d("2024-03-05"))]


def test_curated_votes_and_documents(wl, tmp_path):
    wl.ingest_timeline([timeline(tmp_path, [("a", "2020-03-01"), ("b", "2022-06-30")])])
    wl.ingest_unsc()
    doc = tmp_path / "s.md"
    doc.write_text("---\ndate: 2023-02-01\nissuers: [CHN, RUS]\nkind: joint_statement\n---\nText.\n")
    wl.ingest_docs([doc])
    report = {s["source"]: s for s in wl.coverage()["sources"]}
    assert (report["curated"]["since"], report["curated"]["until"], report["curated"]["gaps"]) == (
        "2020-03-01", "2022-06-30", [])
    assert "curated list" in report["curated"]["note"]
    assert report["unsc"]["since"] == "2006-07-15" and report["unsc"]["until"] == "2024-03-28"
    assert report["documents:CHN"]["rows"] == 1 and report["documents:RUS:joint_statement"]["until"] == "2023-02-01"
    assert "documents:CHN:None" not in report
    assert data_as_of(wl) == d("2024-03-28")


def test_unga_sessions_cover_september_to_august_and_the_last_one_to_its_last_vote(wl, tmp_path):
    rolls = tmp_path / "rc.csv"
    rolls.write_text("rcid,session,importantvote,date,unres,amend,para,short,descr\n"
                     "1,70,0,2015-12-01,R/70/1,0,0,a,a\n2,70,0,2016-03-01,R/70/2,0,0,b,b\n"
                     "3,72,0,2017-12-01,R/72/3,0,0,c,c\n")
    wl.ingest_unvotes(roll_calls=rolls)
    unga = next(s for s in wl.coverage()["sources"] if s["source"] == "unga")
    assert unga["spans"] == [["2015-09-01", "2016-08-31"], ["2017-09-01", "2017-12-01"]]
    assert unga["gaps"] == [["2016-09-01", "2017-08-31"]]  # session 71 is not in the store
    assert unga["sessions"] == [70, 72] and unga["until"] == "2017-12-01"


def test_empty_store():
    import weaklink

    with weaklink.connect("duckdb:///:memory:") as wl:
        assert wl.coverage() == {"as_of": None, "sources": []}
        assert data_as_of(wl) is None


def test_span_arithmetic():
    spans = [(d("2024-01-01"), d("2024-01-10")), (d("2024-01-11"), d("2024-01-15")), (d("2024-02-01"), d("2024-02-01"))]
    assert merge(spans) == [(d("2024-01-01"), d("2024-01-15")), (d("2024-02-01"), d("2024-02-01"))]
    assert gaps(spans) == [(d("2024-01-16"), d("2024-01-31"))]
    assert gaps(spans, d("2023-12-30"), d("2024-02-03")) == [
        (d("2023-12-30"), d("2023-12-31")), (d("2024-01-16"), d("2024-01-31")), (d("2024-02-02"), d("2024-02-03"))]
    assert covered_fraction(spans, d("2024-01-11"), d("2024-01-20")) == 0.5
    assert covered_fraction([], d("2024-01-01"), d("2024-01-31")) == 0.0
    assert intersect(spans, [(d("2024-01-05"), d("2024-02-10"))]) == [
        (d("2024-01-05"), d("2024-01-15")), (d("2024-02-01"), d("2024-02-01"))]
