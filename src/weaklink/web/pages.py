"""The dashboard's HTML pages: one route per page, each rendering the same data the JSON API returns
(weaklink.web.views, called with the same arguments as the API so that both share the views' cache) through a
Jinja template with autoescape on. Charts are drawn in the browser by
static/charts.js from the `/api/...` JSON, with Plotly's JavaScript served from the installed `plotly`
package (never a CDN). Nothing here computes: a page is a view's data, escaped (docs/web.md, "Pages").
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import jinja2
import markupsafe
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from weaklink.errors import WeaklinkError
from weaklink.report.values import is_web_url
from weaklink.web import views
from weaklink.web.errors import status_of
from weaklink.web.state import get_wl

router = APIRouter(include_in_schema=False)

NAV = [("overview", "Overview", "/"), ("dyads", "Dyads", "/dyads"), ("timeline", "Timeline", "/timeline"),
       ("votes", "Votes", "/votes"), ("documents", "Documents", "/documents"),
       ("signposts", "Signposts", "/signposts"), ("ach", "ACH", "/ach"), ("sources", "Sources", "/sources"),
       ("briefs", "Briefs", "/briefs")]
STATUSES = ("seen", "emerging", "not_seen", "no_data")
YEAR = 365 * 24 * 3600
VERSION = importlib.metadata.version("weaklink")
NO_DATA = markupsafe.Markup('<span class="nodata">no data</span>')  # a constant: never built from data


# --- rendering -----------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Autoescape on for every template, whatever its name; undefined values render empty, never crash."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.tests["web_url"] = is_web_url
    env.filters["status_class"] = lambda s: s if s in STATUSES else "no_data"
    env.filters["q"] = lambda v: quote(str(v), safe="")
    env.filters["fixed"] = lambda v, n=2: NO_DATA if v is None else f"{v:.{n}f}"
    env.filters["pct"] = lambda v: NO_DATA if v is None else f"{100 * v:.0f}%"
    env.filters["thousands"] = lambda v: NO_DATA if v is None else f"{v:,}"
    env.globals.update(static=lambda name: f"/static/{name}?v={VERSION}", plotly_url=plotly_url(),
                       plotly_style_guards=plotly_style_guards(), nav=NAV, version=VERSION)
    return env


def render(request: Request, wl, template: str, current: str, title: str, status: int = 200,
           charts: bool = False, **data) -> HTMLResponse:
    """A page: the template with the data, the navigation and the data's "as of" date. (A page that rendered
    with status 200 is kept, per address, by the response cache at the edge until the next write:
    weaklink.web.edge.)"""
    html = environment().get_template(template).render(
        request=request, current=current, title=title, charts=charts, as_of=_as_of(wl) if wl else None,
        store=wl.store.url if wl else "", **data)
    return HTMLResponse(html, status_code=status)


def failed(request: Request, wl, current: str, exc: WeaklinkError) -> HTMLResponse:
    """A bad parameter or an unknown thing: the page says what was wrong and what to do, with the API's status."""
    return render(request, wl, "error.html", current, "Cannot show this page", status=status_of(exc),
                  kind=type(exc).__name__, message=str(exc))


@views.cached
def _as_of(wl) -> str | None:
    day = wl.data_as_of()
    return day.isoformat() if day else None


def _blank(value: str | None) -> str | None:
    """A form's empty field means "not given"."""
    return value.strip() if value and value.strip() else None


# --- Plotly, from the installed package ----------------------------------------------------------------

def plotly_version() -> str:
    return importlib.metadata.version("plotly")


def plotly_url() -> str:
    return f"/vendor/plotly-{plotly_version()}.min.js"


@lru_cache(maxsize=1)
def plotly_js() -> bytes:
    return (importlib.resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()


@lru_cache(maxsize=1)
def plotly_style_guards() -> list[str]:
    """The element ids plotly.js looks for before it injects a bundled stylesheet as an inline <style> (the map
    traces' CSS), which the CSP forbids: the pages carry an element with each id, so none is injected (the
    dashboard draws no map). Read from the installed bundle, so a new plotly version brings its own ids."""
    found = re.findall(rb'getElementById\("([0-9a-f]{32,64})"\)\)\{var \w+=document\.createElement\("style"\)',
                       plotly_js())
    return sorted({ident.decode() for ident in found})


@router.get("/vendor/plotly-{version}.min.js")
def plotly_script(version: str) -> Response:
    """plotly.js as bundled in the installed `plotly` wheel; the URL names the version, so it is cached a year."""
    if version != plotly_version():
        return Response("no such plotly version here", status_code=404, media_type="text/plain")
    return Response(plotly_js(), media_type="text/javascript",
                    headers={"Cache-Control": f"public, max-age={YEAR}, immutable"})


# --- pages ---------------------------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, wl=Depends(get_wl)):
    try:
        data, board = views.overview(wl), views.signposts(wl)
    except WeaklinkError as exc:  # an empty store: the message says how to fill it
        return failed(request, wl, "overview", exc)
    changed = [s for s in board["signposts"] if s["id"] in board["changed"]]
    return render(request, wl, "overview.html", "overview", "Overview", charts=True, data=data, changed=changed)


@router.get("/dyads", response_class=HTMLResponse)
def dyads_page(request: Request, a: str | None = None, b: str | None = None, freq: str = "month",
               since: str | None = None, until: str | None = None, wl=Depends(get_wl)):
    first, second = wl.watch.dyads.watch[0] if wl.watch.dyads.watch else ("CHN", "PRK")
    return _dyad(request, wl, _blank(a) or first, _blank(b) or second, freq, since, until)


def _dyad(request: Request, wl, a: str, b: str, freq: str, since: str | None, until: str | None):
    try:
        data = views.dyad(wl, a, b, freq=freq, since=_blank(since), until=_blank(until))
    except WeaklinkError as exc:
        return failed(request, wl, "dyads", exc)
    query = f"freq={quote(freq)}" + "".join(f"&{k}={quote(v)}" for k, v in (("since", data["since"]),
                                                                          ("until", data["until"])) if v)
    return render(request, wl, "dyads.html", "dyads", f"Dyad {data['a']}–{data['b']}", charts=True, data=data,
                  actors=_actors(wl), watched=wl.watch.dyads.watch, freqs=views.FREQUENCIES,
                  api=f"/api/dyads/{quote(data['a'])}/{quote(data['b'])}?{query}")


@router.get("/dyads/{a}/{b}", response_class=HTMLResponse)
def dyad_page(request: Request, a: str, b: str, freq: str = "month", since: str | None = None,
              until: str | None = None, wl=Depends(get_wl)):
    """The dyad page at its natural address (as /api/dyads/{a}/{b}): the same page as /dyads?a=&b=."""
    return _dyad(request, wl, a, b, freq, since, until)


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, actor: str | None = None, kind: str | None = None, level: str | None = None,
                  since: str | None = None, until: str | None = None, wl=Depends(get_wl)):
    try:
        data = views.timeline(wl, actor=_blank(actor), kind=_blank(kind), level=_blank(level), since=_blank(since),
                              until=_blank(until))
    except WeaklinkError as exc:
        return failed(request, wl, "timeline", exc)
    everything = views.timeline(wl, actor=None, kind=None, level=None, since=None, until=None)
    kinds = sorted({e["kind"] for e in everything["entries"] if e["kind"]})
    return render(request, wl, "timeline.html", "timeline", "Timeline", data=data, actors=_actors(wl),
                  kinds=kinds, levels=views.LEVELS)


@router.get("/votes", response_class=HTMLResponse)
def votes_page(request: Request, body: str = "unga", since: str | None = None, until: str | None = None,
               wl=Depends(get_wl)):
    try:
        data = views.votes(wl, body=body, since=_blank(since), until=_blank(until))
    except WeaklinkError as exc:
        return failed(request, wl, "votes", exc)
    cells = {(r["a"], r["b"]): r for r in data["matrix"]} | {(r["b"], r["a"]): r for r in data["matrix"]}
    query = f"body={quote(body)}" + "".join(f"&{k}={quote(v)}" for k, v in (("since", data["since"]),
                                                                          ("until", data["until"])) if v)
    return render(request, wl, "votes.html", "votes", f"Votes ({body.upper()})", charts=True, data=data,
                  cells=cells, bodies=views.BODIES, api=f"/api/votes?{query}")


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, q: str | None = None, issuer: str | None = None, since: str | None = None,
                   until: str | None = None, wl=Depends(get_wl)):
    try:
        data = views.documents(wl, q=_blank(q), issuer=_blank(issuer), since=_blank(since), until=_blank(until),
                               limit=100)
    except WeaklinkError as exc:
        return failed(request, wl, "documents", exc)
    return render(request, wl, "documents.html", "documents", "Documents", data=data, actors=_actors(wl),
                  form={"q": q or "", "issuer": issuer or "", "since": since or "", "until": until or ""})


@router.get("/documents/compare", response_class=HTMLResponse)
def compare_page(request: Request, a: str | None = None, b: str | None = None, wl=Depends(get_wl)):
    try:
        old_id, new_id = views.doc_id(a or ""), views.doc_id(b or "")
        data = views.compare(wl, old_id, new_id)
        old, new = views.document(wl, old_id), views.document(wl, new_id)
    except WeaklinkError as exc:
        return failed(request, wl, "documents", exc)
    return render(request, wl, "compare.html", "documents", "Compare two documents", data=data, old=old, new=new)


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, wl=Depends(get_wl)):
    try:
        data = views.document(wl, views.doc_id(doc_id))
    except WeaklinkError as exc:
        return failed(request, wl, "documents", exc)
    return render(request, wl, "document.html", "documents", data.get("title") or f"Document {data['doc_id']}",
                  data=data, segments=segments(data["text"], data["spans"]))


@router.get("/signposts", response_class=HTMLResponse)
def signposts_page(request: Request, wl=Depends(get_wl)):
    try:
        data = views.signposts(wl)
    except WeaklinkError as exc:
        return failed(request, wl, "signposts", exc)
    return render(request, wl, "signposts.html", "signposts", "Signposts", data=data, statuses=STATUSES)


@router.get("/signposts/{signpost_id}", response_class=HTMLResponse)
def signpost_page(request: Request, signpost_id: str, wl=Depends(get_wl)):
    try:
        data = views.signpost(wl, signpost_id)
    except WeaklinkError as exc:
        return failed(request, wl, "signposts", exc)
    return render(request, wl, "signpost.html", "signposts", f"Signpost {data['id']}", charts=True, data=data,
                  api=f"/api/signposts/{quote(data['id'], safe='')}")


@router.get("/ach", response_class=HTMLResponse)
def ach_page(request: Request, wl=Depends(get_wl)):
    try:
        data = views.ach(wl)
    except WeaklinkError as exc:
        return failed(request, wl, "ach", exc)
    titles = {h["id"]: h["title"] for h in data.get("hypotheses", [])}
    return render(request, wl, "ach.html", "ach", "Analysis of competing hypotheses", charts=True, data=data,
                  titles=titles)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, wl=Depends(get_wl)):
    try:
        data = views.sources(wl)
    except WeaklinkError as exc:
        return failed(request, wl, "sources", exc)
    return render(request, wl, "sources.html", "sources", "Sources", charts=True, data=data)


@router.get("/briefs", response_class=HTMLResponse)
def briefs_page(request: Request, wl=Depends(get_wl)):
    state = request.app.state.weaklink
    return render(request, wl, "briefs.html", "briefs", "Briefs", charts=False, data=views.briefs(wl),
                  writes=state.allow_writes, blocs=list(wl.watch.blocs), scripts=["briefs.js"])


def _actors(wl) -> list[str]:
    return [actor.id for actor in wl.watch.actors]


# --- document text with its mentions and framing terms marked ------------------------------------------

def segments(text: str, spans: list[dict]) -> list[dict]:
    """The text cut at the spans' character offsets into plain pieces and marked pieces (a mention or a framing
    term); overlapping spans keep the first. The template escapes every piece: nothing here is HTML."""
    pieces, at = [], 0
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        start, end = max(span["start"], at), min(span["end"], len(text))
        if start != span["start"] or end <= start:
            continue
        if start > at:
            pieces.append({"text": text[at:start], "kind": None})
        label = span["actor"] if span["kind"] == "mention" else (span.get("term") or "").replace("_", " ")
        pieces.append({"text": text[start:end], "kind": span["kind"], "label": f"{span['kind']}: {label}"})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:], "kind": None})
    return pieces
