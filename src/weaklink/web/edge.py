"""The response cache at the edge of the app: a pure ASGI middleware that answers a repeated GET from memory
(docs/web.md, "Cache").

A page or an API answer depends only on its address and the data; the data change only through this
process's writes, each of which raises the data version (weaklink.web.state.Cache.bump). So a 200 answer
to a GET is kept as it was sent (status, headers, security headers included, and the body's bytes), keyed
by path and query, for the data version it was computed in, and the same request in the same version gets
those bytes back without routing, validation, a thread or a store connection. An answer computed while a
write came in is not kept. Each kept answer carries an ETag; a request whose If-None-Match names it gets a
304 with no body. A JSON or HTML answer of 1 KB or more is also kept gzipped (compressed once, when it is
kept) and sent so to clients that accept gzip, with its own ETag and `Vary: Accept-Encoding`.

Never kept, never served from here: requests with an `Authorization` header (nothing per user or per token
is ever cached), other methods than GET, answers other than a complete 200, addresses whose answer does not
follow the data version (/api/status, briefing downloads, static files, plotly.js), and answers larger than
`MAX_ENTRY_BYTES`. The cache holds at most `MAX_ENTRIES` answers and `MAX_BYTES` bytes, dropping the oldest.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_ENTRIES = 1024
MAX_BYTES = 64 * 1024 * 1024
MAX_ENTRY_BYTES = 8 * 1024 * 1024
UNCACHED_PREFIXES = ("/api/status", "/api/briefs/", "/static/", "/vendor/")
NOT_MODIFIED_DROPPED = {b"content-length", b"content-type", b"content-encoding"}
COMPRESSED_TYPES = (b"application/json", b"text/html")
MIN_COMPRESSED = 1024  # bytes: smaller answers are sent as they are


@dataclass(frozen=True)
class Variant:
    """One representation of a kept answer: its headers (ETag included) and body."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes


@dataclass(frozen=True)
class Entry:
    """One kept answer, for the data version it was computed in: as sent, and gzipped when that pays."""

    version: int
    status: int
    plain: Variant
    packed: Variant | None = None

    @property
    def size(self) -> int:
        return len(self.plain.body) + (len(self.packed.body) if self.packed else 0)

    def variant(self, scope) -> Variant:
        return self.packed if self.packed is not None and accepts_gzip(scope) else self.plain


def make_entry(version: int, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> Entry:
    """The entry for an answer as the app sent it: an ETag added, and a gzipped variant for JSON and HTML."""
    headers = [(k, v) for k, v in headers if k.lower() != b"etag"]
    kind = next((v for k, v in headers if k.lower() == b"content-type"), b"")
    compressible = (kind.startswith(COMPRESSED_TYPES) and len(body) >= MIN_COMPRESSED
                    and not any(k.lower() == b"content-encoding" for k, _ in headers))
    if compressible:
        headers.append((b"vary", b"Accept-Encoding"))
    etag = etag_of(body)
    plain = Variant(tuple(headers + [(b"etag", etag)]), body, etag)
    packed = gzip.compress(body, compresslevel=6, mtime=0) if compressible else b""
    if not compressible or len(packed) > 0.9 * len(body):
        return Entry(version, status, plain)
    packed_etag = etag[:-1] + b'-gz"'
    packed_headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    packed_headers += [(b"content-length", str(len(packed)).encode()), (b"content-encoding", b"gzip"),
                       (b"etag", packed_etag)]
    return Entry(version, status, plain, Variant(tuple(packed_headers), packed, packed_etag))


def accepts_gzip(scope) -> bool:
    """The request's Accept-Encoding names gzip (with a q above 0)."""
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            for token in value.lower().split(b","):
                coding, _, params = token.partition(b";")
                if coding.strip() == b"gzip":
                    return params.replace(b" ", b"") not in (b"q=0", b"q=0.0", b"q=0.00", b"q=0.000")
    return False


class ResponseStore:
    """Kept answers by address, for one data version at a time; bounded in entries and bytes (oldest out)."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict[bytes, Entry] = OrderedDict()
        self._bytes = 0
        self._version: int | None = None  # the data version of every kept answer
        self.hits = self.misses = 0

    def get(self, key: bytes, version: int) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None or entry.version != version:
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def put(self, key: bytes, entry: Entry) -> None:
        if entry.version != self._version:
            self.clear()  # a write raised the version: every answer kept so far is stale
            self._version = entry.version
        self._drop(key)
        self._entries[key] = entry
        self._bytes += entry.size
        while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
            self._drop(next(iter(self._entries)))

    def _drop(self, key: bytes) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.size

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def stats(self) -> dict:
        return {"entries": len(self._entries), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}


def cacheable(scope) -> bool:
    """A GET without credentials, to an address whose answer follows the data version."""
    if scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(UNCACHED_PREFIXES):
        return False
    return not any(name == b"authorization" for name, _ in scope["headers"])


def etag_of(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'


def matches(scope, etag: bytes) -> bool:
    """The request's If-None-Match names `etag` (or is *)."""
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            tags = {t.strip().removeprefix(b"W/") for t in value.split(b",")}
            return etag in tags or b"*" in tags
    return False


class ResponseCache:
    """ASGI middleware: serve kept answers, keep new 200 answers to cacheable GETs (see the module's doc).
    `version()` is the data version (the server's weaklink.web.state.Cache.version)."""

    def __init__(self, app, version: Callable[[], int], store: ResponseStore) -> None:
        self.app, self.version, self.store = app, version, store

    async def __call__(self, scope, receive, send) -> None:
        if not cacheable(scope):
            await self.app(scope, receive, send)
            return
        key = scope["path"].encode() + b"?" + scope["query_string"]
        version = self.version()
        entry = self.store.get(key, version)
        if entry is not None:
            await self._replay(scope, send, entry)
            return
        await self._record(scope, receive, send, key, version)

    async def _replay(self, scope, send, entry: Entry) -> None:
        variant = entry.variant(scope)
        if matches(scope, variant.etag):
            headers = [(k, v) for k, v in variant.headers if k not in NOT_MODIFIED_DROPPED]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": entry.status, "headers": list(variant.headers)})
        await send({"type": "http.response.body", "body": variant.body})

    async def _record(self, scope, receive, send, key: bytes, version: int) -> None:
        """Run the app; hold back a 200's start until its body is whole, then add the ETag, send and keep it.
        Anything else (another status, a body past MAX_ENTRY_BYTES) goes through as it comes."""
        held: dict | None = None
        chunks: list[bytes] = []
        size = 0

        async def capture(message) -> None:
            nonlocal held, size
            if held is None and message["type"] == "http.response.start":
                if message["status"] == 200:
                    held = message
                    return
                await send(message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            body = message.get("body", b"")
            chunks.append(body)
            size += len(body)
            if size > MAX_ENTRY_BYTES:
                await self._give_up(send, held, chunks, message.get("more_body", False))
                held = None
                return
            if not message.get("more_body", False):
                await self._finish(scope, send, held, b"".join(chunks), key, version)
                held = None

        await self.app(scope, receive, capture)

    async def _give_up(self, send, start: dict, chunks: list[bytes], more: bool) -> None:
        """Too large to keep: send what was held back and let the rest stream through."""
        await send(start)
        await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": more})
        chunks.clear()

    async def _finish(self, scope, send, start: dict, body: bytes, key: bytes, version: int) -> None:
        entry = make_entry(version, start["status"], list(start.get("headers", [])), body)
        variant = entry.variant(scope)
        await send({**start, "headers": list(variant.headers)})
        await send({"type": "http.response.body", "body": variant.body})
        if version == self.version():  # no write came in while it was computed
            self.store.put(key, entry)
