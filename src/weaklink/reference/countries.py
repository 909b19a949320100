"""States (and a few non-state places) with their ISO, CAMEO, FIPS 10-4 and COW codes and names.

The table (``countries.csv``) is written from ISO 3166-1, the CAMEO country list, FIPS 10-4 and
the Correlates of War state system list; see docs/reference-data.md. pycountry's English names are
added to each row's aliases at load time. Codes are looked up per scheme because schemes collide:
FIPS ``RS`` is Russia but ISO ``RS`` is Serbia; FIPS ``CH`` is China but ISO ``CH`` is Switzerland.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

import pyarrow as pa
import pycountry

from weaklink.errors import AmbiguousCountry, InvalidArgument, UnknownCountry

SCHEMES = ("iso3", "iso2", "cameo", "fips", "cow")

_CSV = "countries.csv"

# Names that can mean more than one state. Keys are given as plain text and normalised on use.
AMBIGUOUS_NAMES: dict[str, tuple[str, ...]] = {
    "Korea": ("KOR", "PRK"),
    "Korean Peninsula": ("KOR", "PRK"),
    "Koreas": ("KOR", "PRK"),
    "Korean": ("KOR", "PRK"),
}


@dataclass(frozen=True)
class Country:
    """A state (or a flagged non-state place such as Hong Kong), keyed by ISO 3166 alpha-3."""

    iso3: str
    iso2: str | None
    name: str
    cameo: str | None
    fips: str | None
    cow_num: int | None
    cow_abbr: str | None
    is_state: bool
    aliases: tuple[str, ...]


def normalize_name(text: str) -> str:
    """Key for name matching: no accents, case, punctuation, whitespace or leading "the"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = re.sub(r"^\s*the\s+", "", plain.replace("&", " and "))
    return re.sub(r"[^a-z0-9]+", "", plain)


def _pycountry_names(iso3: str) -> list[str]:
    record = pycountry.countries.get(alpha_3=iso3)
    if record is None:
        return []
    names = (getattr(record, attr, None) for attr in ("name", "common_name", "official_name"))
    return [name for name in names if name]


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item.strip() for item in items if item.strip()))


def _row_to_country(row: dict[str, str]) -> Country:
    own = [alias for alias in row["aliases"].split("|") if alias.strip()]
    return Country(
        iso3=row["iso3"],
        iso2=row["iso2"] or None,
        name=own[0].strip(),
        cameo=row["cameo"] or None,
        fips=row["fips"] or None,
        cow_num=int(row["cow_num"]) if row["cow_num"] else None,
        cow_abbr=row["cow_abbr"] or None,
        is_state=row["is_state"].strip().lower() == "true",
        aliases=_unique(own + _pycountry_names(row["iso3"])),
    )


@functools.cache
def load_countries() -> tuple[Country, ...]:
    """All rows of the bundled country table, in file order."""
    text = resources.files("weaklink.reference").joinpath(_CSV).read_text(encoding="utf-8")
    return tuple(_row_to_country(row) for row in csv.DictReader(io.StringIO(text)))


def _code_of(country: Country, scheme: str) -> list[str]:
    if scheme == "cow":
        return [str(country.cow_num) if country.cow_num is not None else "", country.cow_abbr or ""]
    return [getattr(country, scheme) or ""]


@functools.cache
def _code_index(scheme: str) -> dict[str, Country]:
    index: dict[str, Country] = {}
    for country in load_countries():
        for code in _code_of(country, scheme):
            if code:
                index[code.upper()] = country
    return index


def from_code(code: str | int, scheme: str) -> Country:
    """The country with ``code`` in ``scheme`` (one of iso3, iso2, cameo, fips, cow).

    The scheme is required because codes collide between schemes (FIPS RS = Russia, ISO RS = Serbia).
    For ``cow`` the code may be the number (``710``) or the abbreviation (``"CHN"``). For ``cameo``
    an ISO3 code is also accepted, as CAMEO coders emit it for some states (GDELT 2.0 writes
    ``ROU`` for Romania although the CAMEO list says ``ROM``); no CAMEO code is another state's ISO3.
    """
    if scheme not in SCHEMES:
        raise InvalidArgument(f"Unknown code scheme {scheme!r}; use one of: {', '.join(SCHEMES)}.")
    key = str(code).strip().upper()
    found = _code_index(scheme).get(key)
    if found is None and scheme == "cameo":
        found = _code_index("iso3").get(key)
    if found is None:
        raise UnknownCountry(f"No country has {scheme} code {code!r}. Check the code and the scheme.")
    return found


def by_iso3(code: str) -> Country:
    """The country with ISO 3166-1 alpha-3 ``code`` (e.g. ``"PRK"``)."""
    return from_code(code, "iso3")


@functools.cache
def _name_index() -> dict[str, frozenset[str]]:
    """Normalised name -> ISO3 codes of every country bearing that name or alias."""
    index: dict[str, set[str]] = {}
    for country in load_countries():
        for alias in country.aliases:
            index.setdefault(normalize_name(alias), set()).add(country.iso3)
    for name, codes in AMBIGUOUS_NAMES.items():
        index.setdefault(normalize_name(name), set()).update(codes)
    return {key: frozenset(codes) for key, codes in index.items()}


def _suggestions(key: str) -> list[str]:
    matches = difflib.get_close_matches(key, list(_name_index()), n=5, cutoff=0.7)
    names = [by_iso3(iso3).name for match in matches for iso3 in sorted(_name_index()[match])]
    return list(dict.fromkeys(names))[:3]


def _unknown(text: str) -> UnknownCountry:
    hint = _suggestions(normalize_name(text))
    did_you_mean = f" Did you mean: {', '.join(hint)}?" if hint else ""
    return UnknownCountry(
        f"No country is called {text!r}.{did_you_mean} Use an English name, a common alias or an "
        "ISO 3166 alpha-3 code; for CAMEO, FIPS or COW codes use from_code(code, scheme)."
    )


def resolve(text: str) -> Country:
    """The country a name, alias or ISO3 code refers to.

    Matching ignores case, accents, punctuation and whitespace ("D.P.R.K." == "dprk").
    Raises AmbiguousCountry for names such as "Korea" and UnknownCountry (with suggestions) otherwise.
    """
    raw = str(text).strip()
    if len(raw) == 3 and raw.isalpha() and raw.upper() in _code_index("iso3"):
        return by_iso3(raw)
    codes = _name_index().get(normalize_name(raw), frozenset())
    if len(codes) > 1:
        names = " or ".join(f"{by_iso3(c).name} ({c})" for c in sorted(codes))
        raise AmbiguousCountry(f"{text!r} could mean {names}; name the state or use its ISO3 code.")
    if not codes:
        raise _unknown(raw)
    return by_iso3(next(iter(codes)))


def countries_arrow() -> pa.Table:
    """The country table as Arrow, for loading into the store."""
    rows = load_countries()

    def col(attr: str, kind: pa.DataType) -> pa.Array:
        return pa.array([getattr(row, attr) for row in rows], kind)

    return pa.table(
        {
            "iso3": col("iso3", pa.string()),
            "iso2": col("iso2", pa.string()),
            "name": col("name", pa.string()),
            "cameo": col("cameo", pa.string()),
            "fips": col("fips", pa.string()),
            "cow_num": col("cow_num", pa.int16()),
            "cow_abbr": col("cow_abbr", pa.string()),
            "is_state": col("is_state", pa.bool_()),
            "aliases": pa.array([list(row.aliases) for row in rows], pa.list_(pa.string())),
        }
    )
