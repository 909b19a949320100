"""Line endings and over-long lines: what DuckDB's CSV reader cannot take, found and fixed per line.

The reader splits lines on LF, CRLF or CR, but a file that mixes them, or has a carriage return inside a
field, makes it fail for the whole file; a line over its maximum size is lost without a trace. So, before
the reader sees a file, one quick pass (`shape_of`) looks for any CR byte and any line over `MAX_LINE`.
Files with neither (nearly all) go to the reader as they are. The others are first rewritten
(`normalise`) into a plain LF file with the same line numbers, in which:

- a line ends at LF (a CR just before it, i.e. CRLF, is dropped); in a file with no LF at all, at CR;
- a line that still holds a CR, or is over `MAX_LINE` bytes, is written empty and becomes a reject
  with its line number, its reason and a truncated sample of its text;
- for formats whose every line ends with a newline (GDELT exports), an unterminated last line is a
  reject too ("the file may be cut"): stored, it would be a truncated record kept as the original.

Both passes read the file in chunks and work on whole chunks with NumPy; nothing loops per line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

MAX_LINE = 1 << 20  # bytes; GDELT lines are about 400. DuckDB's own maximum (2 MiB) is never reached.
CHUNK = 1 << 20     # read size; must not exceed MAX_LINE (a longer line then always spans chunks)
SAMPLE = 200        # characters of a rejected line kept as its raw text
LF, CR = 10, 13


def sample(raw: bytes, size: int | None = None) -> str:
    """The start of a line as text, with its full size when it is cut: 'abc… (5,000,000 bytes)'."""
    size = len(raw) if size is None else size
    text = raw[: SAMPLE * 4].decode("utf-8", errors="replace")
    if size <= SAMPLE and len(text) <= SAMPLE:
        return text
    return f"{text[:SAMPLE]}… ({size:,} bytes)"


@dataclass(frozen=True)
class LineShape:
    """What the quick pass saw: any CR byte, any LF byte, any line over MAX_LINE bytes, and whether the
    last line lacks its line end."""

    has_cr: bool
    has_lf: bool
    too_long: bool
    unterminated: bool = False

    @property
    def clean(self) -> bool:
        return not (self.has_cr or self.too_long)


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def shape_of(handle: BinaryIO) -> LineShape:
    """One fast pass (bytes.find, no per-line work): CR bytes, LF bytes and the length of lines across chunks."""
    has_cr = has_lf = too_long = False
    run = 0  # bytes since the last LF
    last = LF
    for chunk in _chunks(handle):
        last = chunk[-1]
        has_cr = has_cr or chunk.find(b"\r") >= 0
        first = chunk.find(b"\n")
        if first < 0:
            run += len(chunk)
            too_long = too_long or run > MAX_LINE
            continue
        has_lf = True
        too_long = too_long or run + first > MAX_LINE
        run = len(chunk) - chunk.rfind(b"\n") - 1
    return LineShape(has_cr=has_cr, has_lf=has_lf, too_long=too_long or run > MAX_LINE,
                     unterminated=last not in (LF, CR))


@dataclass
class Normalised:
    """The rewritten file's line count, its empty lines and the lines made empty because they were rejected."""

    lines: int = 0
    blank_lines: list[int] = field(default_factory=list)
    rejects: list[tuple[int, str, str]] = field(default_factory=list)


CR_INSIDE = "carriage return (CR) inside the line, not at its end (mixed line endings or a CR in a field)"


UNTERMINATED = "unterminated last line: the file may be cut (every line of this format ends with a newline)"


def _too_long(size: int) -> str:
    return f"line too long: {size:,} bytes (the maximum is {MAX_LINE:,}); not read"


class _Writer:
    """Rewrites a stream chunk by chunk; `sep` is the byte that ends a line (LF, or CR in a CR-only file)."""

    def __init__(self, out: BinaryIO, sep: int, reject_unterminated: bool = False) -> None:
        self.out, self.sep, self.reject_unterminated = out, sep, reject_unterminated
        self.result = Normalised()
        self.open: list[bytes] = []  # the line still open at the end of the last chunk (its first bytes when long)
        self.open_size = 0

    def feed(self, chunk: bytes) -> None:
        sep = bytes([self.sep])
        last = chunk.rfind(sep)
        if last < 0:
            self._extend(chunk)
            return
        first = chunk.find(sep)
        self._finish_open(chunk[: first + 1])
        self._block(chunk[first + 1: last + 1])
        self._extend(chunk[last + 1:])

    def close(self) -> Normalised:
        if self.open_size and self.reject_unterminated:
            self.result.lines += 1
            raw = b"".join(self.open)[: SAMPLE * 4]
            self.result.rejects.append((self.result.lines, UNTERMINATED, sample(raw, self.open_size)))
            self.out.write(b"\n")
        elif self.open_size:
            self._finish_open(bytes([self.sep]))
        return self.result

    def _extend(self, data: bytes) -> None:
        if self.open_size <= MAX_LINE:
            self.open.append(data)
        self.open_size += len(data)

    def _finish_open(self, head: bytes) -> None:
        """The line begun in earlier chunks, ended by `head` (which ends with the separator)."""
        size = self.open_size + len(head) - 1
        if size > MAX_LINE:
            self.result.lines += 1
            raw = b"".join(self.open)[: SAMPLE * 4]
            self.result.rejects.append((self.result.lines, _too_long(size), sample(raw, size)))
            self.out.write(b"\n")
        else:
            self._block(b"".join(self.open) + head)
        self.open, self.open_size = [], 0

    def _block(self, block: bytes) -> None:
        """Whole lines, each ending with the separator: written with LF ends, bad ones written empty."""
        if not block:
            return
        data = np.frombuffer(block, dtype=np.uint8)
        ends = np.flatnonzero(data == self.sep)
        starts = np.concatenate(([0], ends[:-1] + 1))
        keep = np.ones(len(data), dtype=bool)
        stop = ends
        if self.sep == LF:
            crlf = (ends > starts) & (data[np.maximum(ends - 1, 0)] == CR)
            stop = ends - crlf
            keep[ends[crlf] - 1] = False
            stray = np.flatnonzero((data == CR) & keep)
            bad = np.unique(np.searchsorted(ends, stray))
        else:
            bad = np.array([], dtype=np.int64)
        first_line = self.result.lines + 1
        self.result.blank_lines.extend((np.flatnonzero(stop == starts) + first_line).tolist())
        if len(bad):
            for index in bad.tolist():
                raw = block[starts[index]: stop[index]].decode("utf-8", errors="replace")
                self.result.rejects.append((first_line + index, CR_INSIDE, raw))
            marks = np.zeros(len(data) + 1, dtype=np.int32)
            np.add.at(marks, starts[bad], 1)
            np.add.at(marks, ends[bad], -1)
            keep &= np.cumsum(marks[:-1]) == 0
        self.result.lines += len(ends)
        out = data[keep]
        if self.sep != LF:
            out = np.where(out == self.sep, LF, out).astype(np.uint8)
        self.out.write(out.tobytes())


def normalise(source: BinaryIO, out: BinaryIO, shape: LineShape, terminated: bool = False) -> Normalised:
    """Copy `source` to `out` as LF-ended lines with the same numbers; rejected lines are written empty.
    `terminated`: the format ends every line with a newline, so an unterminated last line is rejected."""
    writer = _Writer(out, CR if shape.has_cr and not shape.has_lf else LF, reject_unterminated=terminated)
    for chunk in _chunks(source):
        writer.feed(chunk)
    return writer.close()
