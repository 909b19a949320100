"""The bundled reference tables (CAMEO event codes, countries) checked against real GDELT lookup files.

Our tables are written by hand from the codebooks; these tests compare them with GDELT's own files
in ../shared/data (skipped when absent) and check the code-collision traps.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pycountry
import pytest

from weaklink.errors import AmbiguousCountry, InvalidArgument, UnknownCountry, WeaklinkError
from weaklink.reference.cameo import (
    QUAD_CLASSES,
    EventCode,
    event_codes_arrow,
    load_event_codes,
    quad_class_of_root,
)
from weaklink.reference.countries import (
    by_iso3,
    countries_arrow,
    from_code,
    load_countries,
    normalize_name,
    resolve,
)

LOOKUPS = "gdelt-lookups"
OREILLY = f"{LOOKUPS}/oreillyross-GDELT_Downloader"
EVENTCODES = f"{OREILLY}/CAMEO.eventcodes.txt"
GOLDSTEIN_FILES = {
    f"{OREILLY}/CAMEO.goldsteinscale.txt": {"106"},  # this copy lacks 106 (used by GDELT, -5.0)
    f"{LOOKUPS}/mpiccirilli-UNDP-BCPR-Project/CAMEO.goldsteinscale.txt": set(),
}
# Codes in our table that the main GDELT eventcodes/goldstein copies lack (see docs/reference-data.md).
EXTRA_EVENT_CODES = {"106"}
FIPS_FILE = f"{LOOKUPS}/dashayushman-sense/FIPS.country.txt"
CAMEO_COUNTRY_FILE = f"{OREILLY}/CAMEO.country.txt"
# Our CAMEO codes that GDELT's CAMEO.country.txt does not list (see docs/reference-data.md):
# Kosovo KSV (used by Phoenix), South Sudan SSD (used in GDELT 2.0 actor codes).
EXTRA_CAMEO_COUNTRY_CODES = {"KSV", "SSD"}
# Labels in GDELT's lookup files that are wrong or odd, with the state the code really denotes.
FIPS_LABEL_ERRORS = {
    "GV": "Guinea",  # file says "Equatorial Guinea" (that is EK, also in the file)
    "LO": "Slovakia",  # file says "Czechoslovakia"
    "VM": "Vietnam",  # file says "Vietnam, Democratic Republic of"
}
CAMEO_LABEL_ERRORS = {"COL": "Colombia"}  # file says "Columbia"

STOPWORDS = {"not", "specified", "below", "such", "that", "with", "from", "into", "other", "others"}


# ---------------------------------------------------------------- helpers


def _real_file(shared_data: Path, relative: str) -> Path:
    path = shared_data / relative
    if not path.is_file():
        pytest.skip(f"real lookup file {relative} not found under {shared_data}")
    return path


def _read_tab(path: Path, header: bool) -> list[tuple[str, str]]:
    """(code, value) pairs of a two-column TAB lookup file; CRLF and trailing spaces removed."""
    lines = path.read_text(encoding="utf-8").splitlines()[1 if header else 0 :]
    pairs = [tuple(part.strip() for part in line.split("\t", 1)) for line in lines if line.strip()]
    assert all(len(pair) == 2 for pair in pairs), f"{path} has a line without a TAB"
    return pairs  # type: ignore[return-value]


def _stems(label: str) -> set[str]:
    words = re.findall(r"[a-z]+", label.lower())
    return {word[:5] for word in words if len(word) >= 4 and word not in STOPWORDS}


def _gdelt_v2_code_usage(shared_data: Path) -> list[tuple[str, str, str, str, int]]:
    files = sorted((shared_data / "gdelt-v2-events").glob("*/*.export.CSV"))
    if not files:
        pytest.skip(f"no GDELT 2.0 export files under {shared_data / 'gdelt-v2-events'}")
    sql = """
        SELECT column26, column28, column29, column30, count(*)
        FROM read_csv(?, delim='\t', header=false, all_varchar=true, quote='', escape='',
                      columns={%s})
        GROUP BY ALL ORDER BY 1
    """ % ", ".join(f"'column{i:02d}': 'VARCHAR'" for i in range(61))
    with duckdb.connect() as con:
        return con.execute(sql, [[str(f) for f in files]]).fetchall()


# ---------------------------------------------------------------- CAMEO: internal consistency


def test_event_table_shape():
    codes = load_event_codes()
    assert len(codes) == 311
    assert all(isinstance(v, EventCode) and v.code == k for k, v in codes.items())
    assert {c.root_code for c in codes.values()} == {f"{i:02d}" for i in range(1, 21)}
    for code in codes.values():
        assert re.fullmatch(r"\d{2,4}", code.code), code
        assert code.code.startswith(code.root_code), code
        assert code.code[:-1] in codes or len(code.code) == 2, f"{code.code} has no parent code"
        assert code.label and code.label == code.label.strip(), code
        assert code.quad_class == quad_class_of_root(code.root_code), code
        assert -10.0 <= code.goldstein <= 10.0, code


def test_event_codes_keep_leading_zeros():
    codes = load_event_codes()
    assert codes["042"].label == "Make a visit"
    assert codes["0211"].root_code == "02"
    assert codes["190"].goldstein == -10.0
    assert "42" not in codes


def test_quad_class_of_root():
    assert [quad_class_of_root(f"{i:02d}") for i in range(1, 21)] == [1] * 5 + [2] * 4 + [3] * 5 + [4] * 6
    assert QUAD_CLASSES == {1: "verbal_coop", 2: "material_coop", 3: "verbal_conflict", 4: "material_conflict"}
    for bad in ("00", "21", "x", ""):
        with pytest.raises(InvalidArgument):
            quad_class_of_root(bad)


def test_event_codes_arrow():
    table = event_codes_arrow()
    assert table.num_rows == len(load_event_codes())
    assert table.schema.field("quad_class").type == pa.int8()
    assert table.schema.field("goldstein").type == pa.float64()
    assert table.schema.field("code").type == pa.string()
    assert "042" in table.column("code").to_pylist()


# ---------------------------------------------------------------- CAMEO: against GDELT's lookups


def test_event_codes_match_gdelt_eventcodes(shared_data):
    gdelt = dict(_read_tab(_real_file(shared_data, EVENTCODES), header=True))
    ours = load_event_codes()
    assert len(gdelt) == 310
    assert sorted(set(gdelt) - set(ours)) == [], "GDELT codes missing from our table"
    assert sorted(set(ours) - set(gdelt)) == sorted(EXTRA_EVENT_CODES), "undocumented extra codes"


def test_event_labels_resemble_gdelt_labels(shared_data):
    gdelt = dict(_read_tab(_real_file(shared_data, EVENTCODES), header=True))
    ours = load_event_codes()
    unlike = {
        code: (ours[code].label, label)
        for code, label in gdelt.items()
        if code in ours and not _stems(ours[code].label) & _stems(label)
    }
    assert unlike == {}, "labels sharing no significant word with GDELT's"


@pytest.mark.parametrize("relative", sorted(GOLDSTEIN_FILES))
def test_goldstein_matches_gdelt(shared_data, relative):
    gdelt = {code: float(value) for code, value in _read_tab(_real_file(shared_data, relative), header=True)}
    ours = load_event_codes()
    assert set(ours) - set(gdelt) == GOLDSTEIN_FILES[relative]
    assert set(gdelt) <= set(ours)
    wrong = {code: (ours[code].goldstein, value) for code, value in gdelt.items() if ours[code].goldstein != value}
    assert wrong == {}, "Goldstein (ours, GDELT's) differ"


def test_gdelt_v2_events_agree_with_table(shared_data):
    usage = _gdelt_v2_code_usage(shared_data)
    ours = load_event_codes()
    assert sum(row[4] for row in usage) > 90_000
    problems = []
    for code, root, quad, goldstein, rows in usage:
        ref = ours.get(code)
        if ref is None:
            problems.append((code, "not in our table", rows))
            continue
        if (ref.root_code, ref.goldstein) != (root, float(goldstein)):
            problems.append((code, f"root/goldstein {root}/{goldstein} vs ours {ref.root_code}/{ref.goldstein}", rows))
        if int(quad) != quad_class_of_root(root):
            problems.append((code, f"QuadClass {quad} for root {root}", rows))
    assert problems == []
    assert "106" in {row[0] for row in usage}, "code 106 occurs in the real files"


# ---------------------------------------------------------------- countries: internal consistency


def test_country_table_shape():
    rows = load_countries()
    states = [c for c in rows if c.is_state]
    assert len(states) == 197  # 193 UN members + Holy See + Palestine + Kosovo + Taiwan
    for scheme in ("iso3", "iso2", "cameo", "fips", "cow_num", "cow_abbr"):
        values = [getattr(c, scheme) for c in rows if getattr(c, scheme) is not None]
        assert len(values) == len(set(values)), f"duplicate {scheme} code"
    assert all(c.iso2 and c.cameo and c.name and c.aliases[0] == c.name for c in states)
    assert {c.iso3 for c in states if c.cow_num is None} == {"VAT", "PSE"}
    assert {c.iso3 for c in states if c.fips is None} == {"PSE"}
    assert {c.iso3 for c in rows if not c.is_state} == {"HKG", "MAC", "ESH"}


def test_every_alias_resolves_to_its_own_country():
    for country in load_countries():
        for alias in country.aliases:
            assert resolve(alias) is country, (alias, country.iso3)
        assert resolve(country.iso3) is country


def test_iso_codes_agree_with_pycountry():
    unknown = []
    for country in load_countries():
        record = pycountry.countries.get(alpha_3=country.iso3)
        if record is None:
            unknown.append(country.iso3)
            continue
        assert record.alpha_2 == country.iso2, country
    assert unknown == ["XKX"]  # Kosovo: user-assigned code, not in ISO 3166-1


def test_countries_arrow():
    table = countries_arrow()
    assert table.num_rows == len(load_countries())
    assert table.schema.field("cow_num").type == pa.int16()
    assert table.schema.field("is_state").type == pa.bool_()
    prk = table.filter(pa.compute.equal(table["iso3"], "PRK")).to_pylist()[0]
    assert prk["cow_num"] == 731 and "DPR Korea" in prk["aliases"]


# ---------------------------------------------------------------- countries: the traps


@pytest.mark.parametrize(
    ("code", "scheme", "iso3"),
    [("RS", "fips", "RUS"), ("RS", "iso2", "SRB"), ("CH", "fips", "CHN"), ("CH", "iso2", "CHE"),
     ("KN", "fips", "PRK"), ("KS", "fips", "KOR"), ("KP", "iso2", "PRK"), ("KR", "iso2", "KOR"),
     ("SZ", "fips", "CHE"), ("RI", "fips", "SRB"), ("JA", "fips", "JPN"), ("ROM", "cameo", "ROU"),
     ("rs", "fips", "RUS"), ("PRK", "cameo", "PRK"), ("ROK", "cow", "KOR"), ("MTN", "cameo", "MNE"),
     ("ROU", "cameo", "ROU"), ("TMP", "cameo", "TLS"), ("TLS", "cameo", "TLS"), ("KSV", "cameo", "XKX")],
)
def test_from_code_needs_the_scheme(code, scheme, iso3):
    assert from_code(code, scheme).iso3 == iso3


@pytest.mark.parametrize(
    ("num", "iso3"), [(710, "CHN"), (731, "PRK"), (732, "KOR"), (365, "RUS"), (2, "USA"), (740, "JPN"), ("713", "TWN")]
)
def test_cow_numbers(num, iso3):
    assert from_code(num, "cow").iso3 == iso3


def test_cameo_codes_never_name_another_states_iso3():
    iso3 = {c.iso3: c for c in load_countries()}
    clashes = [c.cameo for c in load_countries() if c.cameo in iso3 and iso3[c.cameo] is not c]
    assert clashes == []
    assert {c.cameo for c in load_countries() if c.cameo != c.iso3} == {"ROM", "MTN", "TMP", "KSV"}


def test_from_code_errors():
    with pytest.raises(InvalidArgument, match="scheme"):
        from_code("RS", "iso")
    with pytest.raises(UnknownCountry):
        from_code("QQ", "iso2")
    with pytest.raises(UnknownCountry):
        from_code(9999, "cow")


@pytest.mark.parametrize(
    "name",
    ["DPR Korea", "D.P.R.K.", "DPRK", "dprk", "D P R K", "Korea, Dem. People's Rep.", "Korea DPR",
     "Democratic People's Republic of Korea", "North Korea", "  north   korea ", "Korea, North", "PRK"],
)
def test_north_korea_names(name):
    assert resolve(name).iso3 == "PRK"


@pytest.mark.parametrize("name", ["South Korea", "Republic of Korea", "ROK", "R.O.K.", "Korea, Rep.", "KOR"])
def test_south_korea_names(name):
    assert resolve(name).iso3 == "KOR"


@pytest.mark.parametrize("name", ["Korea", "korea", "KOREA.", "Korean Peninsula", "the Korean peninsula"])
def test_korea_alone_is_ambiguous(name):
    with pytest.raises(AmbiguousCountry, match="PRK") as err:
        resolve(name)
    assert isinstance(err.value, WeaklinkError)


def test_other_names():
    assert resolve("Russian Federation").iso3 == "RUS"
    assert resolve("People's Republic of China").iso3 == "CHN"
    assert resolve("Republic of China").iso3 == "TWN"
    assert resolve("Switzerland").iso3 == "CHE"
    assert resolve("Cote d'Ivoire") is resolve("Côte d’Ivoire") is by_iso3("CIV")
    assert resolve("United States of America").iso3 == "USA"
    assert normalize_name(" The  D.P.R.K. ") == "dprk"


def test_unknown_name_suggests_close_matches():
    with pytest.raises(UnknownCountry, match="North Korea"):
        resolve("Nrth Korea")
    with pytest.raises(UnknownCountry, match="from_code"):
        resolve("Atlantis")


# ---------------------------------------------------------------- countries: against GDELT's lookups


def _fips_names(shared_data: Path) -> dict[str, str]:
    names = dict(_read_tab(_real_file(shared_data, FIPS_FILE), header=False))
    for code, wrong in (("GV", "Equatorial Guinea"), ("LO", "Czechoslovakia"), ("VM", "Vietnam, Democratic")):
        assert names[code].startswith(wrong), f"GDELT's FIPS label for {code} changed: {names[code]!r}"
    return names | FIPS_LABEL_ERRORS


def test_fips_codes_match_gdelt_fips_file(shared_data):
    fips = _fips_names(shared_data)
    for country in load_countries():
        if country.fips:
            assert country.fips in fips, f"{country.iso3}: FIPS {country.fips} not in GDELT's FIPS list"
            assert resolve(fips[country.fips]) is country, (country.iso3, fips[country.fips])


def test_gdelt_fips_states_are_in_table(shared_data):
    named_states = {}
    for code, name in _fips_names(shared_data).items():
        try:
            country = resolve(name)
        except UnknownCountry:
            continue  # a territory or area we do not list (e.g. Akrotiri, Gaza Strip)
        assert country.fips == code, f"GDELT FIPS {code} {name!r} resolves to {country.iso3} (FIPS {country.fips})"
        named_states[code] = country
    assert len(named_states) == sum(1 for c in load_countries() if c.fips)


def test_cameo_country_codes_match_gdelt(shared_data):
    gdelt = dict(_read_tab(_real_file(shared_data, CAMEO_COUNTRY_FILE), header=True))
    assert gdelt["COL"] == "Columbia", "GDELT fixed its label for COL; drop CAMEO_LABEL_ERRORS"
    gdelt |= CAMEO_LABEL_ERRORS
    assert not EXTRA_CAMEO_COUNTRY_CODES & set(gdelt)
    matched = set()
    for code, label in gdelt.items():
        if len(code) != 3:
            continue
        try:
            country = resolve(label)
        except UnknownCountry:
            continue  # a region (AFR, WST, ...) or place we do not list
        assert country.cameo == code, f"GDELT CAMEO {code} {label!r} is {country.iso3} with cameo {country.cameo}"
        matched.add(country.iso3)
    ours = {c.iso3 for c in load_countries() if c.cameo and c.cameo not in EXTRA_CAMEO_COUNTRY_CODES}
    assert ours - matched == set(), "our CAMEO codes GDELT does not list"


def test_gdelt_v2_actor_country_codes(shared_data):
    """Every Actor1/Actor2CountryCode in the real GDELT 2.0 files is ours or a non-state CAMEO code."""
    files = sorted((shared_data / "gdelt-v2-events").glob("*/*.export.CSV"))
    if not files:
        pytest.skip(f"no GDELT 2.0 export files under {shared_data / 'gdelt-v2-events'}")
    columns = ", ".join(f"'column{i:02d}': 'VARCHAR'" for i in range(61))
    src = f"read_csv(?, delim='\t', header=false, quote='', escape='', columns={{{columns}}})"
    sql = f"SELECT c FROM (SELECT column07 c FROM {src} UNION ALL SELECT column17 FROM {src}) WHERE c IS NOT NULL"
    with duckdb.connect() as con:
        used = {row[0] for row in con.execute(sql, [[str(f) for f in files]] * 2).fetchall()}
    listed = dict(_read_tab(_real_file(shared_data, CAMEO_COUNTRY_FILE), header=True))
    ours = {c.cameo for c in load_countries()}
    for code in sorted(used - ours):
        assert code in listed, f"GDELT actor country code {code} is neither ours nor in GDELT's CAMEO list"
        with pytest.raises(UnknownCountry):
            resolve(listed[code])  # a region or territory, not a state we miss
    assert {"CHN", "PRK", "RUS", "KOR", "USA", "JPN", "SSD", "TWN", "PSE"} <= used & ours
