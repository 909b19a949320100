"""GDELT 1.0 and 2.0 event exports: field layouts and the SQL that types one line of either.

GDELT 1.0 lines have 57 fields (historical backfile) or 58 (daily files, with SOURCEURL);
GDELT 2.0 lines have 61 (an ADM2 code in each of the three geography blocks, and DATEADDED
to the second). The first 35 fields are the same in both. The version is decided per line
from its field count, so files that mix widths are read correctly.

Values are checked strictly, never coerced: ids and counts are digits only, codes lie in their
documented domains, dates have exactly their digits and exist, and decimals are plain finite numbers
within their ranges (no NaN, inf, exponent, hex or '_'). Every field is read as text and checked in SQL.
"""

from __future__ import annotations

WIDTH = 61  # the widest layout; narrower lines are padded with NULL by the CSV reader
RAW = [f"c{i:02d}" for i in range(WIDTH)]
V1_WIDTHS = (57, 58)
V2_WIDTH = 61

ACTOR_FIELDS = ["code", "name", "country", "known_group", "ethnic", "religion1", "religion2",
                "type1", "type2", "type3"]
GEO_V1 = ["type", "fullname", "country", "adm1", "lat", "long", "feature_id"]
GEO_V2 = ["type", "fullname", "country", "adm1", "adm2", "lat", "long", "feature_id"]
GEO_PREFIXES = ["actor1", "actor2", "action"]


def _common_columns() -> dict[str, int]:
    cols = {"globaleventid": 0, "sqldate": 1}
    for block, start in (("actor1", 5), ("actor2", 15)):
        cols.update({f"{block}_{name}": start + i for i, name in enumerate(ACTOR_FIELDS)})
    tail = ["is_root", "event_code", "event_base_code", "event_root_code", "quad_class",
            "goldstein", "num_mentions", "num_sources", "num_articles", "avg_tone"]
    cols.update({name: 25 + i for i, name in enumerate(tail)})
    return cols


def _geo_columns(fields: list[str]) -> dict[str, int]:
    cols, index = {}, 35
    for prefix in GEO_PREFIXES:
        for name in fields:
            cols[f"{prefix}_geo_{name}"] = index
            index += 1
    cols["dateadded"] = index
    cols["source_url"] = index + 1
    return cols


COMMON = _common_columns()
GEO_1 = _geo_columns(GEO_V1)
GEO_2 = _geo_columns(GEO_V2)


def raw_field(name: str) -> str:
    """SQL for the raw text of a field, picking its position by the line's version."""
    if name in COMMON:
        return RAW[COMMON[name]]
    v2 = RAW[GEO_2[name]]
    if name not in GEO_1:
        return f"CASE WHEN is_v2 THEN {v2} END"
    return f"CASE WHEN is_v2 THEN {v2} ELSE {RAW[GEO_1[name]]} END"


def text(name: str) -> str:
    return f"nullif({raw_field(name)}, '')"


def number(name: str, sql_type: str) -> str:
    return f"TRY_CAST(nullif({raw_field(name)}, '') AS {sql_type})"


# Numeric fields checked on every line: (field, SQL type, label in the GDELT codebook, domain).
# A domain is a whole-number pattern (codes and counts) or (low, high) for a decimal number.
DECIMAL = r"-?[0-9]+(\.[0-9]+)?"  # plain decimal notation only: no exponent, NaN, inf, hex or '_'
NUMERIC_FIELDS = [
    ("is_root", "TINYINT", "IsRootEvent", "[01]"),
    ("quad_class", "TINYINT", "QuadClass", "[1-4]"),
    ("goldstein", "DOUBLE", "GoldsteinScale", (-10, 10)),
    ("num_mentions", "INTEGER", "NumMentions", "[0-9]+"),
    ("num_sources", "INTEGER", "NumSources", "[0-9]+"),
    ("num_articles", "INTEGER", "NumArticles", "[0-9]+"),
    ("avg_tone", "DOUBLE", "AvgTone", (-100, 100)),
] + [(f"{p}_geo_{f}", t, f"{p.capitalize()}Geo_{f.capitalize()}", d)
     for p in GEO_PREFIXES for f, t, d in (("type", "TINYINT", "[0-5]"), ("lat", "DOUBLE", (-90, 90)),
                                            ("long", "DOUBLE", (-180, 180)))]
CODE_RULES = {"[01]": "must be 0 or 1", "[1-4]": "must be 1, 2, 3 or 4", "[0-5]": "must be 0 to 5",
              "[0-9]+": "is not a whole number >= 0"}

EVENT_DATE = "TRY_CAST(try_strptime(c01, '%Y%m%d') AS DATE)"
DATE_ADDED = ("CASE WHEN is_v2 THEN try_strptime(c59, '%Y%m%d%H%M%S') "
              "ELSE try_strptime(c56, '%Y%m%d') END")
# GDELT's dating error around New Year 2020 (docs/ingest.md): events added from 2019-12-31 to 2020-01-05 whose
# event date lies exactly a century early. Over the typed columns `event_date` and `date_added`.
CENTURY_WINDOW = ("2019-12-31", "2020-01-05")
CENTURY_ERROR = (f"CAST(date_added AS DATE) BETWEEN DATE '{CENTURY_WINDOW[0]}' AND DATE '{CENTURY_WINDOW[1]}' "
                 "AND year(event_date) = year(date_added) - 100")


def repaired_dates() -> dict[str, str]:
    """SQL for the stored `event_date` (repaired where GDELT's dating error applies) and `event_date_original`
    (the date as given, only where repaired), over the typed columns."""
    return {"event_date": f"CASE WHEN {CENTURY_ERROR} THEN CAST(event_date + INTERVAL 100 YEAR AS DATE) "
                          "ELSE event_date END",
            "event_date_original": f"CASE WHEN {CENTURY_ERROR} THEN event_date END"}


FIELD_COUNT = "(" + " + ".join(f"({c} IS NOT NULL)::INTEGER" for c in RAW) + ")"


def shown(sql: str) -> str:
    """SQL quoting a raw value for a reason, cut to 40 characters."""
    return (f"'''' || CASE WHEN length({sql}) > 40 THEN left({sql}, 40) || '\u2026' ELSE coalesce({sql}, '') END "
            "|| ''''")


def _bad_number(field: str, sql_type: str, label: str, domain) -> list[str]:
    raw = raw_field(field)
    given = f"WHEN {raw} <> '' AND "
    if isinstance(domain, str):
        checks = [f"{given}NOT regexp_full_match({raw}, '{domain}') THEN '{label} {CODE_RULES[domain]}: ' "
                  f"|| {shown(raw)}"]
        if domain == "[0-9]+":
            checks.append(f"{given}TRY_CAST({raw} AS {sql_type}) IS NULL THEN '{label} is too large: ' || {shown(raw)}")
        return checks
    low, high = domain
    return [f"{given}NOT regexp_full_match({raw}, '{DECIMAL}') THEN '{label} is not a number: ' || {shown(raw)} "
            "|| ' (expected a plain decimal such as -2.5)'",
            f"{given}NOT coalesce(TRY_CAST({raw} AS DOUBLE) BETWEEN {low} AND {high}, false) "
            f"THEN '{label} is out of range ({low} to {high}): ' || {shown(raw)}"]


def _why() -> str:
    """SQL giving the first reason a line cannot be stored, or NULL (run only on lines `_storable` refused)."""
    added = raw_field("dateadded")
    checks = [
        f"WHEN width NOT IN (57, 58, 61) THEN 'wrong number of fields: ' || {FIELD_COUNT} "
        "|| ' (GDELT 1.0 has 57 or 58, GDELT 2.0 has 61)'",
        "WHEN NOT regexp_full_match(coalesce(c00, ''), '[0-9]+') THEN 'GLOBALEVENTID is not an integer "
        f"(digits only): ' || {shown('c00')}",
        f"WHEN record_id IS NULL THEN 'GLOBALEVENTID is too large: ' || {shown('c00')}",
        "WHEN NOT regexp_full_match(c01, '[1-9][0-9]{7}') OR event_date IS NULL "
        f"THEN 'SQLDATE is not a date (YYYYMMDD): ' || {shown('c01')}",
        "WHEN event_code IS NULL THEN 'EventCode is empty'",
        f"WHEN NOT regexp_full_match({added}, CASE WHEN is_v2 THEN '[0-9]{{14}}' ELSE '[0-9]{{8}}' END) "
        "OR date_added IS NULL THEN 'DATEADDED is not a date (YYYYMMDDHHMMSS in GDELT 2.0, YYYYMMDD in 1.0): ' "
        f"|| {shown(added)}",
    ] + [check for field in NUMERIC_FIELDS for check in _bad_number(*field)]
    return "CASE " + "\n ".join(checks) + " END"


def _fast_pattern(domain) -> str:
    """No looser than the full checks: whole numbers of at most 9 digits fit an INTEGER, and decimals with
    at most 6 integer digits are finite, so their typed values can be range-checked directly."""
    if domain == "[0-9]+":
        return "([0-9]{1,9})?"
    return f"({domain})?" if isinstance(domain, str) else r"(-?[0-9]{1,6}(\.[0-9]+)?)?"


def _storable() -> str:
    """SQL true for a line that passes every check: one regular expression over the numeric fields joined
    by tabs, and range checks on the typed values. Cheap enough for every line; `_why` runs where it fails."""
    raws = ["c00", "c01"] + [raw_field(f[0]) for f in NUMERIC_FIELDS] + [raw_field("dateadded")]
    pattern = r"\t".join(["[0-9]+", "[1-9][0-9]{7}"] + [_fast_pattern(f[3]) for f in NUMERIC_FIELDS]
                         + ["[0-9]{8}([0-9]{6})?"])
    ranges = " AND ".join(f"coalesce({name} BETWEEN {d[0]} AND {d[1]}, true)"
                          for name, _, _, d in NUMERIC_FIELDS if not isinstance(d, str))
    return ("width IN (57, 58, 61) AND record_id IS NOT NULL AND event_date IS NOT NULL AND event_code IS NOT NULL "
            f"AND date_added IS NOT NULL AND regexp_full_match(concat_ws(chr(9), {', '.join(raws)}), '{pattern}') "
            f"AND {ranges}")


def reject_reason() -> str:
    """SQL giving why a line cannot be stored, or NULL when it can (over the typed and the raw columns)."""
    return f"CASE WHEN {_storable()} THEN NULL ELSE {_why()} END"


WIDTH_SQL = ("CASE WHEN c60 IS NOT NULL THEN 61 WHEN c59 IS NOT NULL THEN 60 "
             "WHEN c58 IS NOT NULL THEN 59 WHEN c57 IS NOT NULL THEN 58 "
             "WHEN c56 IS NOT NULL THEN 57 ELSE 0 END")


def typed_columns() -> dict[str, str]:
    """Events-table column -> SQL over the raw fields (with `is_v2` in scope)."""
    cols = {
        "record_id": "CAST(TRY_CAST(c00 AS BIGINT) AS VARCHAR)",
        "source_format": "CASE WHEN is_v2 THEN 'gdelt-2.0' ELSE 'gdelt-1.0' END",
        "event_date": EVENT_DATE,
        "date_added": DATE_ADDED,
    }
    for block in ("actor1", "actor2"):
        cols.update({f"{block}_{f}": text(f"{block}_{f}") for f in ACTOR_FIELDS})
    cols["is_root"] = f"{number('is_root', 'TINYINT')} = 1"
    cols.update({c: text(c) for c in ("event_code", "event_base_code", "event_root_code")})
    cols.update({name: number(name, sql_type) for name, sql_type, _, _ in NUMERIC_FIELDS if name != "is_root"})
    for prefix in GEO_PREFIXES:
        for f in ("fullname", "country", "adm1", "adm2", "feature_id"):
            cols[f"{prefix}_geo_{f}"] = text(f"{prefix}_geo_{f}")
    cols["source_url"] = text("source_url")
    return cols
