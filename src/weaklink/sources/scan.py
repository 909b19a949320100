"""One streaming pass over an input file: its sha256, size, line count and blank lines.

Zip archives (GDELT ships `.CSV.zip`) are hashed as stored and their single member is scanned
as a stream; nothing is extracted to disk. The pass can run in a background thread while DuckDB
parses the same file (hashing, reading and NumPy release the GIL); reading `sha256`, `lines` or
`blank_lines` waits for it.
"""

from __future__ import annotations

import gzip
import hashlib
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from weaklink.errors import SourceFileError

CHUNK = 8 << 20


_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="weaklink-scan")


@dataclass(frozen=True)
class ContentScan:
    sha256: str
    lines: int
    blank_lines: list[int]


@dataclass
class FileScan:
    """A file's identity and where its lines are; the content pass may still be running."""

    path: Path
    size_bytes: int
    compression: str | None  # "zip", "gzip" or None
    member: str | None
    content: Future

    @property
    def sha256(self) -> str:
        return self.content.result().sha256

    @property
    def lines(self) -> int:
        return self.content.result().lines

    @property
    def blank_lines(self) -> list[int]:
        return self.content.result().blank_lines


def zip_member(path: Path) -> str:
    """The one data file inside a GDELT zip, or a clear error."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceFileError(f"{path}: not a readable zip archive ({exc}); the download may be truncated") from exc
    if len(names) != 1:
        raise SourceFileError(f"{path}: expected one file inside the zip, found {len(names)}: {names[:5]}")
    return names[0]


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


class _LineCounter:
    """Counts lines across chunks and records the 1-based numbers of blank ones."""

    def __init__(self) -> None:
        self.lines = 0
        self.blank: list[int] = []
        self.partial = 0  # bytes of the line still open at the end of the last chunk
        self.partial_last = 0  # its last byte

    def feed(self, chunk: bytes) -> None:
        data = np.frombuffer(chunk, dtype=np.uint8)
        ends = np.flatnonzero(data == 10)
        if len(ends):
            starts = np.concatenate(([0], ends[:-1] + 1))
            lengths = ends - starts
            lengths[0] += self.partial
            before = data[np.maximum(ends - 1, 0)]
            if ends[0] == 0:
                before[0] = self.partial_last
            blank = (lengths - ((before == 13) & (lengths > 0))) == 0
            self.blank.extend((np.flatnonzero(blank) + self.lines + 1).tolist())
            self.lines += len(ends)
            self.partial = len(data) - int(ends[-1]) - 1
        else:
            self.partial += len(data)
        if len(data):
            self.partial_last = int(data[-1])

    def finish(self) -> tuple[int, list[int]]:
        return self.lines + int(self.partial > 0), self.blank


def _scan_content(path: Path, compression: str | None, member: str | None) -> ContentScan:
    digest, counter = hashlib.sha256(), _LineCounter()
    try:
        if compression is None:
            with path.open("rb") as handle:
                for chunk in _chunks(handle):
                    digest.update(chunk)
                    counter.feed(chunk)
        else:
            with path.open("rb") as handle:
                for chunk in _chunks(handle):
                    digest.update(chunk)
            with _open_content(path, compression, member) as handle:
                for chunk in _chunks(handle):
                    counter.feed(chunk)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise SourceFileError(f"{path}: cannot read to the end ({exc}); the file may be truncated") from exc
    lines, blank = counter.finish()
    return ContentScan(sha256=digest.hexdigest(), lines=lines, blank_lines=blank)


def scan_file(path: Path, background: bool = False) -> FileScan:
    """Check the file can be read, then hash it and count its lines (in a thread if `background`)."""
    size = path.stat().st_size
    if size == 0:
        raise SourceFileError(f"{path}: the file is empty (0 bytes)")
    compression = compression_of(path)
    member = zip_member(path) if compression == "zip" else None
    if background:
        content = _BACKGROUND.submit(_scan_content, path, compression, member)
    else:
        content = Future()
        try:
            content.set_result(_scan_content(path, compression, member))
        except SourceFileError as exc:
            content.set_exception(exc)
    return FileScan(path=path, size_bytes=size, compression=compression, member=member, content=content)


def compression_of(path: Path) -> str | None:
    """Judged by the file's first bytes, not its name."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PK\x03\x04":
        return "zip"
    return "gzip" if magic[:2] == b"\x1f\x8b" else None


def _open_content(path: Path, compression: str | None, member: str | None) -> BinaryIO:
    """The file's content as a binary stream, through a zip or gzip layer when there is one."""
    if compression == "zip":
        return zipfile.ZipFile(path).open(member)
    return gzip.open(path, "rb") if compression == "gzip" else path.open("rb")


def open_content(scan: FileScan) -> BinaryIO:
    return _open_content(scan.path, scan.compression, scan.member)
