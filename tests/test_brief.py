"""The briefing from the bundled data: every format, every section, every number traceable, figures load."""

from __future__ import annotations

import re
import shutil

import pytest
from pypdf import PdfReader

from weaklink.report import render
from weaklink.setup import run_demo

SECTIONS = ["bottom-line", "figures", "commitment", "signposts", "ach", "alerts", "timeline", "sources"]
NUMBER = re.compile(r"(?<![\w-])[-+]?\d+(?:\.\d+)?")
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@pytest.fixture(scope="module")
def briefing(tmp_path_factory):
    import weaklink

    folder = tmp_path_factory.mktemp("brief")
    wl = weaklink.connect(str(folder / "demo.duckdb"))
    run_demo(wl)
    data = wl.brief("axis")
    yield wl, data, folder
    wl.close()


def test_bottom_line_numbers_trace_to_the_api(briefing):
    wl, data, _ = briefing
    assert 3 <= len(data["bluf"]) <= 5
    recorded = {f["text"] for f in data["facts"]}
    for sentence in data["bluf"]:
        for day in DATE.findall(sentence):
            assert day in recorded, (day, sentence)
        for number in NUMBER.findall(DATE.sub(" ", sentence).replace("–", " ")):
            assert number in recorded, (number, sentence)
    weak = wl.weakest("axis", data["window"]["since"], data["window"]["until"])
    ach = wl.ach(as_of=data["window"]["until"])
    for fact in data["facts"]:
        parts = fact["source"].split(".")
        if fact["source"] == "weakest.method.level":
            assert fact["value"] == round(weak["method"]["level"] * 100)
        elif parts[:2] == ["weakest", "components"]:
            dyad = next(d for d in weak["components"] if d["dyad"] == parts[2])
            assert dyad[parts[3]] == fact["value"]
        elif parts[0] == "weakest":
            member = next(m for m in weak["members"] if m["actor"] == parts[2])
            assert member[parts[3]] == fact["value"]
        elif parts[0] == "coverage":
            assert fact["value"] == coverage_fact(wl, parts)
        elif parts[:2] == ["ach", "hypotheses"]:
            hypothesis = next(h for h in ach["hypotheses"] if h["id"] == parts[2])
            assert hypothesis[parts[3]] == fact["value"]
        elif parts[0] == "ach":
            later = [e for e in ach["excluded"] if e["reason"].startswith("counts from")]
            expected = {"ach.as_of": ach["as_of"], "ach.excluded.later": len(later),
                        "ach.excluded.no_data": len(ach["excluded"]) - len(later),
                        "ach.sensitivity.smallest_change.size": ach["sensitivity"]["smallest_change"]["size"]}
            assert fact["value"] == expected[fact["source"]]
        elif fact["source"].startswith("signposts."):
            board = wl.signposts(as_of=data["window"]["until"])
            counts = {**{status: sum(s["status"] == status for s in board)
                         for status in ("seen", "emerging", "not_seen", "no_data")},
                      "total": len(board), "changed": len(data["changed"])}
            assert fact["value"] == counts[parts[1]]
        elif parts[0] == "attribution":
            moved = data["attribution"]
            value = moved["cohesion"][int(parts[1][-2])] if parts[1].startswith("cohesion") else next(
                d["change"] for d in moved["dyads"] if d["dyad"] == parts[2])
            assert value == fact["value"]
        else:
            raise AssertionError(f"a number in the bottom line has no known source: {fact}")


def coverage_fact(wl, parts: list[str]):
    """coverage.DATASET.until, coverage.days.SINCE.UNTIL or coverage.DATASET.SINCE.UNTIL, from the coverage API."""
    from datetime import date

    from weaklink.coverage import covered_days, spans_for

    if parts[2] == "until":
        return spans_for(wl, parts[1])[-1][1].isoformat()
    since, until = date.fromisoformat(parts[2]), date.fromisoformat(parts[3])
    return (until - since).days + 1 if parts[1] == "days" else covered_days(spans_for(wl, parts[1]), since, until)


def test_the_briefing_says_what_the_data_cover(briefing):
    wl, data, _ = briefing
    as_of = wl.data_as_of().isoformat()
    assert data["as_of"] == data["window"]["until"] == as_of and as_of in data["title"]
    assert data["coverage"]["as_of"] == as_of
    counts = {status: sum(s["status"] == status for s in data["signposts"])
              for status in ("seen", "emerging", "not_seen", "no_data")}
    assert (f"{counts['seen']} seen, {counts['emerging']} emerging, {counts['not_seen']} not seen, "
            f"{counts['no_data']} without data") in data["bluf"][2]
    assert counts["no_data"] >= 5                     # the demo store holds no documents
    assert "media-coded events: gdelt covers" in data["bluf"][0] and "media-coded events" in data["bluf"][1]
    assert "interval" in data["bluf"][1].split("most central")[-1]   # intervals beside the centrality claim


def test_ach_and_the_briefing_give_the_same_matrix(briefing):
    wl, data, _ = briefing
    matrix = wl.ach()
    assert data["ach"]["as_of"] == matrix["as_of"] == data["as_of"]
    for key in ("hypotheses", "leaders", "excluded", "sensitivity"):
        assert data["ach"][key] == matrix[key], key
    assert [(e["id"], e["ratings"]) for e in data["ach"]["evidence"]] == [
        (e["id"], e["ratings"]) for e in matrix["evidence"]]


def test_html_is_complete_and_self_contained(briefing):
    _, data, folder = briefing
    html = render.to_html(data)
    for section in SECTIONS:
        assert f'id="{section}"' in html
    assert data["bluf"][0].split(":")[0] in html
    assert html.count("data:image/png;base64,") == len(data["figures"]) == 5
    assert not re.search(r"\{\{|\}\}|\{%|\bnan\b|\bNone\b|TODO", html)
    assert not re.search(r"<(?:script|link)\b[^>]*(?:src|href)=\"https?:", html)  # nothing fetched from outside
    for file in data["sources"]["files"]:
        assert file["sha256"] in html
    assert "Voeten" not in html or "unga" in data["sources"]["citations"]
    assert "GDELT" in html and "Data vintage" in html


def test_markdown_and_pdf(briefing):
    _, data, folder = briefing
    md = render.write(data, folder / "brief.md").read_text(encoding="utf-8")
    assert md.startswith("# ") and "## Bottom line up front" in md and "## Sources and provenance" in md
    assert all((folder / "brief_figures" / f"{f['id']}.png").stat().st_size > 1000 for f in data["figures"])
    if not shutil.which("chromium"):
        pytest.skip("PDF needs Debian's chromium (installed by `make test`)")
    pdf = render.write(data, folder / "brief.pdf")
    reader = PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 4 and "Bottom line up front" in text and "Sources and provenance" in text


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (installed by `make test`)")
def test_html_renders_in_chromium_with_its_figures(briefing):
    from playwright.sync_api import sync_playwright

    _, data, folder = briefing
    page_file = folder / "brief.html"
    page_file.write_text(render.to_html(data), encoding="utf-8")
    requested = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page()
        page.on("request", lambda r: requested.append(r.url))
        page.goto(page_file.as_uri())
        loaded = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
        heading = page.inner_text("h1")
        page.screenshot(path=str(folder / "brief.png"), full_page=False)
        browser.close()
    assert loaded == [True] * 5
    assert heading == data["title"]
    assert all(url.startswith(("file:", "data:")) for url in requested)
