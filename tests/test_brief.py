"""The briefing from the bundled data: every format, every section, every number traceable, figures load."""

from __future__ import annotations

import re
import shutil

import pytest
from pypdf import PdfReader

from weaklink.report import html as report_html, output, values
from weaklink.project import run_demo

SECTIONS = ["bottom-line", "implications", "figures", "commitment", "signposts", "ach", "appendix", "method",
            "evidence", "alerts", "timeline", "sources"]
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
    # the demo's GDELT covers a few weeks of the year: no firm direction is claimed on it
    assert " tightened:" not in data["bluf"][0] and " loosened:" not in data["bluf"][0]
    assert "too thin to be sure" in data["bluf"][0] or "held steady" in data["bluf"][0]


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
    html = report_html.to_html(data)
    for section in SECTIONS:
        assert f'id="{section}"' in html
    assert data["bluf"][0].split(":")[0] in html
    drawn = [f for f in data["figures"] if not f.get("empty")]
    assert len(data["figures"]) == 5 and html.count("data:image/png;base64,") == len(drawn) >= 3
    assert not re.search(r"\{\{|\}\}|\{%|\bnan\b|\bNone\b|TODO", html)
    assert not re.search(r"<(?:script|link)\b[^>]*(?:src|href)=\"https?:", html)  # nothing fetched from outside
    for file in data["sources"]["files"]:   # short hashes and names relative to the ingest folder, no local path
        assert re.fullmatch(r"[0-9a-f]{12}", file["short"]) and file["short"] in html and file["sha256"] not in html
        assert file["file"] in html and file["path"] not in html and not file["file"].startswith("/")
    assert "Voeten" not in html or "unga" in data["sources"]["citations"]
    assert "GDELT" in html and "Data vintage" in html


def test_markdown_and_pdf(briefing):
    _, data, folder = briefing
    md = output.write(data, folder / "brief.md").read_text(encoding="utf-8")
    assert md.startswith("# ") and "## Bottom line up front" in md and "## Sources and provenance" in md
    assert all((folder / "brief_figures" / f"{f['id']}.png").stat().st_size > 1000
               for f in data["figures"] if not f.get("empty"))
    if not shutil.which("chromium"):
        pytest.skip("PDF needs Debian's chromium (installed by `make test`)")
    pdf = output.write(data, folder / "brief.pdf")
    reader = PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 4 and "Bottom line up front" in text and "Sources and provenance" in text


@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (installed by `make test`)")
def test_html_renders_in_chromium_with_its_figures(briefing):
    from playwright.sync_api import sync_playwright

    _, data, folder = briefing
    page_file = folder / "brief.html"
    page_file.write_text(report_html.to_html(data), encoding="utf-8")
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
    assert loaded == [True] * len([f for f in data["figures"] if not f.get("empty")])
    assert heading == data["title"]
    assert all(url.startswith(("file:", "data:")) for url in requested)


# --- a brief a reader can be handed (issue 13): structure, plain words, implications, print ----------------

CODE_LIKE = re.compile(r"\bNone\b|\bnan\b|\['|\{'|\bno_data\b|\bnot_seen\b")
needs_chromium = pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium (`make test`)")


@pytest.fixture(scope="module")
def printed(briefing):
    """The demo brief as PDF (printed once per module): its reader and the text of each page."""
    if not shutil.which("chromium"):
        pytest.skip("PDF needs Debian's chromium (installed by `make test`)")
    _, data, folder = briefing
    reader = PdfReader(output.write(data, folder / "printed.pdf"))
    return reader, [page.extract_text() for page in reader.pages]


def visible_text(html: str) -> str:
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(style|title)\b.*?</\1>", " ", html, flags=re.S)))


def headings(html: str, md: str) -> tuple[list[str], list[str]]:
    from html import unescape

    in_html = [unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<h2\b[^>]*>(.*?)</h2>", html, re.S)]
    in_md = [line[3:].replace("\\", "").strip() for line in md.splitlines() if line.startswith("## ")]
    return in_html, in_md


@needs_chromium
def test_main_body_then_appendix_by_page_five(briefing, printed):
    _, data, _ = briefing
    reader, pages = printed
    first = next(n for n, text in enumerate(pages, start=1) if re.search(r"^Appendix\s*$", text, re.M))
    assert first <= 5, f"the Appendix starts on page {first}"
    main = "\n".join(pages[:first - 1])
    for heading in ("Bottom line up front", "What it means for the reader", "Figures", "Signpost board",
                    "Competing hypotheses"):
        assert heading in main, heading
    for n, text in enumerate(pages, start=1):   # header and footer on every page: as-of date, page N of M
        assert f"Page {n} of {len(pages)}" in text and f"Data as of {data['as_of']}" in text, n
    assert reader.metadata.title == data["title"]


@needs_chromium
def test_no_raw_values_or_code_like_text(briefing, printed):
    _, data, folder = briefing
    text = "\n".join(printed[1])
    md = output.write(data, folder / "plain.md").read_text(encoding="utf-8")
    for name, body in (("pdf", text), ("html", visible_text(report_html.to_html(data))), ("md", md)):
        assert not CODE_LIKE.search(body), (name, CODE_LIKE.search(body)[0],
                                            body[max(CODE_LIKE.search(body).start() - 80, 0):][:160])
    for file in data["sources"]["files"]:
        assert file["path"] not in text.replace("\n", "") and file["short"] in text


def test_evidence_and_event_text_is_never_cut_mid_word(briefing):
    _, data, _ = briefing
    items = [e for s in data["signposts"] for e in s["evidence"] if e.get("description")]
    assert items, "the demo board should carry curated evidence"
    shortened = 0
    for item in items:
        line = values.evidence_line(item)
        full = " ".join(item["description"].split())
        if full in line:
            continue
        part = values.shorten(full, 240)
        assert part in line and part.endswith("…") and full.startswith(part[:-1]), line[-80:]
        cut = len(part) - 1
        assert not full[cut].isalnum() or not full[cut - 1].isalnum(), part[-40:]   # ends at a word boundary
        shortened += 1
    assert shortened, "the demo evidence includes descriptions long enough to be shortened"
    assert values.shorten("alpha beta gamma", 12) == "alpha beta…" and values.shorten("short", 12) == "short"
    html = report_html.to_html(data)
    for t in data["timeline"]:   # curated events are shown whole in the appendix (wrapped, not cut)
        assert report_html.html_environment().from_string("{{ x }}").render(x=t["description"]) in html


def test_markdown_and_html_have_the_same_sections(briefing):
    _, data, folder = briefing
    md = output.write(data, folder / "sections.md").read_text(encoding="utf-8")
    in_html, in_md = headings(report_html.to_html(data), md)
    assert in_html == in_md and "Appendix" in in_html
    assert in_html.index("Competing hypotheses") < in_html.index("Appendix") < in_html.index("Sources and provenance")


def test_implications_of_the_scenarios_that_moved(briefing):
    wl, data, _ = briefing
    status = {s["id"]: s["status"] for s in data["signposts"]}
    shown = data["implications"]
    assert {sc["id"] for sc in shown["triggered"] + shown["quiet"]} == {sc.id for sc in wl.watch.scenarios}
    for sc in shown["triggered"]:
        assert sc["signposts"] and all(status[s["id"]] in ("seen", "emerging") for s in sc["signposts"])
        assert sc["implications"], "the bundled watch file gives every scenario implications"
    html = visible_text(report_html.to_html(data))
    assert all(line.split(":")[0] in html for sc in shown["triggered"] for line in sc["implications"])
    assert "Did not trigger" in html
    from weaklink.report.brief import implications

    quiet = implications(wl, [{**s, "status": "not_seen"} for s in data["signposts"]])
    assert not quiet["triggered"] and len(quiet["quiet"]) == len(wl.watch.scenarios)


def test_bottom_line_has_a_legend_and_names_hypotheses(briefing):
    _, data, _ = briefing
    legend = " ".join(data["legend"])
    assert "below 0.5 means it puts in less than it gets back" in legend and "without data" in legend
    for h in data["ach"]["hypotheses"]:
        if h["id"] in data["bluf"][3]:
            assert f"{h['id']} ({h['title']})" in data["bluf"][3]


def test_figures_read_in_grey_and_colour_blind():
    from weaklink.report import figures

    assert len({colour for _, _, colour in figures.STYLES}) == len(figures.STYLES)
    assert len({str(line) for line, _, _ in figures.STYLES}) == len({m for _, m, _ in figures.STYLES}) == len(
        figures.STYLES)
    assert {c.upper() for _, _, c in figures.STYLES} <= {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442",
                                                          "#0072B2", "#D55E00", "#CC79A7"}


def test_no_line_bridges_missing_years():
    from datetime import date

    from weaklink.report import figures

    x, y = figures.yearly_with_gaps({date(2001, 1, 1): 0.5, date(1999, 1, 1): 0.4, date(2000, 1, 1): 0.6,
                                     date(2005, 1, 1): 0.7})
    assert [d.year for d in x] == [1999, 2000, 2001, 2002, 2005]
    assert y[:3] == [0.4, 0.6, 0.5] and y[3] != y[3] and y[4] == 0.7   # a NaN between 2001 and 2005
    assert figures._months(date(2024, 12, 10), date(2025, 2, 1)) == [date(2024, 12, 1), date(2025, 1, 1),
                                                                      date(2025, 2, 1)]


def test_print_rules_and_escaped_margins(briefing):
    from weaklink.report import pdf

    _, data, _ = briefing
    html = report_html.to_html(data)
    assert "thead { display: table-header-group; }" in html and "break-after: avoid" in html
    assert "overflow-wrap: anywhere" in html
    assert html.count("<table") == html.count("<thead>")          # every table repeats its header on a new page
    options = pdf.header_footer('<img src=x onerror="alert(1)"> title', "2025-12-09<script>")
    assert "<img" not in options["headerTemplate"] and "&lt;img" in options["headerTemplate"]
    assert "<script>" not in options["footerTemplate"] and 'class="pageNumber"' in options["footerTemplate"]
