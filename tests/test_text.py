"""Documents and rhetoric on test documents we wrote in five languages, with hand-counted expectations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from weaklink.text import analysis
from weaklink.text.extract import _front_matter, detect_language
from weaklink.watch import load_watch

DOCS = Path(__file__).parent / "text_docs"
EXPECTED = json.loads((DOCS / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lex():
    return analysis.lexicons(load_watch())


def body(name: str) -> str:
    return _front_matter((DOCS / name).read_text(encoding="utf-8"))[1]


@pytest.mark.parametrize("name", sorted(EXPECTED["documents"]))
def test_mentions_and_terms_match_hand_counts(lex, name):
    expected = EXPECTED["documents"][name]
    found = analysis.mentions(body(name), lex)
    got = {a: {"names": m["count"], "demonyms": m["demonyms"], "metonyms": m["metonyms"]} for a, m in found.items()}
    assert got == expected["actors"]
    terms = {t: n for t, n in analysis.term_counts(body(name), lex).items() if n}
    assert terms == expected["framing"]
    assert detect_language(body(name)) == expected["language"]


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED["documents"].items() if e["negated"]))
def test_negated_tone_is_cancelled(lex, name):
    text = body(name)
    negated = {h.text for h, is_negated in analysis._tone_hits(text, lex) if is_negated}
    for item in EXPECTED["documents"][name]["negated"]:
        assert item["term"] in negated, item


def test_hits_keep_their_positions(lex):
    text = body("2024-06-20-en-prk-kcna-commentary.md")
    for actor, found in analysis.mentions(text, lex).items():
        for hit in found["hits"]:
            assert text[hit["start"]:hit["end"]] == hit["text"]


@pytest.mark.parametrize("text, actor, count", [
    ("Let us work together. Let us not forget.", "USA", 0),
    ("The US-led bloc", "USA", 1),
    ("U.S.-ROK drills", "USA", 1),
    ("U.S.-ROK drills", "KOR", 1),
    ("The USSR and the Korean Peninsula", "USA", 0),
    ("The Korean Peninsula", "KOR", 0),
    ("The Korean Peninsula", "PRK", 0),
    ("The DPRK and North Korea", "PRK", 2),
    ("North Korea", "KOR", 0),
    ("Korea, Republic of", "KOR", 1),
    ("朝鲜半岛", "PRK", 0),
    ("조선반도", "PRK", 0),
    ("남조선", "KOR", 1),
])
def test_traps(lex, text, actor, count):
    assert analysis.mentions(text, lex).get(actor, {}).get("count", 0) == count


def test_demonyms_and_metonyms_are_separate_and_switchable(lex):
    text = "Americans met in Washington and the White House; the United States agreed."
    found = analysis.mentions(text, lex)["USA"]
    assert (found["count"], found["demonyms"], found["metonyms"]) == (1, 1, 2)
    names_only = analysis.mentions(text, lex, categories=("names",))["USA"]
    assert (names_only["count"], names_only["demonyms"], names_only["metonyms"]) == (1, 0, 0)


def test_comparison_of_two_statements(wl):
    spec = EXPECTED["compare"]
    result = wl.compare(DOCS / spec["old"], DOCS / spec["new"])
    assert result["terms_gained"] == spec["terms_gained"] and result["terms_lost"] == spec["terms_lost"]
    assert result["mentions_delta"] == spec["mentions_delta"]
    assert sorted(result["sentences_added"]) == sorted(spec["sentences_added"])
    assert sorted(result["sentences_removed"]) == sorted(spec["sentences_removed"])
    assert [(r["old"], r["new"]) for r in result["sentences_rewritten"]] == [
        (r["old"], r["new"]) for r in spec["sentences_rewritten"]]
    assert result["sentences_unchanged"] == spec["sentences_unchanged"]
    assert "denuclearisation dropped" in result["headline"] and "USA mentions 3 → 6" in result["headline"]
    html = wl.compare_html(DOCS / spec["old"], DOCS / spec["new"])
    assert "<del>" in html and "<ins>" in html and "http" not in html.split("<body>")[0]


def test_warmth_partner_and_third_party(wl):
    result = wl.warmth(DOCS / "2024-06-20-en-prk-kcna-commentary.md")["actors"]
    assert result["RUS"]["role"] == "partner" and result["RUS"]["score"] > 0
    assert result["USA"]["role"] == "third_party" and result["USA"]["score"] < 0
    assert all(s["text"] for s in result["USA"]["sentences"])


def test_ingest_documents_duplicates_and_errors(wl, tmp_path):
    summary = wl.ingest_docs([DOCS])
    assert summary.totals.stored == len(EXPECTED["documents"]) and summary.ok
    again = wl.ingest_docs([DOCS])
    assert again.totals.skipped == len(EXPECTED["documents"])
    source = (DOCS / "2024-06-20-en-prk-kcna-commentary.md").read_text(encoding="utf-8")
    page = "<html><head><title>KCNA</title></head><body><article>" + "".join(
        f"<p>{p}</p>" for p in body("2024-06-20-en-prk-kcna-commentary.md").split("\n\n")) + "</article></body></html>"
    (tmp_path / "copy.html").write_text(page, encoding="utf-8")
    (tmp_path / "copy.meta.yaml").write_text("date: 2024-06-20\nissuers: [PRK]\n", encoding="utf-8")
    near = wl.ingest_docs([tmp_path / "copy.html"]).files[0]
    assert (near.stored, near.duplicate) == (0, 1) and "near-duplicate" in near.message
    (tmp_path / "nodate.md").write_text(source.replace("date: 2024-06-20\n", ""), encoding="utf-8")
    (tmp_path / "noissuer.md").write_text(source.replace("issuers: [PRK]\n", ""), encoding="utf-8")
    errors = {Path(f.path).name: f.message for f in wl.ingest_docs([tmp_path / "nodate.md",
                                                                     tmp_path / "noissuer.md"]).files}
    assert "missing date" in errors["nodate.md"] and "missing issuers" in errors["noissuer.md"]


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text (Helvetica), offsets computed so pypdf reads it cleanly."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_with_sidecar(wl, tmp_path):
    (tmp_path / "readout.pdf").write_bytes(minimal_pdf("The United States and the DPRK held talks."))
    (tmp_path / "readout.meta.yaml").write_text("date: 2019-06-30\nissuers: USA\nparties: [USA, PRK]\n")
    result = wl.ingest_docs([tmp_path / "readout.pdf"]).files[0]
    assert result.stored == 1, result.message
    doc = wl.mentions(1)
    assert doc["mentions"]["USA"]["count"] == 1 and doc["mentions"]["PRK"]["count"] == 1
    assert doc["document"]["language"] == "en" and doc["document"]["date"] == "2019-06-30"


def test_cli_mentions_json_shape(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "weaklink", "--store", str(tmp_path / "s.duckdb"), "text",
                           "mentions", str(DOCS / "2024-04-12-zh-chn-mfa-press-conference.md"), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result) == {"document", "mentions"}
    usa = result["mentions"]["USA"]
    assert {"count", "demonyms", "metonyms", "hits"} <= set(usa)
    assert usa["count"] == EXPECTED["documents"]["2024-04-12-zh-chn-mfa-press-conference.md"]["actors"]["USA"]["names"]


def test_term_trends_per_issuer(wl):
    wl.ingest_docs([DOCS])
    rows = wl.term_trends(issuer="CHN", freq="year").to_pylist()
    by = {(r["period"].year, r["term"]): r for r in rows}
    assert by[(2024, "military_intimidation")]["count"] >= 1
    assert by[(2022, "denuclearisation")]["documents_using"] == 1
