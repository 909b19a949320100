"""UN votes: loaders on the real unvotes and UNSC files, alignment on constructed and real data."""

from __future__ import annotations

import gzip

import pytest
from conftest import count_lines


@pytest.fixture(scope="module")
def unvotes(shared_data):
    return shared_data / "unvotes" / "cran-unvotes"


@pytest.fixture
def loaded(wl, unvotes, shared_data):
    summary = wl.ingest_unvotes(votes=unvotes / "unvotes.csv.gz", roll_calls=unvotes / "roll_calls.csv",
                                issues=unvotes / "issues.csv")
    wl.ingest_unsc(vetoes=shared_data / "unsc/world-politics-datalab-vetoes/unsc_vetoes_1946_sept2022.csv")
    return wl, summary


def gz_lines(path) -> int:
    with gzip.open(path, "rb") as handle:
        return sum(1 for _ in handle)


def test_nothing_lost_and_namibia_is_namibia(loaded, unvotes):
    wl, summary = loaded
    by_name = {r.path.rsplit("/", 1)[-1]: r for r in summary.files}
    assert by_name["roll_calls.csv"].stored == count_lines(unvotes / "roll_calls.csv") - 1
    assert by_name["issues.csv"].stored == count_lines(unvotes / "issues.csv") - 1
    assert by_name["unvotes.csv.gz"].stored == gz_lines(unvotes / "unvotes.csv.gz") - 1
    con = wl.store.con
    namibia = con.execute("SELECT DISTINCT state FROM votes WHERE state_name = 'Namibia'").fetchall()
    assert namibia == [("NAM",)]
    others = dict(con.execute("""
        SELECT state_name, any_value(state) FROM votes
        WHERE state_name IN ('Zanzibar', 'Yemen Arab Republic', 'Federal Republic of Germany')
        GROUP BY 1""").fetchall())
    assert others == {"Zanzibar": "ZAN", "Yemen Arab Republic": "YEM", "Federal Republic of Germany": "DEU"}
    assert con.execute("SELECT count(*) FROM votes WHERE state = 'PRK'").fetchall()[0][0] > 2000


def test_china_russia_agree_far_more_than_usa_russia(loaded):
    wl, _ = loaded
    chn_rus = {r["period"].year: r for r in wl.vote_alignment("CHN", "RUS").to_records()}
    usa_rus = {r["period"].year: r for r in wl.vote_alignment("USA", "RUS").to_records()}
    for year in range(2000, 2020):  # (in the 1990s Russia often voted with the US)
        assert 0 <= usa_rus[year]["agreement"] < chn_rus[year]["agreement"] <= 1, year
        assert chn_rus[year]["agreement"] - usa_rus[year]["agreement"] > 0.25, year
        assert chn_rus[year]["kappa"] > usa_rus[year]["kappa"]
    human_rights = wl.vote_alignment("CHN", "RUS", issue="hr", freq=None).to_records()[0]
    assert human_rights["votes"] > 500 and 0 < human_rights["kappa"] < 1


def test_unsc_co_veto_2022_and_split_2024(loaded):
    wl, _ = loaded
    split = wl.vote_splits("CHN", "RUS", body="unsc").to_records()
    march_2024 = [s for s in split if str(s["date"]) == "2024-03-28"]
    assert len(march_2024) == 1
    assert (march_2024[0]["vote_CHN"], march_2024[0]["vote_RUS"], march_2024[0]["veto_RUS"]) == ("abstain", "no", True)
    votes = wl.store.con.execute("""SELECT state, vote, veto FROM votes
        WHERE body = 'unsc' AND decision_id = 'S/2022/431' AND state IN ('CHN', 'RUS') ORDER BY 1""").fetchall()
    assert votes == [("CHN", "no", True), ("RUS", "no", True)]
    assert "S/2022/431" not in {s["decision_id"] for s in split}


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_alignment_on_constructed_votes(wl, tmp_path):
    rolls = write(tmp_path / "rc.csv", "rcid,session,importantvote,date,unres,amend,para,short,descr\n" + "".join(
        f"{i},70,0,2020-0{1 + i % 2}-01,R/70/{i},0,0,t{i},d{i}\n" for i in range(1, 5)))
    votes = write(tmp_path / "v.csv", "rcid,country,country_code,vote\n"
                  "1,China,CN,yes\n1,Russia,RU,yes\n2,China,CN,yes\n2,Russia,RU,no\n"
                  "3,China,CN,abstain\n3,Russia,RU,yes\n4,China,CN,no\n4,Russia,RU,no\n")
    wl.ingest_unvotes(votes=votes, roll_calls=rolls)
    whole = wl.vote_alignment("CHN", "RUS", freq=None).to_records()[0]
    assert whole["votes"] == 4 and whole["identical"] == 0.5
    assert whole["agreement"] == pytest.approx((1 + 0 + 0.5 + 1) / 4)
    assert whole["coincidence"] == pytest.approx(2 / 3)
    chance = 0.5 * 0.5 + 0.25 * 0.5 + 0.25 * 0  # yes, no, abstain shares of each
    assert whole["kappa"] == pytest.approx((0.5 - chance) / (1 - chance))
    splits = wl.vote_splits("China", "Russia").to_records()
    assert sorted(s["decision_id"] for s in splits) == ["2", "3"]


def test_malformed_vote_files(wl, tmp_path):
    rolls = write(tmp_path / "rc.csv", "rcid,session,importantvote,date,unres,amend,para,short,descr\n"
                  "1,70,0,2020-01-01,R/70/1,0,0,t,d\n2,70,0,someday,R/70/2,0,0,t,d\n")
    result = wl.ingest_unvotes(roll_calls=rolls).files[0]
    assert (result.read, result.stored, result.rejected) == (2, 1, 1)
    votes = write(tmp_path / "v.csv", "rcid,country,country_code,vote\n1,China,CN,yes\n1,Atlantis,AT1,yes\n"
                  "1,Russia,RU,maybe\n9,Russia,RU,yes\n1,China,CN,yes\n")
    result = wl.ingest_unvotes(votes=votes).files[0]
    assert (result.read, result.stored, result.rejected, result.duplicate) == (5, 1, 3, 1)
    reasons = {r["line"]: r["reason"] for r in wl.rejects(path="v.csv").to_records()}
    assert "unknown country: Atlantis" in reasons[3] and "unknown vote value: maybe" in reasons[4]
    assert "roll call 9 is not in the store" in reasons[5]
    wrong = write(tmp_path / "w.csv", "id,name,ballot\n1,China,yes\n")
    result = wl.ingest_unvotes(votes=wrong).files[0]
    assert result.status == "error" and "missing column(s) rcid, country, vote" in result.message


def test_unsc_table_counts_and_bad_rows(wl, tmp_path):
    summary = wl.ingest_unsc()
    assert summary.files[0].rejected == 0 and summary.files[0].stored >= 20
    bad = write(tmp_path / "t.csv", "decision_id,date,kind,outcome,yes,no,abstain,voted_no,abstained,vetoed_by,"
                "issues,title,sources\nS/1,2020-01-01,draft,failed,13,2,0,CHN;RUS,,CHN;DEU,sanctions,x,https://a.b\n")
    result = wl.ingest_unsc(table=bad).files[0]
    assert result.rejected == 1 and "vetoed_by" in wl.rejects(path="t.csv").to_records()[0]["reason"]
