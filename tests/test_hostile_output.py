"""Hostile data never becomes markup: every template escapes every field, links are http(s) only, the PDF
renderer runs no script and loads nothing within a hard time limit, and output files are replaced atomically."""

from __future__ import annotations

import http.server
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from gdelt_lines import write_hostile_inputs
from markdown_it import MarkdownIt

from weaklink.errors import InvalidArgument
from weaklink.fileio import OutputError, atomic_write_text
from weaklink.report import pdf, html as report_html, output, values
from weaklink.project import run_demo
from weaklink.text import analysis, compare

HAS_CHROMIUM = shutil.which("chromium") is not None
needs_chromium = pytest.mark.skipif(not HAS_CHROMIUM, reason="needs Debian's chromium (installed by `make test`)")
# A script that would set a marker, write PWNED (a word its own text does not hold) and open a dialog.
SCRIPT = '"><script>window.__pwned=1;document.title=document.body.innerHTML="PWN"+"ED";alert(1)</script>'
PAYLOADS = [SCRIPT, "<img src=x onerror=alert(1)>", "javascript:alert(1)", "[x](javascript:alert(1))", "| a | b |",
            "<svg onload=alert(1)>", "![i](https://evil.example/i.png)", "`code` *em* _u_", "&lt;b&gt;",
            "JaVaScRiPt:alert(1)", " java\tscript:alert(1)", "<a href=x>a</a>", "\n# heading\n<script>x</script>",
            "<script>for(;;){}</script>", "https://ok.example/\" onmouseover=\"alert(1)"]
MARKUP = [p for p in PAYLOADS if "<" in p]
HTML_ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "id", "class", "src", "alt", "href", "rel"}
MD_TAGS = {"h1", "h2", "p", "ul", "li", "em", "strong", "img", "table", "thead", "tbody", "tr", "th", "td"}


# --- helpers ---------------------------------------------------------------------------------------------

def strings(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings(v) for v in value.values()), set())
    if isinstance(value, (list, tuple)):
        return set().union(*(strings(v) for v in value), set())
    return set()


def poisoned(value, change, data_keys: set[str]):
    """Every string passed through `change`; so are the keys of mappings keyed by data values (ratings keyed by
    hypothesis id, citations keyed by dataset), but not the field names of records."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        keyed_by_data = bool(value) and all(k in data_keys for k in value)
        return {(change(k) if keyed_by_data else k): poisoned(v, change, data_keys) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [poisoned(v, change, data_keys) for v in value]
    return value


def variants(data: dict):
    """Each string replaced by each payload in turn, then every payload appended to every string (and the
    same with the figures' PNG kept, so the Markdown image lines carry hostile titles too)."""
    keys = strings(data)
    for k in range(len(PAYLOADS)):
        yield f"replace-{k}", poisoned(data, lambda s, k=k: PAYLOADS[(zlib.crc32(s.encode()) + k) % len(PAYLOADS)],
                                       keys)
    everything = " ".join(PAYLOADS)
    yield "append", poisoned(data, lambda s: f"{s} {everything}", keys)
    kept = poisoned(data, lambda s: f"{s} {everything}", keys)
    for clean, dirty in zip(data["figures"], kept["figures"]):
        dirty["png"] = clean["png"]
    yield "append-keep-png", kept


class Elements(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def web_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r'[\s"<>\\]', value)


def assert_inert_html(html: str, allowed_tags: set[str], attributes: set[str] = HTML_ATTRIBUTES) -> None:
    lowered = html.lower()
    assert "<script" not in lowered and "<svg" not in lowered and 'href="javascript:' not in lowered
    for payload in MARKUP:
        assert payload.strip() not in html, payload
    for tag, attrs in Elements(html).found:
        assert tag in allowed_tags, (tag, attrs)
        assert set(attrs) <= attributes, (tag, attrs)
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "a":
            assert web_url(attrs["href"]), attrs
        if tag == "img":
            assert attrs["src"] == "" or re.fullmatch(r"data:image/png;base64,[A-Za-z0-9+/]+=*", attrs["src"]), attrs
        if tag == "meta" and attrs.get("http-equiv"):
            assert attrs["content"] == report_html.CSP


def assert_inert_markdown(text: str, figure_dir: str) -> None:
    assert "<" not in text, "raw HTML in the Markdown"
    table_pipes = None
    for line in text.splitlines():
        if line.startswith("|"):  # every row of a table has the header's number of cells
            pipes = len(re.findall(r"(?<!\\)\|", line))
            table_pipes = table_pipes or pipes
            assert pipes == table_pipes, line
        else:
            table_pipes = None
        if re.search(r"(?<!\\)\]\(", line):  # the only link syntax: our own figure images
            assert re.fullmatch(rf"!\[Figure \d+\. .*\]\({re.escape(figure_dir)}/[A-Za-z0-9_-]+\.png\)", line), line
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    for tag, attrs in Elements(rendered).found:
        assert tag in MD_TAGS, (tag, attrs)
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        if tag == "img":
            assert re.fullmatch(rf"{re.escape(figure_dir)}/[A-Za-z0-9_-]+\.png", attrs["src"]), attrs


# --- a store built from hostile data through the real ingest paths --------------------------------------

@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Path:
    """The demo store plus a GDELT export (hostile SOURCEURLs, hostile file name), a timeline row with an
    <img onerror> description and a script in its source URL, and a document with a hostile title and URL."""
    import weaklink

    folder = tmp_path_factory.mktemp("hostile-store")
    export, timeline = write_hostile_inputs(
        folder, ["javascript:alert(1)", "https://evil.example/" + SCRIPT, "https://evil.example/<img src=x onerror=a()>"],
        rows=60, description="Visit <img src=x onerror=alert(1)> [x](javascript:alert(1)) | a | b |",
        source="https://example.org/" + SCRIPT)
    document = folder / "2025-06-03-hostile.md"
    document.write_text('---\ndate: 2025-06-03\nissuers: [CHN]\nparties: [CHN, PRK]\n'
                        'title: "<svg onload=alert(1)> joint [x](javascript:alert(1))"\nkind: joint_statement\n'
                        'language: en\nsource_url: "javascript:alert(1)"\n---\nChina and the DPRK oppose the '
                        'United States and its security architecture. <script>window.__pwned=1</script> Blood ally.\n',
                        encoding="utf-8")
    with weaklink.connect(str(folder / "store.duckdb")) as wl:
        run_demo(wl)
        assert wl.ingest_gdelt([export]).files[0].stored == 60
        assert wl.ingest_timeline([timeline]).files[0].stored == 1
        assert wl.ingest_docs([document]).files[0].stored == 1
    return folder / "store.duckdb"


@pytest.fixture(scope="module")
def brief_data(hostile_store):
    """The briefing's data from the hostile store, and the lexicons (for the text comparison)."""
    import weaklink

    with weaklink.connect(str(hostile_store)) as wl:
        return wl.brief("axis"), analysis.lexicons(wl.watch), hostile_store.parent


@pytest.fixture(scope="module")
def hostile_brief(hostile_store, brief_data):
    """brief.html written by the API from the hostile store; brief.md and brief.pdf from the same data."""
    import weaklink

    folder = hostile_store.parent
    with weaklink.connect(str(hostile_store)) as wl:
        paths = {"html": wl.write_brief(folder / "brief.html")}
    paths.update({suffix: output.write(brief_data[0], folder / f"brief.{suffix}") for suffix in ("md", "pdf")})
    return folder, paths


# --- hostile values in every field of every template ---------------------------------------------------

def test_every_template_escapes_every_field(brief_data):
    data, _, folder = brief_data
    clean_tags = {tag for tag, _ in Elements(report_html.to_html(data)).found}
    for name, dirty in variants(data):
        assert_inert_html(report_html.to_html(dirty), clean_tags)
        out = folder / name / "brief.md"
        out.parent.mkdir()
        text = output.write(dirty, out).read_text(encoding="utf-8")
        assert_inert_markdown(text, "brief_figures")
        assert {p.parent for p in out.parent.rglob("*") if p.is_file()} <= {out.parent, out.parent / "brief_figures"}
    assert "](brief_figures/figure-1.png)" in text  # the kept-PNG variant has its images (hostile ids: numbered)


def test_text_compare_html_escapes_every_field(brief_data):
    _, lex, _ = brief_data
    old = "China and Russia oppose hegemonism. The United States must stop. Friendship has no limits."
    new = ("China and Russia oppose hegemonism <script>alert(1)</script>. The United States <img src=x "
           "onerror=alert(1)> must stop now. Military intimidation [x](javascript:alert(1)) continues.")
    result = compare.compare(old, new, lex)
    assert result["sentences_added"] or result["sentences_rewritten"]
    tags = {"html", "head", "meta", "title", "style", "body", "h1", "p", "strong", "ul", "li", "del", "ins"}
    keys = strings(result)
    for k, payload in enumerate(PAYLOADS):
        dirty = poisoned(result, lambda s, k=k: s + PAYLOADS[(zlib.crc32(s.encode()) + k) % len(PAYLOADS)], keys)
        assert_inert_html(compare.to_html(dirty, payload, SCRIPT), tags)


@pytest.mark.parametrize("url, link", [
    ("https://example.org/a?b=1#c", True), ("http://example.org", True), ("HTTPS://EXAMPLE.ORG/", True),
    ("javascript:alert(1)", False), ("JavaScript:alert(1)", False), (" java\tscript:alert(1)", False),
    ("data:text/html,<script>x</script>", False), ("vbscript:x", False), ("//evil.example/x", False),
    ("https://", False), ("https://x.org/ y", False), ('https://x.org/"><script>', False),
    ("file:///etc/passwd", False), ("", False), (None, False),
])
def test_only_http_urls_become_links(url, link):
    assert values.is_web_url(url) is link


# --- the briefing built from the hostile store -----------------------------------------------------------

def test_hostile_store_brief_is_escaped(hostile_brief):
    folder, paths = hostile_brief
    html = paths["html"].read_text(encoding="utf-8")
    # the hostile values did reach the briefing, as text
    assert "e&lt;svg onload=alert(1)&gt;.export.CSV" in html
    assert "Visit &lt;img src=x onerror=alert(1)&gt; [x](javascript:alert(1)) | a | b |" in html
    assert "https://example.org/&#34;&gt;&lt;script&gt;" in html
    assert "&lt;svg onload=alert(1)&gt; joint [x](javascript:alert(1))" in html and "url: javascript:alert(1)" in html
    assert_inert_html(html, {tag for tag, _ in Elements(html).found if tag not in ("script", "svg", "iframe")})
    assert_inert_markdown(paths["md"].read_text(encoding="utf-8"), "brief_figures")


@needs_chromium
def test_hostile_brief_runs_no_script_in_a_browser(hostile_brief):
    from playwright.sync_api import sync_playwright

    folder, paths = hostile_brief
    html = paths["html"].read_text(encoding="utf-8")
    without_csp = folder / "brief-without-csp.html"  # escaping alone must hold, not only the page's CSP
    without_csp.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html), encoding="utf-8")
    assert "Content-Security-Policy" not in without_csp.read_text(encoding="utf-8")
    args = ["--disable-gpu", "--disable-background-networking"] + (["--no-sandbox"] if os.geteuid() == 0 else [])
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        for page_file in (paths["html"], without_csp):
            page = browser.new_page()
            requested, dialogs = [], []
            page.on("request", lambda r: requested.append(r.url))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(page_file.as_uri(), wait_until="load")
            page.wait_for_timeout(300)
            pwned, title = page.evaluate("() => [window.__pwned, document.title]")
            page.hover("table.timeline")  # an injected onmouseover would fire here
            page.close()
            assert pwned is None and "PWNED" not in title and dialogs == []
            assert requested[0] == page_file.as_uri()
            assert all(url.startswith("data:") for url in requested[1:]), requested
        browser.close()
    text = subprocess.run(["pdftotext", str(paths["pdf"]), "-"], capture_output=True, text=True, check=True).stdout
    assert "PWNED" not in text and "onerror=alert(1)" in "".join(text.split())


# --- the PDF renderer -----------------------------------------------------------------------------------

@pytest.fixture
def private_tmp(monkeypatch):
    """A fresh (short) folder as the temporary directory, to see what the renderer leaves behind."""
    folder = Path(tempfile.mkdtemp(prefix="wlt-", dir="/tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    shutil.rmtree(folder)


def processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text in args and state not in "ZX":
            found.append(args)
    return found


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@needs_chromium
def test_pdf_renderer_runs_no_script_and_loads_nothing(private_tmp):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    page = (f'<html><head><meta http-equiv="refresh" content="0;url={base}/refresh"><link rel="stylesheet" '
            f'href="{base}/css"></head><body><p>static text</p><img src="{base}/img.png">'
            f'<iframe src="{base}/frame"></iframe><script>document.body.innerHTML="PWN"+"ED";alert(1)</script>'
            f'<script src="{base}/script.js"></script><script>for(;;){{}}</script></body></html>')
    started = time.monotonic()
    data = pdf.print_pdf(page, timeout=60)
    elapsed = time.monotonic() - started
    server.shutdown()
    assert data.startswith(b"%PDF") and elapsed < 30
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "static text" in text and "PWNED" not in text
    assert Recorder.hits == []
    assert list(private_tmp.iterdir()) == []
    assert processes_mentioning(str(private_tmp)) == []


@needs_chromium
def test_pdf_time_limit_kills_chromium_and_leaves_nothing(private_tmp, tmp_path, monkeypatch):
    out = tmp_path / "brief.pdf"
    out.write_bytes(b"%PDF previous good briefing")
    monkeypatch.setenv(pdf.TIMEOUT_ENV, "0.3")
    started = time.monotonic()
    with pytest.raises(pdf.PdfError, match=r"within 0\.3 s .* WEAKLINK_PDF_TIMEOUT"):
        pdf.html_to_pdf("<p>slow</p>", out)
    assert time.monotonic() - started < 5
    assert out.read_bytes() == b"%PDF previous good briefing"
    assert [p.name for p in tmp_path.iterdir()] == ["brief.pdf"]
    assert list(private_tmp.iterdir()) == []
    assert processes_mentioning(str(private_tmp)) == []


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan", "inf", "1e9"])
def test_pdf_time_limit_must_be_sensible(monkeypatch, value):
    monkeypatch.setenv(pdf.TIMEOUT_ENV, value)
    with pytest.raises(InvalidArgument, match="WEAKLINK_PDF_TIMEOUT"):
        pdf.timeout_seconds()


@needs_chromium
def test_cli_reports_a_pdf_timeout_without_traceback(hostile_store, tmp_path):
    env = {**os.environ, "WEAKLINK_STORE": str(hostile_store), pdf.TIMEOUT_ENV: "0.2"}
    done = subprocess.run([sys.executable, "-m", "weaklink", "brief", "--since", "2025-06-01", "--until", "2025-06-30",
                           "--out", "brief.pdf"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr + done.stdout
    assert "WEAKLINK_PDF_TIMEOUT" in done.stderr + done.stdout
    assert list(tmp_path.iterdir()) == []


# --- atomic writes --------------------------------------------------------------------------------------

def test_a_failed_render_leaves_the_previous_brief(brief_data, tmp_path):
    data, _, _ = brief_data
    out = tmp_path / "brief.html"
    output.write(data, out)
    before = out.read_bytes()
    broken = {k: v for k, v in data.items() if k != "sources"}  # the template fails at its last section
    with pytest.raises(Exception):
        output.write(broken, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["brief.html"]


DISK_FULL = """
import pickle, resource, sys
from pathlib import Path
from weaklink.fileio import OutputError
from weaklink.report import html as report_html, output, values
data = pickle.loads(Path(sys.argv[1]).read_bytes())
resource.setrlimit(resource.RLIMIT_FSIZE, (4_096, resource.RLIM_INFINITY))  # files stop growing at 4 kB
try:
    output.write(data, Path(sys.argv[2]))
except OutputError as exc:
    print(exc)
"""


@pytest.mark.parametrize("name", ["brief.html", "brief.md"])
def test_a_full_disk_leaves_the_previous_brief(brief_data, tmp_path, name):
    data, _, _ = brief_data
    out = tmp_path / name
    previous = b"previous good briefing\n" * 100
    out.write_bytes(previous)
    figures = tmp_path / "brief_figures"
    figures.mkdir()
    (figures / "bloc-graph.png").write_bytes(b"previous figure")
    (tmp_path / "data.pickle").write_bytes(pickle.dumps(data))
    done = subprocess.run([sys.executable, "-c", DISK_FULL, str(tmp_path / "data.pickle"), str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"could not write {tmp_path}" in done.stdout and "previous file there is unchanged" in done.stdout
    assert out.read_bytes() == previous
    assert (figures / "bloc-graph.png").read_bytes() == b"previous figure"
    assert not [p for p in tmp_path.rglob(".*.tmp")]


def test_atomic_write_replaces_in_one_step(tmp_path):
    target = tmp_path / "watch.toml"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second")
    assert target.read_text() == "second" and [p.name for p in tmp_path.iterdir()] == ["watch.toml"]
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputError, match="could not write"):
        atomic_write_text(tmp_path / "folder", "x")  # a folder in the way: rename fails, nothing left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "watch.toml"]
