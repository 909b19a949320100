"""GDELT's file lists: which event exports exist, their sizes, MD5 sums and the time each one covers.

GDELT 2.0 publishes `masterfilelist.txt` (every file since 2015-02-18) and `lastupdate.txt` (the latest
15 minutes), one file a line: "size md5 url". GDELT 1.0 publishes `filesizes` ("size name") and `md5sums`
("md5  name") for its daily exports (`YYYYMMDD.export.CSV.zip`, from 2013-04-01) and the monthly and
yearly files before them (`YYYYMM.zip`, `YYYY.zip`). Only event exports are selected; the lists' other
files (mentions, GKG) are left out. A line that cannot be read is reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urljoin, urlsplit

V2_BASE = "http://data.gdeltproject.org/gdeltv2/"
V1_BASE = "http://data.gdeltproject.org/events/"
V2_LIST, V2_LAST = "masterfilelist.txt", "lastupdate.txt"
V1_SIZES, V1_MD5 = "filesizes", "md5sums"

_V2_EXPORT = re.compile(r"^(\d{14})\.export\.CSV\.zip$", re.IGNORECASE)
_V1_EXPORT = re.compile(r"^(\d{8})\.export\.CSV\.zip$|^(\d{6})\.zip$|^(\d{4})\.zip$", re.IGNORECASE)
_MD5 = re.compile(r"^[0-9a-f]{32}$", re.IGNORECASE)


@dataclass(frozen=True)
class ListedFile:
    """One export file a list names: where it is, what it must be, and the days it covers."""

    url: str
    name: str
    size: int | None
    md5: str | None
    first_day: date
    last_day: date

    def overlaps(self, since: date | None, until: date | None) -> bool:
        return (since is None or self.last_day >= since) and (until is None or self.first_day <= until)


@dataclass(frozen=True)
class BadListLine:
    line: int
    text: str
    reason: str


@dataclass
class FileList:
    files: list[ListedFile]
    bad_lines: list[BadListLine]


def base_url(version: int, mirror: str | None) -> str:
    """The folder the lists and files are read from: a mirror (always ending in '/') or GDELT's own."""
    if mirror:
        return mirror if mirror.endswith("/") else mirror + "/"
    return V2_BASE if version == 2 else V1_BASE


def _v2_span(name: str) -> tuple[date, date] | None:
    match = _V2_EXPORT.match(name)
    if not match:
        return None
    try:
        day = datetime.strptime(match.group(1), "%Y%m%d%H%M%S").date()
    except ValueError:
        return None
    return day, day


def _v1_span(name: str) -> tuple[date, date] | None:
    match = _V1_EXPORT.match(name)
    if not match:
        return None
    daily, monthly, yearly = match.groups()
    try:
        if daily:
            day = datetime.strptime(daily, "%Y%m%d").date()
            return day, day
        if monthly:
            first = datetime.strptime(monthly, "%Y%m").date()
            return first, (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        year = int(yearly)
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


def _file_url(url: str, base: str, mirror: bool) -> str:
    """A list's URL for a file, moved onto the mirror when one is used (the lists name GDELT's host)."""
    absolute = urljoin(base, url)
    return urljoin(base, urlsplit(absolute).path.rsplit("/", 1)[-1]) if mirror else absolute


def parse_v2_list(text: str, base: str, mirror: bool = False) -> FileList:
    """Event exports named by a GDELT 2.0 `masterfilelist.txt` or `lastupdate.txt`."""
    files, bad = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit() or not _MD5.match(parts[1]):
            bad.append(BadListLine(number, line[:200], "expected 'size md5 url'"))
            continue
        name = urlsplit(parts[2]).path.rsplit("/", 1)[-1]
        span = _v2_span(name)
        if span is None:
            if ".export." in name.lower():
                bad.append(BadListLine(number, line[:200], f"export file name {name!r} has no valid timestamp"))
            continue  # mentions, GKG: not event exports
        files.append(ListedFile(_file_url(parts[2], base, mirror), name, int(parts[0]), parts[1].lower(), *span))
    return FileList(files, bad)


def _pairs(text: str, value_ok) -> tuple[dict[str, str], list[BadListLine]]:
    found, bad = {}, []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or not value_ok(parts[0]):
            bad.append(BadListLine(number, line[:200], "expected 'value name'"))
            continue
        found[parts[1]] = parts[0]
    return found, bad


def parse_v1_lists(sizes_text: str, md5_text: str, base: str) -> FileList:
    """Event exports named by GDELT 1.0's `filesizes` and `md5sums` (a file missing from one list keeps None
    there, and is verified on what the other says)."""
    sizes, bad_sizes = _pairs(sizes_text, str.isdigit)
    sums, bad_sums = _pairs(md5_text, lambda v: bool(_MD5.match(v)))
    files = []
    for name in sorted(set(sizes) | set(sums)):
        span = _v1_span(name)
        if span is not None:
            size = int(sizes[name]) if name in sizes else None
            md5 = sums[name].lower() if name in sums else None
            files.append(ListedFile(urljoin(base, name), name, size, md5, *span))
    return FileList(files, [BadListLine(b.line, b.text, f"filesizes: {b.reason}") for b in bad_sizes]
                    + [BadListLine(b.line, b.text, f"md5sums: {b.reason}") for b in bad_sums])
