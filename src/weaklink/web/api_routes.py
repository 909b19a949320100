"""The JSON API under /api (docs/web.md): each endpoint validates its parameters and returns a view of
weaklink.web.views as it is. Writes need --allow-writes and the bearer token (weaklink.web.security)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import datetime as dt
from datetime import date, datetime, timezone
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from weaklink.api import Weaklink
from weaklink.errors import InvalidArgument
from weaklink.web import ratings, views
from weaklink.web.errors import NotFound
from weaklink.web.security import require_writer
from weaklink.web.state import get_wl, server_state


class ErrorDetail(BaseModel):
    type: str
    message: str
    details: dict[str, Any] = {}


class ErrorBody(BaseModel):
    """Every error, 4xx and 5xx alike."""

    error: ErrorDetail


ERRORS = {code: {"model": ErrorBody} for code in (400, 401, 403, 404, 422, 500, 503)}
Wl = Annotated[Weaklink, Depends(get_wl)]
View = dict[str, Any]

Since = Annotated[date | None, Query(description="First date to include (YYYY-MM-DD).")]
Until = Annotated[date | None, Query(description="Last date to include (YYYY-MM-DD).")]
Actor = Annotated[str, Path(min_length=1, max_length=80, description="ISO3 code (CHN) or name (China).")]
Freq = Literal["day", "week", "month", "quarter", "year"]
Level = Literal["leader", "minister", "official", "military"]

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)
MAX_UPLOAD = 10 * 1024 * 1024  # bytes of one uploaded document
UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")


@router.get("/overview", summary="Blocs, weakest links, alerts, signposts that changed, coverage")
async def overview(request: Request) -> View:
    return await respond(request, views.overview)


@router.get("/dyads/{a}/{b}", summary="Two actors' event series with alerts, quad classes and top events")
async def dyad(request: Request, a: Actor, b: Actor, freq: Freq = "month", since: Since = None,
               until: Until = None) -> View:
    return await respond(request, views.dyad, a, b, freq=freq, since=since, until=until)


@router.get("/timeline", summary="Curated timeline entries, filtered")
async def timeline(request: Request, actor: Annotated[str | None, Query(max_length=80)] = None,
                   kind: Annotated[str | None, Query(max_length=40)] = None, level: Level | None = None,
                   since: Since = None, until: Until = None) -> View:
    return await respond(request, views.timeline, actor=actor, kind=kind, level=level, since=since, until=until)


@router.get("/votes", summary="Voting alignment of the watched actors, and the watched dyads' splits")
async def votes(request: Request, body: Literal["unga", "unsc"] = "unga", since: Since = None,
                until: Until = None) -> View:
    return await respond(request, views.votes, body=body, since=since, until=until)


@router.get("/documents", summary="Stored documents (newest first), or a full-text search with q")
async def documents(request: Request, q: Annotated[str | None, Query(max_length=500)] = None,
                    issuer: Annotated[str | None, Query(max_length=80)] = None, since: Since = None,
                    until: Until = None, limit: Annotated[int, Query(ge=1, le=views.MAX_LIMIT)] = 50) -> View:
    return await respond(request, views.documents, q=q, issuer=issuer, since=since, until=until, limit=limit)


@router.get("/documents/{doc_id}", summary="A document's text with mention and framing spans (character offsets)")
async def document(request: Request, doc_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> View:
    return await respond(request, views.document, doc_id)


@router.get("/compare", summary="Two stored documents compared")
async def compare(request: Request, a: Annotated[int, Query(ge=1, le=2**31 - 1)],
                  b: Annotated[int, Query(ge=1, le=2**31 - 1)]) -> View:
    return await respond(request, views.compare, a, b)


@router.get("/signposts", summary="The signpost board")
async def signposts(request: Request) -> View:
    return await respond(request, views.signposts)


@router.get("/signposts/{signpost_id}", summary="One signpost with its rule, evidence and history")
async def signpost(request: Request, signpost_id: Annotated[str, Path(max_length=100)]) -> View:
    return await respond(request, views.signpost, signpost_id)


@router.get("/ach", summary="The ACH matrix and its sensitivity")
async def ach(request: Request) -> View:
    return await respond(request, views.ach)


@router.get("/sources", summary="Provenance, rejected lines and coverage")
async def sources(request: Request) -> View:
    return await respond(request, views.sources)


@router.get("/briefs", summary="The briefings generated through the web")
async def briefs(request: Request) -> View:
    return await respond(request, views.briefs)


async def respond(request: Request, view, *args, **kwargs) -> Response:
    """A view's data as JSON, computed in a worker thread on a borrowed reader (the view's result is cached per
    data version; the encoded answer is kept by the response cache at the edge, weaklink.web.edge)."""
    body = await run_in_threadpool(_encoded, server_state(request), view, args, kwargs)
    return Response(body, media_type="application/json")


def _encoded(state, view, args: tuple, kwargs: dict) -> bytes:
    with state.borrow() as wl:
        data = view(wl, *args, **kwargs)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


@router.get("/briefs/{name}", summary="Download a generated briefing", response_class=FileResponse,
            responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def brief_file(wl: Wl, name: Annotated[str, Path(max_length=200)]) -> FileResponse:
    listed = {b["name"] for b in views.briefs(wl)["briefs"]}
    if name not in listed:
        raise NotFound(f"no briefing named {name!r}: /api/briefs lists them")
    media = "application/pdf" if name.endswith(".pdf") else "text/html"
    return FileResponse(views.briefs_folder(wl) / name, media_type=media, filename=name,
                        content_disposition_type="attachment")


@router.get("/status", summary="The server: data version, writes allowed, the monitor's last run")
async def status(request: Request) -> View:
    state = server_state(request)
    return {"data_version": state.cache.version, "warming": state.warming, "allow_writes": state.allow_writes,
            "response_cache": state.responses.stats(),
            "monitor": state.monitor.status() if state.monitor is not None else None}


# writes -------------------------------------------------------------------------------------------
WRITE = [Depends(require_writer)]


class BriefRequest(BaseModel):
    bloc: str = Field("axis", max_length=80)
    since: date | None = None
    until: date | None = None
    as_of: date | None = None
    lang: str = Field("en", max_length=10)
    format: Literal["html", "pdf"] = "html"


@router.post("/briefs", status_code=201, dependencies=WRITE, summary="Generate a briefing (a write)")
def generate_brief(request: Request, spec: Annotated[BriefRequest, Body()] = BriefRequest()) -> View:
    state = server_state(request)
    if spec.bloc not in state.writer.watch.blocs:
        raise NotFound(f"no bloc {spec.bloc!r} in the watch file; blocs: {', '.join(state.writer.watch.blocs)}")
    views.window(spec.since, spec.until)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"brief-{spec.bloc}-{spec.lang}-{stamp}.{spec.format}"
    with state.writing() as wl:
        folder = views.briefs_folder(wl)
        folder.mkdir(parents=True, exist_ok=True)
        wl.write_brief(folder / name, bloc=spec.bloc, since=spec.since, until=spec.until, as_of=spec.as_of,
                       lang=spec.lang)
    return {"name": name, "url": f"/api/briefs/{name}"}


class DocumentUpload(BaseModel):
    filename: str = Field(max_length=200, description="Its name; the suffix says the format: .txt .md .html .pdf")
    content: str = Field(description="The file's text, or its bytes in base64 (encoding: base64)")
    encoding: Literal["text", "base64"] = "text"
    date: dt.date | None = None
    issuers: str | None = Field(None, max_length=200, description="ISO3 codes joined by commas")
    parties: str | None = Field(None, max_length=200)
    title: str | None = Field(None, max_length=500)
    kind: str | None = Field(None, max_length=40)
    language: str | None = Field(None, max_length=10)
    source_url: str | None = Field(None, max_length=2000)


@router.post("/documents", status_code=201, dependencies=WRITE, summary="Upload and ingest a document (a write)")
def upload_document(request: Request, upload: DocumentUpload) -> View:
    data = _upload_bytes(upload)
    state = server_state(request)
    meta = {k: v for k, v in upload.model_dump(exclude={"filename", "content", "encoding"}).items() if v is not None}
    if "date" in meta:
        meta["date"] = meta["date"].isoformat()
    with state.writing() as wl:
        path = _keep_upload(wl, upload.filename, data)
        summary = wl.ingest_docs([path], **meta)
        found = wl.store.con.execute("SELECT max(doc_id) FROM documents WHERE path = ?", [str(path)]).fetchall()
    return {**views.plain(summary.to_dict()), "doc_id": found[0][0] if found else None}


def _upload_bytes(upload: DocumentUpload) -> bytes:
    name = upload.filename
    if not re.fullmatch(r"[\w .()\-]{1,200}", name) or name.startswith(".") or \
            not name.lower().endswith(UPLOAD_SUFFIXES):
        raise InvalidArgument(f"filename {name!r}: give a plain file name (letters, digits, space, . _ - ( )) ending "
                              f"in {', '.join(UPLOAD_SUFFIXES)}")
    if upload.encoding == "base64":
        try:
            data = base64.b64decode(upload.content, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidArgument("content is not valid base64 (encoding: base64)") from None
    else:
        data = upload.content.encode("utf-8")
    if not data:
        raise InvalidArgument("the uploaded document is empty")
    if len(data) > MAX_UPLOAD:
        raise InvalidArgument(f"the uploaded document has {len(data):,} bytes: at most {MAX_UPLOAD:,}")
    return data


def _keep_upload(wl, filename: str, data: bytes):
    """Uploaded files are kept beside the store (`<store>.uploads/`), so provenance names a real file."""
    from weaklink.fileio import atomic_write_bytes

    folder = views.store_side_folder(wl, "uploads")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(data).hexdigest()[:16]}-{filename}"
    if not path.exists():
        atomic_write_bytes(path, data)
    return path


class RatingEdit(BaseModel):
    rating: Literal["CC", "C", "N", "I", "II"]


@router.put("/ach/ratings/{evidence}/{hypothesis}", dependencies=WRITE, summary="Edit an ACH rating (a write)")
def edit_rating(request: Request, evidence: Annotated[str, Path(max_length=100)],
                hypothesis: Annotated[str, Path(max_length=100)], edit: RatingEdit) -> View:
    state = server_state(request)
    with state.writing() as wl:
        entry = ratings.set_rating(wl, state.base_watch, evidence, hypothesis, edit.rating)
        wl.watch = ratings.apply(state.base_watch, ratings.overrides(wl))
    return entry


class UpdateRequest(BaseModel):
    fetch: bool = Field(True, description="Fetch new data first (false: re-evaluate what the store holds)")


@router.post("/update", dependencies=WRITE, summary="Run the monitor once: update, re-evaluate, notify (a write)")
def run_update(request: Request, spec: Annotated[UpdateRequest, Body()] = UpdateRequest()) -> View:
    state = server_state(request)
    with state.writing() as wl:
        run = wl.monitor_once(update=spec.fetch)
    return views.plain(run.to_dict())
