"""The UN General Debate Corpus (UNGDC) as published: every state's annual UNGA speech, one file a speech.

Input is the archive (`UNGDC_1946-2024.tgz`, read with `tarfile` in streaming mode: nothing is unpacked
to disk) or its unpacked folder. Speeches are `Session NN - YYYY/ISO3_SESSION_YEAR.txt`; the speakers
file `Speakers_by_session.xlsx` (or a `.csv` with the same header) names each speaker and post. Files are
grouped by session folder (`SessionFolder`), each with its speeches and its rejects (a binary or
undecodable file, a name that is not `ISO3_SESSION_YEAR.txt`, a session or year that disagrees with the
folder). See docs/ungdc.md for the fields, the date convention and the quirks handled.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import tarfile
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from weaklink.errors import SourceFileError, UnknownCountry
from weaklink.reference import countries
from weaklink.reference.historical import PREDECESSORS

SOURCE_URL = "https://doi.org/10.7910/DVN/0TJX8Y"
SESSION_FOLDER = re.compile(r"(?:^|/)(Session (\d{1,2}) - (\d{4}))/([^/]+)$")
SPEECH_NAME = re.compile(r"^([A-Z]{2,3})_(\d{1,3})_(\d{4})\.txt$")
SPEAKERS_STEM = "Speakers_by_session"
SPEAKER_COLUMNS = ("Year", "Session", "ISO Code", "Country", "Name of Person Speaking", "Post")
BOM = b"\xef\xbb\xbf"
FIRST_YEAR = 1945  # session N is held in year 1945 + N

# Codes the corpus uses that are not today's ISO 3166-1 states (docs/ungdc.md).
CORPUS_NAMES = {"EU": "the European Union", "CSK": "Czechoslovakia", "DDR": "East Germany", "YUG": "Yugoslavia",
                "YMD": "South Yemen"}


@dataclass(frozen=True)
class SeatHolder:
    """Who spoke from a seat filed under its present holder's code, up to a date."""

    name: str
    code: str
    until: date

    def label(self) -> str:
        return f"{self.name} ({self.code})"


# The USSR is filed as RUS (and West Germany as DEU, North Yemen as YEM), as in UN voting data; China's seat
# was held by the Republic of China until General Assembly resolution 2758 of 25 October 1971.
SEAT_HOLDERS = {code: SeatHolder(p.name, p.code, p.until) for code, p in PREDECESSORS.items()}
SEAT_HOLDERS["CHN"] = SeatHolder("the Republic of China", "TWN", date(1971, 10, 25))


def debate_date(session: int, year: int) -> date:
    """The date a speech is filed under: 15 September of the session's year (the General Debate opens in the
    second half of September), except the first session's, held from 23 October 1946 (docs/ungdc.md)."""
    return date(1946, 10, 23) if session == 1 else date(year, 9, 15)


def issuer_name(issuer: str, day: date) -> str:
    holder = SEAT_HOLDERS.get(issuer)
    if holder and day < holder.until:
        return holder.name.removeprefix("the ")
    if issuer in CORPUS_NAMES:
        return CORPUS_NAMES[issuer].removeprefix("the ")
    try:
        return countries.by_iso3(issuer).name
    except UnknownCountry:
        return issuer


def predecessor(issuer: str, day: date) -> str | None:
    """The former state or seat holder behind a code filed under today's state, e.g. "the USSR (SUN)"."""
    holder = SEAT_HOLDERS.get(issuer)
    return holder.label() if holder and day < holder.until else None


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Speech:
    """One speech. `body` is its UTF-8 text, BOM stripped and line ends normalised to LF."""

    member: str
    issuer: str
    session: int
    year: int
    date: date
    body: bytes
    sha256: str  # of the file as published
    fingerprint: str  # as weaklink.text.extract.text_fingerprint(text)
    had_bom: bool
    line_ends: str  # lf, crlf, cr or mixed: as published
    predecessor: str | None
    title: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass(frozen=True)
class Reject:
    member: str
    reason: str
    raw: str  # the first bytes, escaped


@dataclass
class SessionFolder:
    """The files of one session folder, in archive order; `sha256` covers their names and sha256s."""

    name: str
    speeches: list[Speech] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    size_bytes: int = 0
    digest: object = field(default_factory=hashlib.sha256)

    @property
    def files(self) -> int:
        return len(self.speeches) + len(self.rejects)

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()

    def text_array(self) -> pa.Array:
        """The speeches' text as an Arrow string array (validated UTF-8)."""
        return pa.array([s.body for s in self.speeches], pa.binary()).cast(pa.string())


@dataclass(frozen=True)
class SpeakerRow:
    line: int  # row number in the sheet (the header is row 1)
    year: int
    session: int
    issuer: str
    country: str | None
    name: str | None
    post: str | None


@dataclass
class SpeakersFile:
    member: str
    sha256: str
    size_bytes: int
    rows: list[SpeakerRow]
    rejects: list[tuple[int, str, str]]  # line, reason, raw


@dataclass(frozen=True)
class OtherFile:
    """A file outside the session folders that is not the speakers file (the corpus README): not a speech."""

    reject: Reject
    size_bytes: int


Item = SessionFolder | SpeakersFile | OtherFile


# -- reading the archive or folder ------------------------------------------------------------------------

def members(path: Path) -> Iterator[tuple[str, bytes]]:
    """(member path, bytes) of every file, in archive order (sorted for a folder); nothing unpacked."""
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            yield file.relative_to(path.parent).as_posix(), file.read_bytes()
        return
    try:
        with path.open("rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as packed:
            with tarfile.open(fileobj=packed, mode="r|") as archive:
                for info in archive:
                    if info.isfile():
                        yield info.name, archive.extractfile(info).read()
            _check_end(packed)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise SourceFileError(f"{path}: not a readable .tgz archive to the end ({type(exc).__name__}: {exc}); give "
                              "the UNGDC .tgz as published or its unpacked folder; if this is that archive, the "
                              "download may be truncated or damaged: fetch it again") from exc


def _check_end(packed: gzip.GzipFile) -> None:
    """Read the gzip stream to its end, so that its CRC and length are checked (tarfile's own stream reader
    does not), and refuse data after the tar's end: tarfile stops quietly at a damaged header."""
    while chunk := packed.read(1 << 20):
        if chunk.strip(b"\0"):
            raise tarfile.ReadError("a damaged tar header: the archive's members stop before its end")


def read_corpus(path: Path) -> Iterator[Item]:
    """Session folders (one item per run of files in the same folder), the speakers file and other files."""
    current: SessionFolder | None = None
    for name, data in members(path):
        match = SESSION_FOLDER.search(name)
        if match is None:
            if current is not None:
                yield _finished(current)
                current = None
            yield _top_level(name, data)
            continue
        folder = name[: match.start(4)].rstrip("/")
        if current is None or current.name != folder:
            if current is not None:
                yield _finished(current)
            current = SessionFolder(folder)
        _add(current, name, data, match)
    if current is not None:
        yield _finished(current)


def _top_level(name: str, data: bytes) -> Item:
    base = name.rsplit("/", 1)[-1]
    if base.startswith(SPEAKERS_STEM):
        return read_speakers(name, data)
    reason = ("the corpus README, not a speech" if base.lower().startswith("readme")
              else "not in a `Session NN - YYYY` folder: not a speech")
    return OtherFile(Reject(name, reason, _raw(data)), len(data))


def _add(folder: SessionFolder, name: str, data: bytes, match: re.Match) -> None:
    tail = f"{match.group(1)}/{match.group(4)}"
    sha256 = hashlib.sha256(data).hexdigest()
    folder.digest.update(f"{tail}\0{sha256}\n".encode())
    folder.size_bytes += len(data)
    reason = _reject_reason(match, data)
    if reason:
        folder.rejects.append(Reject(name, reason, _raw(data)))
    else:
        folder.speeches.append(_speech(name, data, match, sha256))


def _reject_reason(match: re.Match, data: bytes) -> str | None:
    if b"\0" in data[:4096]:
        return f"binary content, not text (starts {data[:8].hex(' ')}; a macOS .DS_Store starts 00 00 00 01 42 75 64 31)"
    speech = SPEECH_NAME.match(match.group(4))
    if speech is None:
        return "the name does not match ISO3_SESSION_YEAR.txt: not a speech"
    session, year = int(speech.group(2)), int(speech.group(3))
    if (session, year) != (int(match.group(2)), int(match.group(3))):
        return f"session {session} / year {year} in the name disagree with the folder {match.group(1)!r}"
    if year != FIRST_YEAR + session:
        return f"session {session} is held in {FIRST_YEAR + session}, not {year}"
    if not data.strip(BOM + b" \t\r\n"):
        return "empty file: no speech text"
    return None


def _speech(name: str, data: bytes, match: re.Match, sha256: str) -> Speech:
    issuer, session, year = SPEECH_NAME.match(match.group(4)).groups()
    session, year = int(session), int(year)
    day = debate_date(session, year)
    body = data[3:] if data.startswith(BOM) else data
    line_ends = _line_ends(body)
    if line_ends != "lf":
        body = body.replace(b"\r\n", b"\n").replace(b"\n\r", b"\n").replace(b"\r", b"\n")
    return Speech(member=name, issuer=issuer, session=session, year=year, date=day, body=body,
                  sha256=sha256, fingerprint="", had_bom=data.startswith(BOM),
                  line_ends=line_ends, predecessor=predecessor(issuer, day),
                  title=f"General Debate, {ordinal(session)} session ({year}): {issuer_name(issuer, day)}")


def _line_ends(body: bytes) -> str:
    if b"\r" not in body:
        return "lf"
    crlf, cr = body.count(b"\r\n"), body.count(b"\r")
    if crlf == cr:
        return "crlf" if b"\n" not in body.replace(b"\r\n", b"") else "mixed"
    return "cr" if crlf == 0 and b"\n" not in body else "mixed"


def _finished(folder: SessionFolder) -> SessionFolder:
    """Move undecodable speeches to the rejects and fill in the fingerprints."""
    try:
        pa.array([s.body for s in folder.speeches], pa.binary()).cast(pa.string())
    except (pa.ArrowInvalid, UnicodeDecodeError):
        _reject_undecodable(folder)
    folder.speeches = [_with_fingerprint(s) for s in folder.speeches]
    return folder


def _reject_undecodable(folder: SessionFolder) -> None:
    kept = []
    for speech in folder.speeches:
        try:
            speech.body.decode("utf-8")
            kept.append(speech)
        except UnicodeDecodeError as exc:
            folder.rejects.append(Reject(speech.member, f"not UTF-8 text: {exc.reason} at byte {exc.start}",
                                         _raw(speech.body[max(exc.start - 16, 0): exc.start + 16])))
    folder.speeches = kept


def _with_fingerprint(speech: Speech) -> Speech:
    return Speech(**{**speech.__dict__, "fingerprint": fingerprint(speech.body)})


def _raw(data: bytes) -> str:
    return repr(data[:64])[2:-1]


# -- fingerprint: text_fingerprint(text) computed on bytes ---------------------------------------------------

_ASCII = bytes(range(128))
_WORD_BYTES = bytes((c + 32 if 65 <= c <= 90 else c) if (chr(c).isalnum() and c < 128) or c == 95 or c >= 128
                    else 32 for c in range(256))
_WORD = re.compile(r"\w")
_CHAR_CACHE: dict[str, str | None] = {}


def fingerprint(body: bytes) -> str:
    """sha256 of the words only, equal to `weaklink.text.extract.text_fingerprint(body.decode())` (NFKC, lower
    case, `\\w+` runs joined by one space) but done with byte operations: ASCII bytes go through one table,
    each distinct non-ASCII character is replaced by its own NFKC-lower-cased word form. A text with a
    character whose normalisation depends on its neighbours (a combining mark, Hangul jamo, capital sigma)
    takes the exact slow path."""
    others = body.translate(None, _ASCII)
    if others:
        for char in set(others.decode("utf-8")):
            form = _char_form(char)
            if form is None:
                return _slow_fingerprint(body)
            if form != char:
                body = body.replace(char.encode(), form.encode())
    return hashlib.sha256(_single_spaced(body.translate(_WORD_BYTES))).hexdigest()


def _single_spaced(words: bytes) -> bytes:
    """Runs of spaces collapsed to one, ends stripped: `b" ".join(words.split())` without the Python list."""
    data = np.frombuffer(words, np.uint8)
    space = data == 32
    keep = ~space
    keep[1:] |= ~space[:-1]
    return data[keep].tobytes().strip(b" ")


def _char_form(char: str) -> str | None:
    if char not in _CHAR_CACHE:
        contextual = (unicodedata.category(char).startswith("M") or unicodedata.combining(char)
                      or "\u1100" <= char <= "\u11ff" or char in "\u03a3\u0130")
        form = unicodedata.normalize("NFKC", char).lower()
        if contextual or any(unicodedata.combining(c) or unicodedata.category(c).startswith("M") for c in form):
            _CHAR_CACHE[char] = None
        else:
            _CHAR_CACHE[char] = "".join(c if c.isascii() or _WORD.match(c) else " " for c in form)
    return _CHAR_CACHE[char]


def _slow_fingerprint(body: bytes) -> str:
    from weaklink.text.extract import text_fingerprint

    return text_fingerprint(body.decode("utf-8"))


# -- the speakers file ------------------------------------------------------------------------------------

def read_speakers(member: str, data: bytes) -> SpeakersFile:
    """Rows of Speakers_by_session.xlsx (first sheet; openpyxl) or .csv: Country trimmed, empty Post null."""
    rows = _csv_rows(data) if member.lower().endswith(".csv") else _xlsx_rows(member, data)
    header = [str(c).strip() if c is not None else "" for c in next(rows, [])]
    missing = [c for c in SPEAKER_COLUMNS if c not in header]
    if missing:
        raise SourceFileError(f"{member}: the speakers file has no column {', '.join(map(repr, missing))} in its "
                              f"header {header[:7]}; expected {', '.join(SPEAKER_COLUMNS)}")
    index = [header.index(c) for c in SPEAKER_COLUMNS]
    parsed, rejects = [], []
    for line, row in enumerate(rows, start=2):
        values = [row[i] if i < len(row) else None for i in index]
        if all(_clean(v) is None for v in values):
            continue
        try:
            parsed.append(_speaker_row(line, values))
        except ValueError as exc:
            rejects.append((line, str(exc), repr(values)[:200]))
    return SpeakersFile(member, hashlib.sha256(data).hexdigest(), len(data), parsed, rejects)


def _speaker_row(line: int, values: list) -> SpeakerRow:
    year, session, issuer, country, name, post = (_clean(v) for v in values)
    if issuer is None:
        raise ValueError("no ISO Code: the row names no speech")
    try:
        year_n, session_n = int(float(year)), int(float(session))
    except (TypeError, ValueError):
        raise ValueError(f"Year {year!r} or Session {session!r} is not a whole number") from None
    return SpeakerRow(line, year_n, session_n, issuer.upper(), country, name, post)


def _clean(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _xlsx_rows(member: str, data: bytes) -> Iterator[tuple]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise SourceFileError(f"{member}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    yield from book.worksheets[0].iter_rows(values_only=True)


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    yield from csv.reader(io.StringIO(data.decode("utf-8-sig")))
