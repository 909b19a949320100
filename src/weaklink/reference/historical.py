"""Names and codes of former states, as they appear in UN voting data, mapped to ISO3 codes."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from datetime import date
from importlib import resources

from weaklink.errors import AmbiguousCountry, UnknownCountry
from weaklink.reference import countries

# Former ISO 3166-1 alpha-2 codes that UN voting data still use.
FORMER_ISO2 = {"CS": "CSK", "DD": "DDR", "YU": "YUG", "YD": "YMD", "SU": "RUS"}



@dataclass(frozen=True)
class Predecessor:
    """A former state whose UN seat and votes are stored under its successor's code, up to a date."""

    name: str
    code: str
    until: date  # the first day the successor voted as itself

    def label(self) -> str:
        return f"{self.name} ({self.code})"


# Voting data (e.g. unvotes) name these successors for their whole history ("Russia" in 1950).
PREDECESSORS = {
    "RUS": Predecessor("the USSR", "SUN", date(1991, 12, 24)),
    "DEU": Predecessor("West Germany", "FRG", date(1990, 10, 3)),
    "YEM": Predecessor("North Yemen", "YAR", date(1990, 5, 22)),
}


@functools.cache
def historical_names() -> dict[str, str]:
    text = resources.files("weaklink.reference").joinpath("historical_names.csv").read_text(encoding="utf-8")
    return {countries.normalize_name(r["name"]): r["iso3"] for r in csv.DictReader(io.StringIO(text))}


def state_of(name: str | None, code: str | None) -> str | None:
    """ISO3 of a state given as in voting data: by name first, then by ISO2 code.

    The name decides because codes are unreliable there: unvotes writes Namibia's code as the
    string "NA" but also leaves "NA" (missing) for Zanzibar, the Yemen Arab Republic and West Germany.
    """
    if name:
        known = historical_names().get(countries.normalize_name(name))
        if known:
            return known
        try:
            return countries.resolve(name).iso3
        except (UnknownCountry, AmbiguousCountry):
            pass
    if code:
        if code in FORMER_ISO2:
            return FORMER_ISO2[code]
        try:
            return countries.from_code(code, "iso2").iso3
        except UnknownCountry:
            return None
    return None
