"""ICEWS coded event files (Harvard Dataverse doi:10.7910/DVN/28075): the layout weaklink reads.

Tab-separated, one header line, 20 fields: Event ID, Event Date (YYYY-MM-DD), Source Name, Source Sectors,
Source Country, Event Text, CAMEO Code, Intensity, Target Name, Target Sectors, Target Country, Story ID,
Sentence Number, Publisher, City, District, Province, Country, Latitude, Longitude. Missing values are the
literal "NA" (or empty). Actors come as names with sectors and a country *name*: the country is resolved
through weaklink's country table (reference/countries.py); a name that does not resolve is kept with no
country, and the summary names it. Quad class follows the CAMEO root code (GDELT's rule); Goldstein is the
file's Intensity (ICEWS's own CAMEO weights), else the CAMEO reference's.
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

HEADER = ("Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text", "CAMEO Code",
          "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID", "Sentence Number",
          "Publisher", "City", "District", "Province", "Country", "Latitude", "Longitude")

CODE = "trim(c06)"


def _columns() -> dict[str, str]:
    cols = {
        "record_id": "trim(c00)",
        "source_format": "'icews'",
        "event_date": date_of("c01", "%Y-%m-%d"),
        "actor1_name": text("c02"), "actor1_type1": text("c03"), "actor1_country": country(4),
        "actor2_name": text("c08"), "actor2_type1": text("c09"), "actor2_country": country(10),
        **cameo_columns(CODE, "c07"),
        "action_geo_fullname": "nullif(concat_ws(', ', c14, c15, c16, c17), '')",
        "action_geo_country": country(17),
        "action_geo_lat": "TRY_CAST(c18 AS DOUBLE)", "action_geo_long": "TRY_CAST(c19 AS DOUBLE)",
        "description": text("c05"),
    }
    return cols


LAYOUT = Layout(
    dataset="icews", fmt="icews-events", what="an ICEWS event file", width=20,
    expected="ICEWS event files have 20 tab-separated fields", header=HEADER, nullstr=("NA", ""),
    countries=(4, 10, 17), reported=(4, 10), code=CODE, columns=_columns(),
    checks=(
        ("NOT regexp_full_match(coalesce(trim(c00), ''), '[0-9]+')",
         f"'Event ID is not a whole number: ' || {shown('c00')}"),
        date_check("c01", "Event Date", "%Y-%m-%d", "YYYY-MM-DD"),
        required("c06", "CAMEO Code"),
        cameo_code_check(CODE, "CAMEO Code"),
        number_check("c07", "Intensity", -10, 10),
        number_check("c18", "Latitude", -90, 90),
        number_check("c19", "Longitude", -180, 180),
    ),
)
