"""Real servers on 127.0.0.1 for the update and monitor tests: a file server whose routes can fail in the ways
the network does (404, slow, dropped connection), a webhook receiver and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    body: bytes
    status: int = 200
    delay: float = 0.0          # seconds before the response starts
    drop_after: int | None = None  # send this many body bytes of a full Content-Length, then close
    content_type: str = "application/octet-stream"
    trickle: float = 0.0        # seconds between 16 KiB chunks
    ranges: bool = False        # answer "Range: bytes=N-" with 206 and the rest


@dataclass
class LoopbackServer:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)  # method, path, body
    range_requests: list[tuple[str, str]] = field(default_factory=list)  # path, Range header

    def start(self) -> LoopbackServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(("GET", self.path, b""))
                route = server.routes.get(self.path)
                if route is None:
                    self._send(404, b"not found", "text/plain")
                    return
                time.sleep(route.delay)
                if route.drop_after is not None:
                    self.send_response(route.status)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body[:route.drop_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                asked = self.headers.get("Range")
                if asked:
                    server.range_requests.append((self.path, asked))
                if route.ranges and asked and asked.startswith("bytes=") and asked.endswith("-"):
                    self._send(206, route.body[int(asked[6:-1]):], route.content_type, route.trickle)
                    return
                self._send(route.status, route.body, route.content_type, route.trickle)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                server.requests.append(("POST", self.path, body))
                route = server.routes.get(self.path, Route(b"{}", content_type="application/json"))
                self._send(route.status, route.body, route.content_type)

            def _send(self, status: int, body: bytes, content_type: str, trickle: float = 0.0) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    for start in range(0, len(body), 16384):
                        self.wfile.write(body[start:start + 16384])
                        if trickle:
                            self.wfile.flush()
                            time.sleep(trickle)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def gets(self, suffix: str = "") -> list[str]:
        return [p for m, p, _ in self.requests if m == "GET" and p.endswith(suffix)]

    def posts(self, path: str) -> list[dict]:
        return [json.loads(b) for m, p, b in self.requests if m == "POST" and p == path]


def zipped(csv: Path) -> bytes:
    """A GDELT-style export zip of one real export file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(csv, csv.name)
    return buffer.getvalue()


def corrupt(data: bytes) -> bytes:
    """The zip with bytes in the middle of its compressed data flipped (its CRC no longer checks)."""
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle:middle + 64]) + data[middle + 64:]


def list_line(url: str, body: bytes, md5: str | None = None) -> str:
    return f"{len(body)} {md5 or hashlib.md5(body).hexdigest()} {url}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpRecorder:
    """An aiosmtpd SMTP server on loopback that keeps every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[dict] = []
        recorder = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                recorder.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                          "data": envelope.content.decode("utf-8", "replace")})
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpRecorder:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
