"""Phoenix event data (Open Event Data Alliance, PETRARCH-coded, 2014-2018): the layouts weaklink reads.

- The daily file as published: tab-separated, no header, 26 fields: id (``1701787_v0.1.0``), date (YYYYMMDD),
  year, month, day, source actor code, its country/actor, agent, other agents, the same four for the target,
  CAMEO code, root code, quad class, Goldstein, issues, latitude, longitude, place name, admin region, country,
  story ids, URLs, source names (several values joined by ``;``). The last record may lack its newline.
- The same 26 fields as R writes them (``write.csv``): comma-separated, quoted where needed, a header, a
  row-name column and a copy of it (``X``) in front, "NA" for missing, and the event and root codes read as
  numbers, so their leading zero is lost (``10`` for ``010``, root ``1``): it is put back from the root code.

Quad class follows the CAMEO root code, GDELT's rule: Phoenix's own column uses another scheme (0 for
01-02 "neutral", 09 and 16 verbal conflict, 14 material conflict), so it is not used.
"""

from __future__ import annotations

from weaklink.sources.eventlayout import (
    Layout,
    cameo_code_check,
    cameo_columns,
    country,
    date_check,
    date_of,
    number_check,
    required,
    shown,
    text,
)

FIELDS = ("GID", "Date", "Year", "Month", "Day", "Source", "SrcActor", "SrcAgent", "SOthAgent", "Target",
          "TgtActor", "TgtAgent", "TOthAgent", "CAMEO", "RootCode", "QuadClass", "Goldstein", "None", "Lat", "Lon",
          "Geoname", "AdminInfo", "CountryCode", "ID", "URL", "sourcetxt")
R_HEADER = ("", "X", *FIELDS)


def _code(c, offset: int) -> str:
    """The event code with a lost leading zero put back (when the root code says it is below 10)."""
    code, root = f"trim({c(13)})", f"TRY_CAST(trim({c(14)}) AS INTEGER)"
    if not offset:
        return code
    return (f"CASE WHEN {root} BETWEEN 1 AND 9 AND regexp_full_match({code}, '[1-9][0-9]{{1,2}}') "
            f"THEN '0' || {code} ELSE {code} END")


def _layout(offset: int) -> Layout:
    def c(i: int) -> str:
        return f"c{i + offset:02d}"

    code = _code(c, offset)
    columns = {
        "record_id": f"trim({c(0)})",
        "source_format": "'phoenix-r-csv'" if offset else "'phoenix'",
        "event_date": date_of(c(1), "%Y%m%d"),
        "actor1_code": text(c(5)), "actor1_country": country(6 + offset), "actor1_type1": text(c(7)),
        "actor1_type2": text(c(8)),
        "actor2_code": text(c(9)), "actor2_country": country(10 + offset), "actor2_type1": text(c(11)),
        "actor2_type2": text(c(12)),
        **cameo_columns(code, c(16)),
        "action_geo_lat": f"TRY_CAST({c(18)} AS DOUBLE)", "action_geo_long": f"TRY_CAST({c(19)} AS DOUBLE)",
        "action_geo_fullname": f"nullif(concat_ws(', ', {text(c(20))}, {text(c(21))}), '')",
        "action_geo_country": country(22 + offset),
        "num_articles": f"len(string_split({text(c(23))}, ';'))",
        "num_sources": f"len(string_split({text(c(25))}, ';'))",
        "source_url": f"nullif(split_part({c(24)}, ';', 1), '')",
    }
    root = f"trim({c(14)})"
    checks = (
        required(c(0), "the event id (field 1)"),
        date_check(c(1), "the date (field 2)", "%Y%m%d", "YYYYMMDD"),
        required(c(13), "the CAMEO code (field 14)"),
        cameo_code_check(code, "the CAMEO code (field 14)"),
        (f"{root} <> '' AND NOT coalesce(TRY_CAST({root} AS INTEGER) = TRY_CAST(left({code}, 2) AS INTEGER), false)",
         f"'the root code (field 15) does not match the CAMEO code: ' || {shown(root)} || ' for ' || {shown(code)}"),
        number_check(c(16), "the Goldstein score (field 17)", -10, 10),
        number_check(c(18), "the latitude (field 19)", -90, 90),
        number_check(c(19), "the longitude (field 20)", -180, 180),
    )
    return Layout(
        dataset="phoenix", fmt="phoenix-events", what="a Phoenix event file", width=26 + offset,
        expected=("Phoenix R exports have 28 comma-separated fields" if offset
                  else "Phoenix daily files have 26 tab-separated fields"),
        header=R_HEADER if offset else (), delim="," if offset else "\t", quote='"' if offset else "",
        nullstr=("NA", "") if offset else ("",), countries=(6 + offset, 10 + offset, 22 + offset),
        code=code, columns=columns, checks=checks)


DAILY = _layout(0)
R_CSV = _layout(2)


def layout_for(first_line: str) -> Layout:
    """The R export when the first line is its header, else the daily file."""
    names = [n.strip().strip('"') for n in first_line.rstrip("\r\n").split(",")]
    return R_CSV if names[:3] == ["", "X", "GID"] else DAILY
