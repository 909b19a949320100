"""GDELT 1.0 and 2.0 event exports: field layouts and the SQL that types one line of either.

GDELT 1.0 lines have 57 fields (historical backfile) or 58 (daily files, with SOURCEURL);
GDELT 2.0 lines have 61 (an ADM2 code in each of the three geography blocks, and DATEADDED
to the second). The first 35 fields are the same in both. The version is decided per line
from its field count, so files that mix widths are read correctly.
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


# Numeric fields checked on every line: (field, SQL type, label in the GDELT codebook).
NUMERIC_FIELDS = [
    ("is_root", "TINYINT", "IsRootEvent"),
    ("quad_class", "TINYINT", "QuadClass"),
    ("goldstein", "DOUBLE", "GoldsteinScale"),
    ("num_mentions", "INTEGER", "NumMentions"),
    ("num_sources", "INTEGER", "NumSources"),
    ("num_articles", "INTEGER", "NumArticles"),
    ("avg_tone", "DOUBLE", "AvgTone"),
] + [(f"{p}_geo_{f}", t, f"{p.capitalize()}Geo_{f.capitalize()}")
     for p in GEO_PREFIXES for f, t in (("type", "TINYINT"), ("lat", "DOUBLE"), ("long", "DOUBLE"))]

EVENT_DATE = "TRY_CAST(try_strptime(c01, '%Y%m%d') AS DATE)"
DATE_ADDED = ("CASE WHEN is_v2 THEN try_strptime(c59, '%Y%m%d%H%M%S') "
              "ELSE try_strptime(c56, '%Y%m%d') END")
FIELD_COUNT = "(" + " + ".join(f"({c} IS NOT NULL)::INTEGER" for c in RAW) + ")"


def _bad_number(field: str, sql_type: str, label: str) -> str:
    raw = raw_field(field)
    return (f"WHEN nullif({raw}, '') IS NOT NULL AND TRY_CAST({raw} AS {sql_type}) IS NULL "
            f"THEN '{label} is not a number: ' || {raw}")


def reject_reason() -> str:
    """SQL giving why a line cannot be stored, or NULL when it can."""
    checks = [
        f"WHEN width NOT IN (57, 58, 61) THEN 'wrong number of fields: ' || {FIELD_COUNT} "
        "|| ' (GDELT 1.0 has 57 or 58, GDELT 2.0 has 61)'",
        "WHEN TRY_CAST(c00 AS BIGINT) IS NULL THEN 'GLOBALEVENTID is not an integer: ' || coalesce(c00, '')",
        f"WHEN {EVENT_DATE} IS NULL THEN 'SQLDATE is not a date (YYYYMMDD): ' || coalesce(c01, '')",
        "WHEN nullif(c26, '') IS NULL THEN 'EventCode is empty'",
        f"WHEN {DATE_ADDED} IS NULL THEN 'DATEADDED is not a date: ' || {raw_field('dateadded')}",
    ] + [_bad_number(*field) for field in NUMERIC_FIELDS]
    return "CASE " + "\n ".join(checks) + " END"


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
    cols.update({name: number(name, sql_type) for name, sql_type, _ in NUMERIC_FIELDS if name != "is_root"})
    for prefix in GEO_PREFIXES:
        for f in ("fullname", "country", "adm1", "adm2", "feature_id"):
            cols[f"{prefix}_geo_{f}"] = text(f"{prefix}_geo_{f}")
    cols["source_url"] = text("source_url")
    return cols
