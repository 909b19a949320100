"""The web server's JSON API, in process (FastAPI's TestClient) over a real demo store: every endpoint, bad
parameters, the one error shape, security headers, writes (refused, then accepted with flag and token), a
hostile document returned as plain data, the monitor inside the server, schemathesis over /openapi.json,
and one real HTTP round trip on loopback."""

from __future__ import annotations

import base64
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from weaklink.errors import InvalidArgument  # noqa: E402
from weaklink.web.app import create_app  # noqa: E402

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SCRIPT = '"><script>window.__pwned=1</script>'
HOSTILE_TITLE = "<svg onload=alert(1)> joint [x](javascript:alert(1))"
HOSTILE_DOC = ("---\ndate: 2024-06-19\nissuers: [CHN, PRK]\nparties: [CHN, PRK]\n"
               f"title: \"{HOSTILE_TITLE}\"\nkind: joint_statement\nlanguage: en\n"
               "source_url: \"javascript:alert(1)\"\n---\n"
               "China and the DPRK oppose the United States and its security architecture. "
               f"{SCRIPT} <img src=x onerror=alert(1)> Blood ally. [x](javascript:alert(1))\n")
READS = ["/api/overview", "/api/dyads/CHN/RUS", "/api/dyads/China/PRK?freq=year&since=2015-01-01&until=2025-12-31",
         "/api/timeline", "/api/timeline?actor=PRK&level=leader", "/api/votes", "/api/votes?body=unsc",
         "/api/documents", "/api/documents?q=nuclear&issuer=PRK&limit=5", "/api/documents/1", "/api/signposts",
         "/api/signposts/trilateral-summit", "/api/ach", "/api/sources", "/api/briefs", "/api/status"]
SECURITY = {"content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options"}


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """The demo store (`weaklink demo`), built once for the session."""
    import weaklink
    from weaklink.project import run_demo

    path = tmp_path_factory.mktemp("web-demo") / "demo.duckdb"
    with weaklink.connect(str(path)) as wl:
        run_demo(wl)
    return path


@pytest.fixture(scope="module")
def client(demo_store):
    with TestClient(create_app(str(demo_store))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def writer(demo_store, tmp_path_factory):
    """A server with writes allowed and the monitor on (evaluating, not fetching), over a copy of the store."""
    folder = tmp_path_factory.mktemp("web-writes")
    shutil.copy(demo_store, folder / "demo.duckdb")
    index = Path(f"{demo_store}.text-index")
    if index.exists():
        shutil.copytree(index, folder / "demo.duckdb.text-index")
    app = create_app(str(folder / "demo.duckdb"), allow_writes=True, token=TOKEN, monitor=True,
                     monitor_every=3600, monitor_update=False)
    with TestClient(app) as test_client:
        yield test_client


def assert_error(response, status: int, kind: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message", "details"}, body
    assert body["error"]["message"]
    if kind:
        assert body["error"]["type"] == kind, body
    assert SECURITY <= set(response.headers)
    return body["error"]


@pytest.mark.parametrize("url", READS)
def test_every_read_endpoint_answers_json_with_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert isinstance(response.json(), dict)


def test_overview_has_blocs_with_intervals_signposts_and_coverage(client):
    data = client.get("/api/overview").json()
    axis = next(b for b in data["blocs"] if b["bloc"] == "axis")
    assert {m["actor"] for m in axis["weakest"]["members"]} == {"CHN", "PRK", "RUS"}
    assert all(m["low"] <= m["commitment"] <= m["high"] for m in axis["weakest"]["members"])
    assert sum(data["signposts"]["counts"].values()) == len(client.get("/api/signposts").json()["signposts"])
    assert data["as_of"] and {s["source"] for s in data["coverage"]} >= {"gdelt", "curated"}
    assert any("no data" in n for n in data["notes"])  # the demo has no UNGA votes: said, not hidden


def test_dyad_series_quads_alerts_and_top_events(client):
    data = client.get("/api/dyads/CHN/RUS?freq=month").json()
    assert (data["a"], data["b"]) == ("CHN", "RUS")
    assert sum(r["events"] for r in data["series"]) > 0
    assert len(data["quads"]) == len(data["series"])
    assert all(q["period"] == r["period"] for q, r in zip(data["quads"], data["series"]))
    assert data["top_events"] and all(e["url"] is None or e["url"].startswith("http") for e in data["top_events"])
    assert isinstance(data["alerts"], list)
    empty = client.get("/api/dyads/CHN/RUS?since=1990-01-01&until=1990-12-31").json()
    assert empty["top_events"] == [] and empty["notes"] and "no data" in empty["notes"][0]


@pytest.mark.parametrize("url, status, kind", [
    ("/api/dyads/Narnia/RUS", 404, "UnknownCountry"),
    ("/api/dyads/CHN/CHN", 400, "InvalidArgument"),
    ("/api/dyads/CHN/RUS?since=2024-13-01", 422, "InvalidArgument"),
    ("/api/dyads/CHN/RUS?since=yesterday", 422, "InvalidArgument"),
    ("/api/dyads/CHN/RUS?since=2025-01-01&until=2024-01-01", 400, "InvalidArgument"),
    ("/api/dyads/CHN/RUS?freq=decade", 422, "InvalidArgument"),
    ("/api/timeline?actor=Narnia", 404, "UnknownCountry"),
    ("/api/timeline?level=emperor", 422, "InvalidArgument"),
    ("/api/votes?body=wto", 422, "InvalidArgument"),
    ("/api/documents?limit=0", 422, "InvalidArgument"),
    ("/api/documents?q=%22unclosed&limit=3", None, None),
    ("/api/documents/99999", 404, "NotFound"),
    ("/api/documents/abc", 422, "InvalidArgument"),
    ("/api/compare?a=1&b=99999", 404, "NotFound"),
    ("/api/compare?a=1", 422, "InvalidArgument"),
    ("/api/signposts/no-such-signpost", 404, "NotFound"),
    ("/api/briefs/..%2F..%2Fetc%2Fpasswd", 404, "NotFound"),
    ("/api/nothing-here", 404, "NotFound"),
    ("/nothing-here", 404, "NotFound"),
])
def test_bad_parameters_are_4xx_in_the_one_error_shape(client, url, status, kind):
    response = client.get(url)
    if status is None:  # a query tantivy cannot read: a 400 with a message, or results; never a 500
        assert response.status_code in (200, 400), response.text
        return
    error = assert_error(response, status, kind)
    if kind == "UnknownCountry":
        assert "Narnia" in error["message"]


def test_wrong_method_is_405_in_the_one_error_shape(client):
    assert_error(client.delete("/api/overview"), 405)


def test_timeline_filters(client):
    entries = client.get("/api/timeline?actor=PRK&level=leader").json()["entries"]
    assert entries and all("PRK" in e["actors"] and e["level"] == "leader" for e in entries)
    assert all(isinstance(e["sources"], list) for e in entries)


def test_votes_matrix_and_splits(client):
    unsc = client.get("/api/votes?body=unsc").json()
    pair = next(r for r in unsc["matrix"] if {r["a"], r["b"]} == {"CHN", "RUS"})
    assert pair["votes"] > 0 and 0 <= pair["agreement"] <= 1
    assert len(unsc["matrix"]) == len(unsc["actors"]) * (len(unsc["actors"]) - 1) // 2
    unga = client.get("/api/votes?body=unga").json()  # the demo has no UNGA votes: no data, not disagreement
    assert all(r["votes"] == 0 and r["agreement"] is None for r in unga["matrix"]) and unga["notes"]


def test_documents_list_search_and_one_document_with_spans(client):
    listed = client.get("/api/documents?limit=3").json()
    assert listed["total"] >= 3 and len(listed["documents"]) == 3 and "text" not in listed["documents"][0]
    dates = [d["date"] for d in listed["documents"]]
    assert dates == sorted(dates, reverse=True)
    found = client.get("/api/documents?q=nuclear&limit=5").json()["documents"]
    assert found and all("score" in d for d in found)
    doc = client.get(f"/api/documents/{found[0]['doc_id']}").json()
    assert doc["text"] and doc["spans"]
    for span in doc["spans"]:
        assert 0 <= span["start"] < span["end"] <= len(doc["text"])
    kinds = {s["kind"] for s in doc["spans"]}
    assert "mention" in kinds


def test_signposts_board_and_history(client):
    board = client.get("/api/signposts").json()
    assert board["signposts"] and board["as_of"]
    one = client.get(f"/api/signposts/{board['signposts'][0]['id']}").json()
    assert one["rule"] and isinstance(one["history"], list) and one["status"] == board["signposts"][0]["status"]


def test_ach_and_sources(client, demo_store):
    ach = client.get("/api/ach").json()
    assert {h["id"] for h in ach["hypotheses"]} == {"H1", "H2", "H3"} and "sensitivity" in ach
    assert ach["overrides"] == []
    sources = client.get("/api/sources").json()
    import duckdb

    with duckdb.connect(str(demo_store), read_only=True) as con:
        files, rejects = con.execute("SELECT (SELECT count(*) FROM provenance), (SELECT count(*) FROM rejects)"
                                     ).fetchall()[0]
    assert len(sources["files"]) == files and sources["rejects"]["total"] == rejects
    assert all(len(f["sha256"]) == 64 for f in sources["files"])


def test_openapi_lists_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ["/api/overview", "/api/dyads/{a}/{b}", "/api/timeline", "/api/votes", "/api/documents",
                 "/api/documents/{doc_id}", "/api/compare", "/api/signposts", "/api/signposts/{signpost_id}",
                 "/api/ach", "/api/sources", "/api/briefs", "/api/ach/ratings/{evidence}/{hypothesis}",
                 "/api/update"]:
        assert path in paths, path
    assert "post" in paths["/api/briefs"] and "post" in paths["/api/documents"]


# writes -------------------------------------------------------------------------------------------
WRITES = [("post", "/api/update", {"fetch": False}), ("put", "/api/ach/ratings/E1/H1", {"rating": "CC"}),
          ("post", "/api/briefs", {}), ("post", "/api/documents", {"filename": "a.txt", "content": "x"})]


@pytest.mark.parametrize("method, url, body", WRITES)
def test_writes_are_refused_on_a_read_only_server(client, method, url, body):
    error = assert_error(getattr(client, method)(url, json=body, headers=AUTH), 403, "WritesRefused")
    assert "--allow-writes" in error["message"]


@pytest.mark.parametrize("method, url, body", WRITES)
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-0123456789"},
                                     {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Bearer {TOKEN}x"}])
def test_writes_need_the_token(writer, method, url, body, headers):
    response = getattr(writer, method)(url, json=body, headers=headers)
    assert_error(response, 401, "Unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_allow_writes_without_a_token_refuses_to_start(demo_store):
    with pytest.raises(InvalidArgument, match="WEAKLINK_TOKEN"):
        create_app(str(demo_store), allow_writes=True, token=None)
    with pytest.raises(InvalidArgument, match="at least"):
        create_app(str(demo_store), allow_writes=True, token="short")


def test_rating_edit_changes_the_matrix(writer):
    before = writer.get("/api/ach").json()
    response = writer.put("/api/ach/ratings/E2/H2", json={"rating": "II"}, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["watch_rating"] == "N" and response.json()["rating"] == "II"
    after = writer.get("/api/ach").json()
    assert after["overrides"] and after["overrides"][-1]["evidence"] == "E2"
    rated = next((e for e in after["evidence"] if e.get("id") == "E2"), None)
    if rated is not None:  # E2 is in the matrix: its rating of H2 is the edited one, and the scores moved
        assert after["hypotheses"] != before["hypotheses"]
    assert_error(writer.put("/api/ach/ratings/E2/H2", json={"rating": "maybe"}, headers=AUTH), 422)
    assert_error(writer.put("/api/ach/ratings/NOPE/H2", json={"rating": "C"}, headers=AUTH), 404, "NotFound")
    assert_error(writer.put("/api/ach/ratings/E2/H9", json={"rating": "C"}, headers=AUTH), 404, "NotFound")


def test_hostile_document_is_stored_and_returned_as_plain_data(writer):
    response = writer.post("/api/documents", headers=AUTH,
                           json={"filename": "hostile joint statement.md", "content": HOSTILE_DOC})
    assert response.status_code == 201, response.text
    summary = response.json()
    assert summary["totals"]["stored"] == 1 and summary["doc_id"]
    doc = writer.get(f"/api/documents/{summary['doc_id']}")
    assert doc.headers["content-type"] == "application/json" and doc.headers["x-content-type-options"] == "nosniff"
    data = doc.json()
    assert data["title"] == HOSTILE_TITLE and data["source_url"] == "javascript:alert(1)"
    assert SCRIPT in data["text"] and "<img src=x onerror=alert(1)>" in data["text"]
    assert all(data["text"][s["start"]:s["end"]] for s in data["spans"])
    listed = writer.get("/api/documents?issuer=PRK&since=2024-06-19&until=2024-06-19").json()["documents"]
    assert any(d["title"] == HOSTILE_TITLE for d in listed)
    again = writer.post("/api/documents", headers=AUTH,
                        json={"filename": "hostile joint statement.md", "content": HOSTILE_DOC}).json()
    assert again["totals"]["stored"] == 0  # the same file again: skipped, nothing stored twice
    other = writer.post("/api/documents", headers=AUTH, json={
        "filename": "second.txt", "encoding": "base64", "date": "2024-06-20", "issuers": "CHN",
        "content": base64.b64encode(b"China and Russia oppose hegemonism. <script>alert(1)</script>").decode()})
    assert other.status_code == 201, other.text
    compared = writer.get(f"/api/compare?a={summary['doc_id']}&b={other.json()['doc_id']}").json()
    assert compared["old"]["title"] == HOSTILE_TITLE and "headline" in compared


@pytest.mark.parametrize("upload, message", [
    ({"filename": "../../etc/passwd.txt", "content": "x"}, "plain file name"),
    ({"filename": "a.exe", "content": "x"}, "ending in"),
    ({"filename": "a.txt", "content": ""}, "empty"),
    ({"filename": "a.pdf", "content": "not base64!", "encoding": "base64"}, "base64"),
])
def test_bad_uploads_are_refused(writer, upload, message):
    assert message in assert_error(writer.post("/api/documents", json=upload, headers=AUTH), 400)["message"]


def test_update_and_the_monitor_inside_the_server(writer):
    deadline = time.monotonic() + 300
    while writer.get("/api/status").json()["monitor"]["runs"] < 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    status = writer.get("/api/status").json()
    assert status["monitor"]["running"] and status["monitor"]["runs"] >= 1
    assert status["monitor"]["last"]["as_of"] and status["allow_writes"]
    version = status["data_version"]
    run = writer.post("/api/update", json={"fetch": False}, headers=AUTH)
    assert run.status_code == 200, run.text
    assert run.json()["as_of"] and run.json()["updates"] == {}
    assert writer.get("/api/status").json()["data_version"] > version  # the cache was emptied


def test_generate_and_download_a_brief(writer):
    response = writer.post("/api/briefs", json={"bloc": "axis", "format": "html"}, headers=AUTH)
    assert response.status_code == 201, response.text
    name = response.json()["name"]
    assert name in {b["name"] for b in writer.get("/api/briefs").json()["briefs"]}
    download = writer.get(f"/api/briefs/{name}")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/html")
    assert "attachment" in download.headers["content-disposition"] and b"<html" in download.content[:2000].lower()
    assert_error(writer.post("/api/briefs", json={"bloc": "nope"}, headers=AUTH), 404, "NotFound")


# schemathesis and real HTTP -------------------------------------------------------------------------
def test_schemathesis_finds_no_server_error(demo_store):
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings

    # an app of its own: schemathesis runs the app's lifespan, whose end closes the store (and the readers) of
    # the app it was given, which the other tests' `client` must keep
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(str(demo_store)))
    failures = []

    def fuzz(operation):
        @settings(max_examples=4, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(timeout=600)
            if response.status_code >= 500:
                failures.append(f"{operation.method.upper()} {case.formatted_path} {case.query}: "
                                f"{response.status_code} {response.text[:300]}")
            if response.status_code >= 400:
                assert set(response.json()) == {"error"}, response.text

        check()

    for result in schema.get_all_operations():
        fuzz(result.ok())
    assert not failures, failures


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_real_http_on_loopback(demo_store):
    import httpx
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(str(demo_store)), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        response = httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=30)
        assert response.status_code == 200 and response.json()["allow_writes"] is False
        assert response.headers["x-frame-options"] == "DENY"
    finally:
        server.should_exit = True
        thread.join(30)


def test_loopback_check():
    from weaklink.web.security import is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.8.9.10"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.2", "example.org", "::"))


# the response cache at the edge (weaklink.web.edge) ------------------------------------------------
def cache_stats(test_client) -> dict:
    return test_client.app.state.weaklink.responses.stats()


def test_a_repeated_get_is_served_from_the_response_cache_with_an_etag(client):
    first = client.get("/api/signposts")
    before = cache_stats(client)
    again = client.get("/api/signposts")
    assert again.status_code == 200 and again.content == first.content
    assert cache_stats(client)["hits"] == before["hits"] + 1  # answered from the cache
    assert again.headers["etag"] == first.headers["etag"] and SECURITY <= set(again.headers)
    assert again.headers["cache-control"] == "no-store"
    unchanged = client.get("/api/signposts", headers={"If-None-Match": first.headers["etag"]})
    assert unchanged.status_code == 304 and unchanged.content == b"" and SECURITY <= set(unchanged.headers)
    page = client.get("/signposts")
    assert client.get("/signposts", headers={"If-None-Match": page.headers["etag"]}).status_code == 304
    assert client.get("/signposts", headers={"If-None-Match": '"other"'}).content == page.content


def test_requests_with_credentials_errors_and_status_are_never_cached(client):
    client.get("/api/ach")
    before = cache_stats(client)
    response = client.get("/api/ach", headers={"Authorization": "Bearer someone-else-0123456789"})
    assert response.status_code == 200 and "etag" not in response.headers  # computed for this request alone
    assert cache_stats(client)["hits"] == before["hits"]
    for _ in range(2):
        assert client.get("/api/documents/99999").status_code == 404
        assert "etag" not in client.get("/api/status").headers
    after = cache_stats(client)
    assert after["hits"] == before["hits"] and after["entries"] == before["entries"]


def test_a_write_is_visible_on_the_next_get(writer):
    """Upload, rating edit and update each empty the cache: the next GET shows the store as it is now."""
    listed = writer.get("/api/documents?issuer=RUS&limit=500").json()
    page = writer.get("/documents?issuer=RUS").text
    assert writer.get("/api/documents?issuer=RUS&limit=500").json() == listed  # (now a cached answer)
    upload = writer.post("/api/documents", headers=AUTH, json={
        "filename": "cache check.txt", "date": "2024-07-01", "issuers": "RUS", "title": "Cache check statement",
        "content": "Russia and China reaffirm their comprehensive strategic partnership."})
    assert upload.status_code == 201, upload.text
    assert writer.get("/api/documents?issuer=RUS&limit=500").json()["total"] == listed["total"] + 1
    assert "Cache check statement" not in page and "Cache check statement" in writer.get("/documents?issuer=RUS").text

    before = writer.get("/api/ach").json()["overrides"]
    assert writer.put("/api/ach/ratings/E1/H3", json={"rating": "I"}, headers=AUTH).status_code == 200
    after = writer.get("/api/ach").json()["overrides"]
    assert after != before and any(o["evidence"] == "E1" and o["hypothesis"] == "H3" for o in after)

    writer.get("/sources")
    hits = cache_stats(writer)["hits"]
    assert writer.post("/api/update", json={"fetch": False}, headers=AUTH).status_code == 200
    writer.get("/sources")
    assert cache_stats(writer)["hits"] == hits  # recomputed after the update, not the answer kept before it
    writer.get("/sources")
    assert cache_stats(writer)["hits"] == hits + 1
    writer.app.state.weaklink.monitor.run_once()  # a run of the monitor inside the server
    writer.get("/sources")
    assert cache_stats(writer)["hits"] == hits + 1


def test_response_store_is_bounded_and_keeps_one_version():
    from weaklink.web.edge import ResponseStore, make_entry

    def entry(version: int, body: bytes):
        return make_entry(version, 200, [(b"content-type", b"text/plain")], body)

    store = ResponseStore(max_entries=3, max_bytes=100)
    for n in range(5):
        store.put(f"/{n}".encode(), entry(1, b"x" * 10))
    assert len(store) == 3 and store.get(b"/0", 1) is None and store.get(b"/4", 1) is not None
    store.put(b"/big", entry(1, b"x" * 95))
    assert store.stats()["bytes"] <= 100 and store.get(b"/4", 1) is None
    assert store.get(b"/big", 2) is None  # another data version: never served
    store.put(b"/new", entry(2, b"y"))
    assert len(store) == 1  # a new version empties what the old one kept


def test_large_answers_are_kept_gzipped_for_clients_that_accept_it(client):
    import gzip

    import httpx

    plain = client.get("/timeline", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.headers["vary"] == "Accept-Encoding"
    with httpx.Client(transport=client._transport, base_url="http://testserver") as raw:
        with raw.stream("GET", "/timeline", headers={"Accept-Encoding": "gzip, deflate"}) as packed:
            body = b"".join(packed.iter_raw())
            assert packed.headers["content-encoding"] == "gzip"
            assert int(packed.headers["content-length"]) == len(body) < len(plain.content) / 3
            assert packed.headers["etag"] != plain.headers["etag"] and SECURITY <= set(packed.headers)
    assert gzip.decompress(body) == plain.content
    assert client.get("/timeline", headers={"Accept-Encoding": "gzip;q=0"}).headers.get("content-encoding") is None
    small = client.get("/api/status")
    assert "content-encoding" not in small.headers


# loose ends ---------------------------------------------------------------------------------------
def test_the_overview_of_an_empty_store_says_no_data(tmp_path):
    import weaklink

    store = tmp_path / "empty.duckdb"
    weaklink.connect(str(store)).close()
    with TestClient(create_app(str(store))) as empty:
        response = empty.get("/api/overview")
        assert response.status_code == 200, response.text
        data = response.json()
        assert data["as_of"] is None and data["alerts"] == [] and data["cohesion"] == []
        assert all(b["weakest"]["members"] == [] and "no data" in b["weakest"]["summary"] for b in data["blocs"])
        assert any("no data" in note and "weaklink demo" in note for note in data["notes"])
        page = empty.get("/")
        assert page.status_code == 200 and "no data" in page.text and "Cannot show this page" not in page.text


def test_writing_a_brief_on_a_read_only_store_says_what_to_do(demo_store, tmp_path):
    import weaklink
    from weaklink.errors import StoreError

    with weaklink.connect(str(demo_store), read_only=True) as wl:
        with pytest.raises(StoreError, match="read-only.*open it for writing"):
            wl.write_brief(tmp_path / "brief.html")
    assert not (tmp_path / "brief.html").exists()


def test_serve_passes_the_late_event_options_through(demo_store, monkeypatch):
    import uvicorn
    from click.testing import CliRunner

    from weaklink.cli import main

    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.append(app))
    for options, lag in ((["--max-lag-days", "7"], 7), (["--include-late"], None), ([], 30)):
        result = CliRunner().invoke(main, [*options, "serve", "--store", str(demo_store)])
        assert result.exit_code == 0, result.output
        state = served[-1].state.weaklink
        assert state.writer.max_lag_days == lag
        with state.borrow() as reader:
            assert reader.max_lag_days == lag
        state.close()


def test_the_dyad_page_answers_at_its_natural_address(client):
    page = client.get("/dyads/CHN/RUS")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Dyad CHN–RUS" in page.text and page.text == client.get("/dyads?a=CHN&b=RUS").text
    assert "Dyad CHN–PRK" in client.get("/dyads/China/PRK?freq=year").text
    assert client.get("/dyads/Narnia/RUS").status_code == 404


def test_a_pair_without_joint_votes_says_no_data(client):
    unsc = client.get("/api/votes?body=unsc").json()
    pair = next(r for r in unsc["matrix"] if {r["a"], r["b"]} == {"CHN", "PRK"})  # the DPRK never sat on the UNSC
    assert pair["votes"] == 0 and pair["agreement"] is None and pair["kappa"] is None
    assert pair["note"].startswith("no data")
    assert all(r["note"] is None for r in unsc["matrix"] if r["votes"])
    split = next(s for s in unsc["splits"] if {s["a"], s["b"]} == {"CHN", "PRK"})
    assert split["decisions"] == [] and split["notes"][0].startswith("no data")
    watched = {frozenset(p) for p in client.app.state.weaklink.writer.watch.dyads.watch}
    assert {frozenset((s["a"], s["b"])) for s in unsc["splits"]} == watched  # every watched pair, none left out
    page = client.get("/votes?body=unsc").text
    assert "<h3>CHN–PRK</h3>" in page and "no data (no decision both voted on)" in page


def test_the_vote_matrix_is_the_per_pair_alignment_in_one_query(demo_store):
    import weaklink

    actors = ["CHN", "RUS", "USA", "FRA", "JPN", "PRK"]
    with weaklink.connect(str(demo_store), read_only=True) as wl:
        for window in ({}, {"since": "2010-01-01", "until": "2020-12-31"}):
            matrix = wl.vote_matrix(actors, body="unsc", **window)
            for i, a in enumerate(actors):
                for b in actors[i + 1:]:
                    one = wl.vote_alignment(a, b, body="unsc", freq=None, **window).to_pyarrow().to_pylist()
                    expected = one[0] if one and one[0]["votes"] else None
                    assert matrix.get((a, b)) == expected, (a, b, window)
            assert sum(1 for row in matrix.values() if row) >= 5
