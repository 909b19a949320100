"""One error shape for every error the server answers, 4xx and 5xx alike:
`{"error": {"type": ..., "message": ..., "details": {...}}}` (the shape the CLI prints with --format json).

weaklink's own errors map to 4xx by kind; FastAPI's validation errors and Starlette's HTTP errors (404 for an
unknown path, 405 for a wrong method) take the same shape; anything else is a 500 whose message names the
error type only (the traceback goes to the server's log, never to the client).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from weaklink.errors import (AmbiguousCountry, InvalidArgument, NoInputFiles, SourceFileError, StoreError,
                             UnknownCountry, WatchFileError, WeaklinkError)

log = logging.getLogger("weaklink.web")


class NotFound(InvalidArgument):
    """A stored thing (document, signpost, briefing) the request names does not exist."""


class WritesRefused(WeaklinkError):
    """A write was asked of a server started without --allow-writes."""


class Unauthorized(WeaklinkError):
    """A write came without the bearer token, or with a wrong one."""


STATUS: list[tuple[type, int]] = [  # first match wins: subclasses before their bases
    (NotFound, 404), (UnknownCountry, 404), (AmbiguousCountry, 400), (WritesRefused, 403), (Unauthorized, 401),
    (NoInputFiles, 400), (SourceFileError, 422), (WatchFileError, 422), (InvalidArgument, 400),
    (StoreError, 503),
]
HTTP_TYPES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
              406: "NotAcceptable", 413: "PayloadTooLarge", 415: "UnsupportedMediaType", 422: "InvalidArgument",
              429: "TooManyRequests", 503: "ServiceUnavailable"}


def status_of(exc: WeaklinkError) -> int:
    from weaklink.web.state import ServerBusy

    if isinstance(exc, ServerBusy):
        return 503
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 400)


def error_body(kind: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"type": kind, "message": message, "details": details or {}}}


def error_response(status: int, kind: str, message: str, details: dict | None = None,
                   headers: dict | None = None) -> JSONResponse:
    return JSONResponse(error_body(kind, message, details), status_code=status, headers=headers)


async def _weaklink_error(request: Request, exc: WeaklinkError) -> JSONResponse:
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return error_response(status, type(exc).__name__, str(exc), getattr(exc, "details", None) or {}, headers)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
                for e in exc.errors()]
    message = "; ".join(f"{p['where']}: {p['problem']}" for p in problems) or "the request is not valid"
    return error_response(422, "InvalidArgument", message, {"errors": problems})


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such page or endpoint: {request.url.path} (the API's endpoints are listed at /docs)"
    return error_response(exc.status_code, HTTP_TYPES.get(exc.status_code, "HTTPError"), message, {},
                          getattr(exc, "headers", None))


def unexpected_error(scope, exc: Exception) -> JSONResponse:
    """A 500 in the one shape; the message names the error type only, the traceback goes to the log."""
    log.error("unexpected error on %s %s", scope.get("method"), scope.get("path"), exc_info=exc)
    return error_response(500, "InternalError", f"unexpected {type(exc).__name__}: a bug in weaklink (please "
                          "report it; the server's log has the traceback)")


def install(app: FastAPI) -> None:
    """Answer every error in the one shape (unexpected errors: weaklink.web.security.SecurityHeaders)."""
    app.add_exception_handler(WeaklinkError, _weaklink_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
