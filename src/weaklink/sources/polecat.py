"""POLECAT weekly event files (Harvard Dataverse doi:10.7910/DVN/AJGVIT), coded in the PLOVER ontology.

Tab-separated, one header line, 40 fields: Event ID, Event Date, Event Type, Event Mode, Intensity (in some
files "Event Intensity"), Quad Code, Contexts, Actor Name, Actor Country, Actor COW, Primary Actor Sector, Actor
Sectors, Actor Title, Actor Name Raw, Wikipedia Actor ID, Recipient Name, Recipient Country, Recipient COW,
Primary Recipient Sector, Recipient Sectors, Recipient Title, Recipient Name Raw, Wikipedia Recipient ID,
Placename, City, District, Province, Country, Latitude, Longitude, GeoNames ID, Raw Placename, Feature Type,
Source, Publication Date, Story People, Story Organizations, Story Locations, Language, Version. Sources for the
layout: the column list as published with the weekly files and as read by public POLECAT readers (Andreas
Beger's notes, https://andybeger.com/blog/2024-05-21-polecat-event-data, which also list the misformatted files
with an extra "Headline" header name or surplus tabs: those are refused with a clear message, not guessed).

The PLOVER event type is stored as `event_code` and its mode as `event_base_code`; the CAMEO quad class comes
from the published CAMEO-PLOVER table (reference/plover.py). An event the table does not settle is kept with
no quad class and counted. Intensity is PLOVER's own scale, not Goldstein's: it is not stored as Goldstein.
The actor countries are ISO3 codes (or names), resolved to CAMEO codes; Publication Date is the reporting date.
"""

from __future__ import annotations

from weaklink.reference.plover import quad_sql
from weaklink.sources.eventlayout import Layout, country, date_check, date_of, number_check, required, shown, text

HEADER = ("Event ID", "Event Date", "Event Type", "Event Mode", "Intensity|Event Intensity", "Quad Code",
          "Contexts", "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector", "Actor Sectors",
          "Actor Title", "Actor Name Raw", "Wikipedia Actor ID", "Recipient Name", "Recipient Country",
          "Recipient COW", "Primary Recipient Sector", "Recipient Sectors", "Recipient Title", "Recipient Name Raw",
          "Wikipedia Recipient ID", "Placename", "City", "District", "Province", "Country", "Latitude", "Longitude",
          "GeoNames ID", "Raw Placename", "Feature Type", "Source", "Publication Date", "Story People",
          "Story Organizations", "Story Locations", "Language", "Version")

DATE = "%Y-%m-%d"

LAYOUT = Layout(
    dataset="polecat", fmt="polecat-events", what="a POLECAT event file", width=40,
    expected="POLECAT weekly files have 40 tab-separated fields", header=HEADER, nullstr=("", "None"),
    countries=(8, 16, 27), reported=(8, 16), code=None,
    columns={
        "record_id": "trim(c00)",
        "source_format": "'polecat'",
        "event_date": date_of("left(trim(c01), 10)", DATE),
        "date_added": "CAST(try_strptime(left(trim(c34), 10), '%Y-%m-%d') AS TIMESTAMP)",
        "actor1_name": text("c07"), "actor1_country": country(8), "actor1_type1": text("c10"),
        "actor2_name": text("c15"), "actor2_country": country(16), "actor2_type1": text("c18"),
        "event_code": "upper(trim(c02))", "event_base_code": "lower(trim(c03))",
        "quad_class": quad_sql("c02", "coalesce(c03, '')"),
        "action_geo_fullname": text("c23"), "action_geo_country": country(27),
        "action_geo_lat": "TRY_CAST(c28 AS DOUBLE)", "action_geo_long": "TRY_CAST(c29 AS DOUBLE)",
        "description": text("c06"),
    },
    checks=(
        required("c00", "Event ID"),
        date_check("left(trim(c01), 10)", "Event Date", DATE, "YYYY-MM-DD"),
        required("c02", "Event Type"),
        ("NOT regexp_full_match(trim(c02), '[A-Za-z][A-Za-z_-]*')",
         f"'Event Type is not a PLOVER event type (a word such as CONSULT): ' || {shown('c02')}"),
        number_check("c28", "Latitude", -90, 90),
        number_check("c29", "Longitude", -180, 180),
    ),
)
