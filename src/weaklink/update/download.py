"""Downloads into a cache folder, verified before anything is read from them.

Each file is written to `NAME.part` and renamed to `NAME` only once its size and MD5 match what the list
says and, for a zip, every member's CRC checks. A `.part` left by an interrupted run is continued with an
HTTP Range request where the server allows it, else fetched again. Every failure becomes a reason in
words (HTTP status, time-out, dropped connection, wrong size, wrong MD5, corrupt zip); none is raised.
"""

from __future__ import annotations

import hashlib
import os
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from weaklink.update.gdelt_lists import ListedFile

CHUNK = 1 << 20
USER_AGENT = "weaklink-update (+https://github.com/weaklink)"


@dataclass
class Download:
    """The outcome for one listed file: `path` is set when the file is in the cache and verified."""

    listed: ListedFile
    path: Path | None
    status: str  # downloaded, cached, failed
    reason: str | None = None
    bytes_fetched: int = 0
    seconds: float = 0.0


def client(timeout: float, workers: int) -> httpx.Client:
    """One HTTP client shared by the download threads (connection pool sized to them)."""
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    return httpx.Client(timeout=httpx.Timeout(timeout), limits=limits, follow_redirects=True,
                        headers={"User-Agent": USER_AGENT})


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, listed: ListedFile) -> str | None:
    """Why the file is not the one listed (size, MD5, a zip that does not check), or None when it is."""
    size = path.stat().st_size
    if listed.size is not None and size != listed.size:
        return f"wrong size: {size:,} bytes, the list says {listed.size:,}"
    if listed.md5 is not None and (md5 := _md5(path)) != listed.md5:
        return f"wrong MD5: {md5}, the list says {listed.md5}"
    if listed.name.lower().endswith(".zip"):
        try:
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            return f"corrupt zip: {exc}"
        if bad is not None:
            return f"corrupt zip: member {bad!r} fails its CRC check"
    return None


def _fetch(http: httpx.Client, listed: ListedFile, part: Path) -> int:
    """Stream the file into `part`, continuing a partial one when the server honours Range; bytes fetched."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have and (listed.size is None or have < listed.size) else {}
    fetched = 0
    with http.stream("GET", listed.url, headers=headers) as response:
        if response.status_code not in (200, 206):
            raise _HttpStatus(f"HTTP {response.status_code} {response.reason_phrase}".strip())
        mode = "ab" if response.status_code == 206 and headers else "wb"
        with part.open(mode) as handle:
            for chunk in response.iter_bytes():  # as it arrives: a dropped connection keeps what came
                handle.write(chunk)
                fetched += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    return fetched


class _HttpStatus(Exception):
    pass


def _failure(exc: Exception, timeout: float) -> str:
    if isinstance(exc, _HttpStatus):
        return str(exc)
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out (no data for {timeout:g} s): {type(exc).__name__}"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return f"connection dropped during the download ({type(exc).__name__}: {exc})"
    if isinstance(exc, httpx.HTTPError):
        return f"download failed ({type(exc).__name__}: {exc})"
    return f"cannot write the download ({type(exc).__name__}: {exc})"


def download(http: httpx.Client, listed: ListedFile, cache: Path, timeout: float) -> Download:
    """Bring one listed file into the cache, verified; a verified copy already there is used as it is."""
    clock = time.perf_counter()
    final, part = cache / listed.name, cache / f"{listed.name}.part"
    if final.exists() and verify(final, listed) is None:
        return Download(listed, final, "cached", seconds=time.perf_counter() - clock)
    final.unlink(missing_ok=True)
    try:
        fetched = _fetch(http, listed, part)
    except (httpx.HTTPError, _HttpStatus, OSError) as exc:
        if not isinstance(exc, (httpx.TransportError,)) or listed.size is None:
            part.unlink(missing_ok=True)  # keep a partial file only to continue it next time
        return Download(listed, None, "failed", _failure(exc, timeout), seconds=time.perf_counter() - clock)
    problem = verify(part, listed)
    if problem is not None:
        part.unlink(missing_ok=True)
        return Download(listed, None, "failed", problem, fetched, time.perf_counter() - clock)
    os.replace(part, final)
    return Download(listed, final, "downloaded", None, fetched, time.perf_counter() - clock)
