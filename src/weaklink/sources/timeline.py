"""The curated timeline format (docs/timeline.md): one validated row per line, or a reason why not."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from weaklink.errors import UnknownCountry
from weaklink.reference import countries
from weaklink.reference.cameo import load_event_codes, quad_class_of_root

COLUMNS = ["id", "date", "end_date", "kind", "actors", "level", "cameo_code", "quad_class", "description",
           "sources", "confidence"]
KINDS = ("summit", "meeting", "visit", "call", "joint_statement", "treaty", "exercise", "patrol",
         "arms_transfer", "sanctions", "unsc_vote", "other")
LEVELS = ("leader", "minister", "official", "military")
CONFIDENCE = ("high", "medium", "low")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$")


class InvalidRow(ValueError):
    """A timeline row that breaks the format; the message says which column and why."""


@dataclass(frozen=True)
class TimelineEntry:
    id: str
    date: date
    end_date: date | None
    kind: str
    actors: tuple[str, ...]
    level: str
    cameo_code: str
    quad_class: int
    goldstein: float
    description: str
    sources: tuple[str, ...]
    confidence: str


DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: str, column: str) -> date:
    """A real calendar date written YYYY-MM-DD (not the other forms `date.fromisoformat` takes)."""
    try:
        if not DATE_PATTERN.fullmatch(value.strip()):
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidRow(f"{column} is not a date (YYYY-MM-DD): {value!r}") from None


def _choice(row: dict, column: str, allowed: tuple[str, ...]) -> str:
    value = (row.get(column) or "").strip()
    if value not in allowed:
        raise InvalidRow(f"{column} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _actors(text: str) -> tuple[str, ...]:
    actors = tuple(a.strip().upper() for a in (text or "").split(";") if a.strip())
    if not actors:
        raise InvalidRow("actors is empty: give ISO3 codes joined by ';'")
    for code in actors:
        try:
            countries.by_iso3(code)
        except UnknownCountry:
            raise InvalidRow(f"actors: {code!r} is not an ISO3 code weaklink knows") from None
    if len(set(actors)) != len(actors):
        raise InvalidRow(f"actors repeats a code: {';'.join(actors)}")
    return actors


def _cameo(row: dict) -> tuple[str, int, float]:
    code = (row.get("cameo_code") or "").strip()
    known = load_event_codes().get(code)
    if known is None:
        raise InvalidRow(f"cameo_code {code!r} is not a CAMEO event code (keep leading zeros, e.g. 042)")
    text = (row.get("quad_class") or "").strip()
    if not re.fullmatch(r"[1-4]", text):
        raise InvalidRow(f"quad_class must be 1, 2, 3 or 4: {row.get('quad_class')!r}")
    quad = int(text)
    if quad != quad_class_of_root(known.root_code):
        raise InvalidRow(f"quad_class {quad} does not match code {code} (root {known.root_code} is class "
                         f"{quad_class_of_root(known.root_code)})")
    return code, quad, known.goldstein


def _sources(text: str) -> tuple[str, ...]:
    urls = tuple((text or "").split())
    if not urls:
        raise InvalidRow("sources is empty: give at least one URL")
    bad = [u for u in urls if not URL_PATTERN.match(u)]
    if bad:
        raise InvalidRow(f"sources: not a URL: {bad[0]!r}")
    return urls


def parse_entry(row: dict) -> TimelineEntry:
    """Validate one CSV row (a dict of the columns) into an entry, or raise InvalidRow."""
    entry_id = (row.get("id") or "").strip()
    if not ID_PATTERN.match(entry_id):
        raise InvalidRow(f"id must be lowercase letters, digits and '-': {entry_id!r}")
    start = _date(row.get("date") or "", "date")
    end = _date(row["end_date"], "end_date") if (row.get("end_date") or "").strip() else None
    if end is not None and end < start:
        raise InvalidRow(f"end_date {end} is before date {start}")
    code, quad, goldstein = _cameo(row)
    description = (row.get("description") or "").strip()
    if not description:
        raise InvalidRow("description is empty")
    return TimelineEntry(id=entry_id, date=start, end_date=end, kind=_choice(row, "kind", KINDS),
                         actors=_actors(row.get("actors", "")), level=_choice(row, "level", LEVELS),
                         cameo_code=code, quad_class=quad, goldstein=goldstein, description=description,
                         sources=_sources(row.get("sources", "")),
                         confidence=_choice(row, "confidence", CONFIDENCE))
