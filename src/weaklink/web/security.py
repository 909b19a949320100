"""Security for the server: headers on every response, and the check every write passes (docs/web.md).

Writes need both the server started with --allow-writes and `Authorization: Bearer <token>` equal to
$WEAKLINK_TOKEN, compared in constant time (hmac.compare_digest)."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import Request
from starlette.datastructures import MutableHeaders

from weaklink.errors import InvalidArgument
from weaklink.web.errors import Unauthorized, WritesRefused, unexpected_error

TOKEN_ENV = "WEAKLINK_TOKEN"
MIN_TOKEN_LENGTH = 16

CSP = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# The interactive API docs (/docs) load Swagger UI's script and style from a CDN: off (the schema is at
# /openapi.json); so no page ever needs a looser policy.


class SecurityHeaders:
    """ASGI middleware: the security headers on every response, errors included; an unexpected error becomes
    a 500 in the one error shape (weaklink.web.errors) here, inside the headers."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if scope["path"].startswith("/api/") and "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:
            if started:
                raise
            await unexpected_error(scope, exc)(scope, receive, send_with_headers)


def check_token(token: str | None, allow_writes: bool) -> None:
    """Refuse to start with writes allowed and no (or a short) token."""
    if allow_writes and not token:
        raise InvalidArgument(f"--allow-writes needs a token: set {TOKEN_ENV} to a secret of at least "
                              f"{MIN_TOKEN_LENGTH} characters (e.g. `export {TOKEN_ENV}=$(openssl rand -hex 32)`)")
    if allow_writes and len(token) < MIN_TOKEN_LENGTH:
        raise InvalidArgument(f"{TOKEN_ENV} is {len(token)} characters long: use a secret of at least "
                              f"{MIN_TOKEN_LENGTH} (e.g. `openssl rand -hex 32`)")


def require_writer(request: Request) -> None:
    """FastAPI dependency of every write: writes allowed on this server, and the right bearer token."""
    state = request.app.state.weaklink
    if not state.allow_writes:
        raise WritesRefused("this server is read-only: start it with `weaklink serve --allow-writes` (and "
                            f"{TOKEN_ENV} set) to upload documents, edit ratings, update or generate briefs")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Unauthorized(f"a write needs the header `Authorization: Bearer <token>` with the server's "
                           f"{TOKEN_ENV}")
    if not hmac.compare_digest(given.strip().encode(), state.token.encode()):
        raise Unauthorized("wrong token: give the server's WEAKLINK_TOKEN as `Authorization: Bearer <token>`")


def is_loopback(host: str) -> bool:
    """True for localhost and addresses in 127.0.0.0/8 or ::1."""
    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
