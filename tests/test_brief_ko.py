"""The briefing in Korean: a complete catalogue, Korean words everywhere the report writes its own text, CJK fonts
in the HTML, the PDF and the figures, the watch file's Korean text, and a clear error for a language with no
catalogue. (English is covered by test_brief.py, unchanged.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from click.testing import CliRunner
from pypdf import PdfReader

from weaklink.errors import InvalidArgument, WatchFileError
from weaklink.report import figures, i18n, html as report_html, output
from weaklink.project import run_demo
from weaklink.watch import bundled_text, parse_watch

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "src/weaklink/locale/ko/LC_MESSAGES/weaklink.po"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
PLACEHOLDER = re.compile(r"%\(\w+\)[.\d]*[sdf]|%%")
# The English headings of the briefing: none may be left in the Korean one.
ENGLISH_HEADINGS = ["Bottom line up front", "What it means for the reader", "Figures", "Commitment and centrality",
                    "Signpost board", "Competing hypotheses", "Appendix", "Method notes", "Signpost evidence",
                    "Change alerts and the events behind them", "Curated events in the period",
                    "Sources and provenance"]
needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None,
                                    reason="needs Debian's chromium (installed by `make test`)")


def extracted_messages() -> set[str]:
    """Every message id the report's sources use, extracted with Babel by the project's babel.cfg."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {"_": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map,
                                                                        keywords=keywords):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def test_every_message_of_the_report_has_a_korean_translation():
    used = extracted_messages()
    assert len(used) > 150 and "Appendix" in used and "Bottom line up front" in used  # templates and Python
    catalogue = {m.id: m for m in read_po(PO.open("rb"), locale="ko") if m.id}
    missing = sorted(m for m in used if m not in catalogue)
    assert not missing, f"not in {PO.name} (run pybabel extract and update, docs/briefing.md): {missing}"
    untranslated = sorted(m for m in used if not catalogue[m].string)
    fuzzy = sorted(m for m in used if catalogue[m].fuzzy)
    assert not untranslated and not fuzzy, {"empty": untranslated, "fuzzy": fuzzy}
    stale = sorted(set(catalogue) - used)
    assert not stale, f"messages no source uses any more (pybabel update removes them): {stale}"
    for message in used:   # a translation keeps every placeholder, so the values land in its own word order
        assert sorted(PLACEHOLDER.findall(catalogue[message].string)) == sorted(PLACEHOLDER.findall(message)), message


def test_an_unknown_language_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidArgument, match=r"no briefing catalogue for language 'xx'; available: en, ko"):
        i18n.check_language("xx")
    from weaklink.cli import main

    result = CliRunner().invoke(main, ["--store", str(tmp_path / "s.duckdb"), "brief", "--lang", "xx", "--out",
                                       str(tmp_path / "b.html")])
    assert result.exit_code != 0 and "available: en, ko" in result.output
    assert not (tmp_path / "b.html").exists()


def test_watch_file_translations_are_validated():
    base = bundled_text()
    with pytest.raises(WatchFileError, match=r"line \d+: key 'translations.ko.signposts': unknown id\(s\) "
                                             r"\['no-such-signpost'\]"):
        parse_watch(base.replace('[translations.ko.signposts]\n',
                                 '[translations.ko.signposts]\nno-such-signpost = "?"\n'), "w.toml")
    with pytest.raises(WatchFileError, match=r"key 'translations.Korean': expected a language code"):
        parse_watch(base + '\n[translations.Korean.blocs]\naxis = "축"\n', "w.toml")
    with pytest.raises(WatchFileError, match=r"translations.ko.hypotheses.H1.titel"):
        parse_watch(base.replace('[translations.ko.hypotheses.H1]\ntitle', '[translations.ko.hypotheses.H1]\ntitel'),
                    "w.toml")


def test_untranslated_watch_text_falls_back_to_english_and_is_counted():
    from weaklink.report.watchtext import WatchText

    bare = parse_watch(bundled_text().split("\n[translations.ko.blocs]")[0], "no-korean.toml")
    assert not bare.translations
    text = WatchText(bare, "ko")
    question = bare.signposts[0].question
    assert text.question(bare.signposts[0].id, question) == question
    assert text.fallbacks == {f"signposts.{bare.signposts[0].id}"}
    bundled = WatchText(parse_watch(bundled_text(), "bundled"), "ko")
    assert HANGUL.search(bundled.question("trilateral-summit", "?")) and not bundled.fallbacks


@pytest.fixture(scope="module")
def korean(tmp_path_factory):
    """The demo store's briefing in Korean (data, HTML, Markdown, PDF pages), built once; matplotlib's warnings
    while drawing its figures are kept (a "Glyph ... missing" warning means tofu boxes in a figure)."""
    import weaklink

    folder = tmp_path_factory.mktemp("brief-ko")
    wl = weaklink.connect(str(folder / "demo.duckdb"))
    run_demo(wl)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = wl.brief("axis", lang="ko")
    html = report_html.to_html(data)
    md = output.write(data, folder / "brief.md").read_text(encoding="utf-8")
    yield {"wl": wl, "data": data, "html": html, "md": md, "folder": folder,
           "warnings": [str(w.message) for w in caught]}
    wl.close()


@pytest.fixture(scope="module")
def korean_pdf(korean):
    if shutil.which("chromium") is None:
        pytest.skip("needs Debian's chromium (installed by `make test`)")
    reader = PdfReader(output.write(korean["data"], korean["folder"] / "brief.pdf"))
    return reader, [page.extract_text() for page in reader.pages]


def visible_text(html: str) -> str:
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(style|title)\b.*?</\1>", " ", html, flags=re.DOTALL)))


def test_korean_html_has_hangul_headings_and_no_english_ones(korean):
    html, md = korean["html"], korean["md"]
    assert '<html lang="ko">' in html and "Noto Serif CJK KR" in html and "word-break: keep-all" in html
    in_html = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2\b[^>]*>(.*?)</h2>", html, re.DOTALL)]
    in_md = [line[3:].strip() for line in md.splitlines() if line.startswith("## ")]
    assert len(in_html) == len(ENGLISH_HEADINGS) and in_md == in_html
    assert all(HANGUL.search(h) for h in in_html), in_html
    assert "부록" in in_html and "핵심 요약" in in_html
    shown = visible_text(html) + md
    for english in ENGLISH_HEADINGS + ["How to read the numbers", "Did not trigger", "Data vintage",
                                       "weaklink briefing", "without data", "chance it is the lowest"]:
        assert not re.search(rf"(?<![\w/]){re.escape(english)}\b", shown), english


def test_korean_sentences_carry_the_same_facts(korean):
    data = korean["data"]
    assert data["lang"] == "ko" and not data["untranslated"]   # the bundled watch file is translated in full
    assert all(HANGUL.search(s) for s in data["bluf"] + data["legend"] + [data["title"], data["weakest"]["summary"]])
    for fact in data["facts"]:
        assert any(fact["text"] in sentence for sentence in data["bluf"]), fact
    dates = [f for f in data["facts"] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(f["value"]))]
    assert all(re.fullmatch(r"\d{4}년 \d{1,2}월 \d{1,2}일", f["text"]) for f in dates), dates
    titles = {h["id"]: h["title"] for h in data["ach"]["hypotheses"]}
    assert all(HANGUL.search(t) for t in titles.values())
    assert all(HANGUL.search(s["question"]) for s in data["signposts"])
    scenarios = data["implications"]["triggered"] + data["implications"]["quiet"]
    assert scenarios and all(HANGUL.search(sc["title"]) and all(HANGUL.search(i) for i in sc["implications"])
                             for sc in scenarios)
    english = {h.id: h.title for h in korean["wl"].watch.hypotheses}   # the watch file's own text stays English
    assert set(english) == set(titles) and not any(HANGUL.search(t) for t in english.values())


def test_korean_figures_draw_every_glyph(korean):
    assert not [w for w in korean["warnings"] if "Glyph" in w and "missing" in w], korean["warnings"]
    family = figures.font_settings("ko")["font.sans-serif"][0]
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    font = FT2Font(font_manager.findfont(family, fallback_to_default=False))
    assert all(font.get_char_index(ord(c)) for c in "가장약한고리결속도월년")
    drawn = [f for f in korean["data"]["figures"] if not f.get("empty")]
    assert drawn and all(HANGUL.search(f["title"]) and HANGUL.search(f["caption"]) for f in drawn)
    assert figures.font_settings("en") == {}


@needs_chromium
def test_korean_pdf_text_fonts_and_appendix_by_page_five(korean, korean_pdf):
    _, pages = korean_pdf
    first = next(n for n, text in enumerate(pages, start=1) if re.search(r"^부록\s*$", text, re.MULTILINE))
    assert first <= 5, f"the Appendix (부록) starts on page {first}"
    assert "핵심 요약" in pages[0] and "시사점" in "\n".join(pages[:first - 1])
    for n, text in enumerate(pages, start=1):   # the footer in Korean on every page
        assert re.search(rf"{n}\s*/\s*{len(pages)}\s*쪽", text), (n, text[-200:])
    # the fonts the page asks for are there (chromium embeds the CJK glyphs as Type 3 outlines, without names)
    for family in ("Noto Serif CJK KR", "Noto Sans CJK KR"):
        found = subprocess.run(["fc-match", "--format=%{family}", family], capture_output=True, text=True,
                               check=True).stdout
        assert family in found, (family, found)
    assert all(HANGUL.search(text) for text in pages)   # Korean on every page (the header and footer at least)


@needs_chromium
def test_no_raw_values_in_any_korean_output(korean, korean_pdf):
    _, pages = korean_pdf
    for name, body in (("pdf", "\n".join(pages)), ("html", visible_text(korean["html"])), ("md", korean["md"])):
        for raw in (r"\bNone\b", r"\bnan\b", r"\['", r"\{'"):
            assert not re.search(raw, body), (name, raw, re.search(rf".{{0,60}}{raw}.{{0,60}}", body))


def _messages_in(value) -> list:
    """Every generated message (weaklink.messages) left in a data structure, i.e. not rendered for the reader."""
    from weaklink.messages import Listing, Message, Term

    if isinstance(value, (Message, Listing, Term)):
        return [value]
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages_in(v)]
    if isinstance(value, (list, tuple)):
        return [m for v in value for m in _messages_in(v)]
    return []


def test_generated_sentences_are_in_korean(korean):
    """What the data show (signpost details), the ACH bases and reasons for leaving items out, and the alert
    explanations are written by the analysis in English and rendered through the Korean catalogue."""
    data = korean["data"]
    sentences = ([s["detail"] for s in data["signposts"]] + [e["basis"] for e in data["ach"]["evidence"]]
                 + [e["reason"] for e in data["ach"]["excluded"]] + [a["explanation"] for a in data["alerts"]])
    assert len(sentences) > len(data["signposts"]) and data["ach"]["evidence"]
    assert all(HANGUL.search(s) for s in sentences), [s for s in sentences if not HANGUL.search(s)]
    shown = [k for k in ("signposts", "ach", "alerts", "bluf", "weakest") if _messages_in(data[k])]
    assert not shown, f"generated messages not rendered for the reader in {shown}"
    english = ["needed", "matching event", "no data", "of the window", "ratings for", "rated by", "held back",
               "baseline", "window mean", "parts seen", "not yet", "signpost "]
    text = visible_text(korean["html"]) + korean["md"]
    left = [re.search(rf".{{0,60}}\b{re.escape(w)}.{{0,60}}", text) for w in english]
    assert not any(left), [m.group(0) for m in left if m]
    ids = [s["id"] for s in data["changed"]]   # signposts named by their (Korean) question, never by their id
    assert not [i for i in ids if i.replace("-", " ") in data["bluf"][2]], data["bluf"][2]


def test_messages_are_the_english_text_and_render_through_the_catalogue(korean):
    from weaklink.messages import Day, Listing, Message, Term
    from weaklink.report.words import localize

    detail = Message("%(found)s %(what)s, %(needed)s needed", found=2, what=Message("matching event(s)"), needed=1)
    reason = Message("signpost %(signpost)s is %(status)s%(since)s: ratings for '%(key)s'", signpost="s-1",
                     status=Term("not_seen", "not seen"), key=Term("not_seen"),
                     since=Message(" since %(day)s", day=Day("2025-02-10")))
    listing = Listing("; ", [detail, reason])
    assert detail == "2 matching event(s), 1 needed" and localize(detail) == detail   # English: the same text
    assert reason == "signpost s-1 is not seen since 2025-02-10: ratings for 'not_seen'"
    with i18n.using("ko"):
        assert localize(detail) == "해당 사건 2건 (필요: 1건)"
        korean_reason = localize(reason)
        assert "2025년 2월 10일" in korean_reason and "not" not in korean_reason and "s-1" in korean_reason
        assert localize(listing) == f"{localize(detail)}; {korean_reason}"
        unknown = Message("an id no catalogue has: %(n)s", n=1)   # untranslated: found by the catalogue test
        assert localize(unknown) == "an id no catalogue has: 1"
    used = extracted_messages()   # babel.cfg covers the producers, so the catalogue test fails on a new message
    assert {"matching event(s)", "rated by the watch file's author", "mean Goldstein score"} <= used
