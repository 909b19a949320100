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
        for number in NUMBER.findall(sentence.replace("–", " ")):
            assert number in recorded, (number, sentence)
    weak = wl.weakest("axis", data["window"]["since"], data["window"]["until"])
    ach = wl.ach(as_of=data["window"]["until"])
    for fact in data["facts"]:
        parts = fact["source"].split(".")
        if fact["source"] == "weakest.method.level":
            assert fact["value"] == round(weak["method"]["level"] * 100)
        elif parts[0] == "weakest":
            member = next(m for m in weak["members"] if m["actor"] == parts[2])
            assert member[parts[3]] == fact["value"]
        elif parts[0] == "ach":
            hypothesis = next(h for h in ach["hypotheses"] if h["id"] == parts[2])
            assert hypothesis[parts[3]] == fact["value"]
        elif fact["source"].startswith("signposts."):
            board = wl.signposts(as_of=data["window"]["until"])
            counts = {"seen": sum(s["status"] == "seen" for s in board), "total": len(board),
                      "changed": len(data["changed"])}
            assert fact["value"] == counts[parts[1]]
        elif parts[0] == "attribution":
            moved = data["attribution"]
            value = moved["cohesion"][int(parts[1][-2])] if parts[1].startswith("cohesion") else next(
                d["change"] for d in moved["dyads"] if d["dyad"] == parts[2])
            assert value == fact["value"]
        else:
            raise AssertionError(f"a number in the bottom line has no known source: {fact}")


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
