"""The dashboard in a real browser: Debian's chromium driven by Playwright over the real server (uvicorn on a
loopback port) and a demo store with hostile data ingested through the real ingest paths. Every page loads
and draws its charts with no console error and no request leaving the loopback; an analyst picks a dyad,
follows a source link (intercepted), opens a document, compares two; hostile text is shown inert on every
page that shows text. Screenshots of every page go to tests/artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from gdelt_lines import write_hostile_inputs

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.xdist_group("web_browser")  # one xdist worker: the store, server and browser built once
SCREENSHOTS = Path(__file__).parent / "artifacts" / "screenshots"
SCRIPT = '"><script>window.__pwned=1;document.title="PWN"+"ED";alert(1)</script>'
IMG = "<img src=x onerror=alert(1)>"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
INTERCEPTED = "<!doctype html><title>intercepted</title><p>a link outside the loopback, answered by the test</p>"
BRIEF_MS = 600_000  # a briefing is the heaviest computation of all (seconds idle, minutes on a loaded machine)
SLOWEST_VIEW_MS = 120_000  # a cold view (the overview's bootstrap, the votes matrix) on a loaded 2-core machine
PAGES = {  # name: path (the hostile document's and the compare page's paths are added once their ids are known)
    "overview": "/", "dyads": "/dyads", "timeline": "/timeline", "votes": "/votes?body=unsc",
    "documents": "/documents", "signposts": "/signposts", "signpost": "/signposts/trilateral-summit",
    "ach": "/ach", "sources": "/sources", "briefs": "/briefs",
}


# --- the store, the server and the browser ------------------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, dict]:
    """The demo store plus hostile data: GDELT events between CHN and PRK whose source URLs are scripts, a
    timeline row with an <img onerror> description, and two short documents with scripts in title and text."""
    import weaklink
    from weaklink.project import run_demo

    folder = tmp_path_factory.mktemp("web-browser")
    export, timeline = write_hostile_inputs(
        folder, ["javascript:alert(1)", "https://evil.example/" + SCRIPT, "https://evil.example/" + IMG], rows=30,
        description=f"Visit {IMG} [x](javascript:alert(1)) {SCRIPT}", source="https://example.org/" + SCRIPT)
    docs = []
    for day, extra in (("03", "Blood ally."), ("04", "Traditional friendship and hegemonism.")):
        doc = folder / f"2025-06-{day}-hostile.md"
        doc.write_text(f'---\ndate: 2025-06-{day}\nissuers: [CHN]\nparties: [CHN, PRK]\n'
                       f'title: "<svg onload=alert(1)> joint {day} [x](javascript:alert(1))"\nkind: joint_statement\n'
                       'language: en\nsource_url: "javascript:alert(1)"\n---\nChina and the DPRK oppose the United '
                       f'States and its security architecture. {SCRIPT} {IMG} <a href="javascript:alert(1)">x</a> '
                       f'{extra}\n', encoding="utf-8")
        docs.append(doc)
    path = folder / "store.duckdb"
    with weaklink.connect(str(path)) as wl:
        run_demo(wl)
        assert wl.ingest_gdelt([export]).files[0].stored == 30
        assert wl.ingest_timeline([timeline]).files[0].stored == 1
        assert wl.ingest_docs(docs).ok
        ids = [r[0] for r in wl.store.con.execute(
            "SELECT doc_id FROM documents WHERE kind = 'joint_statement' AND title LIKE '%svg%' ORDER BY date")
            .fetchall()]
    assert len(ids) == 2
    return path, {"old": ids[0], "new": ids[1]}


@contextlib.contextmanager
def serving(app):
    """`app` served by uvicorn on a free loopback port in a thread; yields its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "the server did not start within 30 s"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        uv.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="module")
def server(store) -> str:
    """The real app, read-only (as `weaklink serve` starts by default), over the module's store."""
    from weaklink.web.app import create_app

    with serving(create_app(str(store[0]))) as base:
        yield base


def chromium_args() -> list[str]:
    """The PDF printer's isolation flags that keep chromium's own traffic off (background networking, updates,
    sync, crash reports), without those that switch scripts off or take the DevTools pipe Playwright uses."""
    from weaklink.report.pdf import ISOLATION_FLAGS

    dropped = ("--headless", "--remote-debugging-pipe", "--blink-settings", "--proxy-server", "--proxy-bypass-list",
               "--host-resolver-rules")
    args = [flag for flag in ISOLATION_FLAGS if not flag.startswith(dropped)]
    return args + (["--no-sandbox"] if os.geteuid() == 0 else [])


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (installed by `make test`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
        yield launched
        launched.close()


class Session:
    """A browser context that records every request (and answers any outside the loopback itself), every
    console error and every dialog."""

    def __init__(self, browser, base: str) -> None:
        self.base, self.requested, self.outside, self.errors, self.dialogs = base, [], [], [], []
        self.context = browser.new_context(viewport={"width": 1360, "height": 900})
        self.context.route("**/*", self._route)
        self.context.on("page", self._watch)
        self.context.set_default_timeout(SLOWEST_VIEW_MS)
        self.page = self.context.new_page()

    def _route(self, route) -> None:
        url = route.request.url
        self.requested.append(url)
        if urlsplit(url).hostname in LOOPBACK or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.fulfill(status=200, content_type="text/html", body=INTERCEPTED)

    def _watch(self, page) -> None:
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def open(self, path: str, status: int = 200):
        response = self.page.goto(self.base + path, wait_until="load")
        assert response.status == status, (path, response.status)
        wait_for_charts(self.page)
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser, server):
    s = Session(browser, server)
    yield s
    s.close()
    assert s.dialogs == [], s.dialogs


def wait_for_charts(page) -> None:
    """Every chart drawn (Plotly's SVG in it) or saying why not (a "no data" note); never left loading."""
    page.wait_for_function("""() => [...document.querySelectorAll('[data-chart]')].every(
        el => el.dataset.drawn === '1' || el.querySelector('.chart-note.nodata'))""")


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def assert_inert(page) -> None:
    """Nothing from the data ran or became an element: no marker set, no title rewritten, no element with an
    event-handler attribute, no script but ours, every link http(s) or one of our own paths."""
    found = page.evaluate("""() => ({
        pwned: window.__pwned === undefined ? null : window.__pwned, title: document.title,
        handlers: [...document.querySelectorAll('*')].flatMap(el => [...el.attributes].filter(
            a => a.name.toLowerCase().startsWith('on')).map(a => el.tagName + ' ' + a.name)),
        scripts: [...document.scripts].map(s => s.getAttribute('src')),
        svgs: [...document.querySelectorAll('svg')].filter(
            s => !s.closest('[data-chart]') && s.id !== 'js-plotly-tester').length,  // Plotly's text measurer
        imgs: document.querySelectorAll('img').length, iframes: document.querySelectorAll('iframe').length,
        links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    })""")
    assert found["pwned"] is None and "PWNED" not in found["title"], found
    assert found["handlers"] == [], found["handlers"]
    assert all(s and re.fullmatch(r"/(static|vendor)/[\w.-]+(\?v=[\w.]+)?", s) for s in found["scripts"]), found
    assert found["svgs"] == 0 and found["imgs"] == 0 and found["iframes"] == 0, found
    for href in found["links"]:
        assert href.startswith("/") and not href.startswith("//") or re.match(r"https?://[^\s\"<>]+$", href), href


# --- every page -------------------------------------------------------------------------------------------

def test_every_page_loads_draws_and_stays_on_the_loopback(session, store):
    ids = store[1]
    pages = PAGES | {"document": f"/documents/{ids['old']}", "compare": f"/documents/compare?a={ids['old']}&b={ids['new']}"}
    for name, path in pages.items():
        page = session.open(path)
        as_of = page.locator("#as-of").inner_text()
        assert re.search(r"Data as of \d{4}-\d\d-\d\d", as_of), (name, as_of)
        assert page.locator("nav a.current").count() == 1, name
        blank = page.evaluate("""() => [...document.querySelectorAll('main td')].filter(
            td => !td.innerText.trim() && !td.querySelector('input')).length""")
        assert blank == 0, f"{name}: {blank} blank table cells (absence must say 'no data')"
        charts = page.locator("[data-chart]").count()
        drawn = page.locator("[data-chart][data-drawn='1']:has(svg.main-svg)").count()
        assert drawn == charts, f"{name}: {drawn} of {charts} charts drawn"  # the demo has data for each
        assert_inert(page)
        screenshot(page, name)
    assert session.errors == [], session.errors
    assert session.outside == [], session.outside
    plotly = [u for u in session.requested if "/vendor/plotly-" in u]
    assert plotly and all(urlsplit(u).hostname == "127.0.0.1" for u in plotly)


def test_plotly_is_served_from_the_installed_package_with_a_long_cache(server):
    import httpx

    from weaklink.web import pages

    response = httpx.get(server + pages.plotly_url())
    assert response.status_code == 200 and response.content == pages.plotly_js()
    assert "immutable" in response.headers["cache-control"] and "max-age=31536000" in response.headers["cache-control"]
    assert httpx.get(server + "/vendor/plotly-0.0.0.min.js").status_code == 404


def test_pick_a_dyad_and_follow_a_source_link(session):
    page = session.open("/dyads")
    page.select_option("#actor-a", "CHN")
    page.select_option("#actor-b", "RUS")
    page.click("#dyad-form button[type=submit]")
    page.wait_for_url(re.compile(r"a=CHN&b=RUS"))
    wait_for_charts(page)
    assert page.locator("h1").inner_text() == "Dyad CHN–RUS"
    assert page.locator("[data-chart='dyad-series'] svg.main-svg").count() >= 1
    link = page.locator("#top-events a[href^='http']").first
    href = link.get_attribute("href")
    assert link.get_attribute("rel") == "noopener noreferrer"
    with session.context.expect_page() as opened:
        link.click()
    source = opened.value
    source.wait_for_load_state()
    assert source.locator("title").inner_text() == "intercepted"
    assert session.outside == [href]  # the one outside request: the link followed, answered by the test
    assert session.errors == [], session.errors
    screenshot(page, "dyad-chn-rus")


def test_open_a_document_with_its_mentions_marked_and_its_scripts_as_text(session, store):
    page = session.open("/documents")
    page.locator("#documents a.doc-link", has_text="joint 03").click()
    page.wait_for_url(re.compile(rf"/documents/{store[1]['old']}$"))
    text = page.locator("#doctext").inner_text()
    assert "<script>window.__pwned=1;" in text and IMG in text  # shown as text
    assert page.locator("#doctext mark.mention").count() >= 2  # China, the DPRK, the United States
    assert page.locator("#doctext mark.framing").count() >= 1  # blood ally
    assert page.locator("#doctext *:not(mark)").count() == 0  # nothing but the marks became an element
    assert page.locator("#doc-source a").count() == 0  # javascript: is no link
    assert_inert(page)
    screenshot(page, "document-hostile")
    assert session.errors == [], session.errors


def test_compare_two_documents_from_the_list(session, store):
    page = session.open("/documents?issuer=CHN")
    page.check(f"#documents input[name=a][value='{store[1]['old']}']")
    page.check(f"#documents input[name=b][value='{store[1]['new']}']")
    page.click("#compare-form button[type=submit]")
    page.wait_for_url(re.compile(r"/documents/compare\?"))
    body = page.locator("main").inner_text()
    assert "traditional friendship" in body and "gained" in body
    assert_inert(page)
    assert session.errors == [], session.errors


def test_hostile_data_is_inert_on_every_page_that_shows_it(session, store):
    """The pages that show text from the data, the hostile rows among them; an injected handler would fire on
    hover, a script on load."""
    shown = {"/dyads?a=CHN&b=PRK": "evil.example", "/timeline?actor=PRK&level=leader": IMG,
             "/documents?issuer=CHN": "<svg onload=alert(1)>", f"/documents/{store[1]['new']}": SCRIPT,
             "/sources": "e<svg onload=alert(1)>.export.CSV", "/": "weakest"}
    for path, text in shown.items():
        page = session.open(path)
        assert text in page.locator("main").inner_text(), (path, text)
        for row in page.locator("main tbody tr").all()[:25]:
            row.hover()
        page.wait_for_timeout(100)
        assert_inert(page)
    assert session.errors == [], session.errors


def test_generate_and_download_a_brief_with_the_token(browser, store, tmp_path):
    """A server with writes allowed (over a copy of the store: the module's server holds it read-only): a wrong
    token is refused with the API's message, the right one generates a briefing that the list then offers."""
    from weaklink.web.app import create_app

    copy = tmp_path / "store.duckdb"
    shutil.copy(store[0], copy)
    token = "t" * 32
    with serving(create_app(str(copy), allow_writes=True, token=token)) as base:
        s = Session(browser, base)
        try:
            page = s.open("/briefs")
            page.fill("#brief-form input[name=token]", "wrong-token-wrong-token")
            page.click("#brief-form button[type=submit]")
            page.wait_for_function(  # a function, not a string: the CSP forbids eval
                "() => document.getElementById('brief-status').textContent.startsWith('Not generated')")
            s.errors.clear()  # the browser logs the 401 itself as a console error
            page.select_option("#brief-form select[name=bloc]", "axis")
            page.fill("#brief-form input[name=token]", token)
            with page.expect_response(lambda r: r.url.endswith("/api/briefs") and r.request.method == "POST",
                                      timeout=BRIEF_MS) as answer:
                page.click("#brief-form button[type=submit]")
            assert answer.value.status == 201, answer.value.text()
            page.wait_for_selector("#briefs a[download]")  # the page reloads with the new briefing listed
            link = page.locator("#briefs a[download]").first
            assert re.fullmatch(r"brief-axis-en-\w+\.html", link.inner_text())
            with page.expect_download() as download:
                link.click()
            assert b"<html" in Path(download.value.path()).read_bytes()[:500].lower()
            screenshot(page, "briefs-generated")
            assert s.errors == [] and s.outside == [] and s.dialogs == [], (s.errors, s.outside)
        finally:
            s.close()


def test_bad_parameters_give_a_page_that_says_what_to_do(session):
    page = session.open("/dyads?a=CHN&b=Atlantis", status=404)
    assert "Atlantis" in page.locator("main").inner_text()
    page = session.open("/timeline?since=yesterday", status=400)
    assert "YYYY-MM-DD" in page.locator("main").inner_text()
    session.errors.clear()  # the browser logs the 4xx responses themselves as console errors


def test_an_empty_store_says_no_data_on_every_page(tmp_path):
    """No page fails or shows a blank where the store has nothing: each says "no data" (or, for the overview,
    what to run to fill the store), and the header says the data are as of "no data"."""
    import httpx

    import weaklink
    from weaklink.web.app import create_app

    store = tmp_path / "empty.duckdb"
    weaklink.connect(str(store)).close()
    with serving(create_app(str(store))) as base:
        for name, path in PAGES.items():
            response = httpx.get(base + path, timeout=120)
            assert response.status_code < 500, (name, response.text[:500])
            assert "text/html" in response.headers["content-type"], name
            html = response.text
            assert re.search(r'Data as of <b class="nodata">no data</b>', html), name
            body = html.split("<main>", 1)[1]
            assert "no data" in body or "weaklink demo" in body or name == "briefs", name  # briefs: files, not data
