"""UN General Assembly roll calls, issues and votes in the unvotes / Voeten layout.

Files (CSV with a header, plain or gzipped): roll calls `rcid, session, importantvote, date, unres, amend,
para, short, descr`; issues `rcid, short_name, issue`; votes `rcid, country, country_code, vote`.
Votes may be words (yes, no, abstain, absent, non-member) or Voeten's numbers (1 yes, 2 abstain,
3 no, 8 absent, 9 not a member). States are resolved by name first (see reference/historical.py).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from weaklink.ingest.common import ingest_one, store_rejects
from weaklink.ingest.csvread import Readable, sql_string
from weaklink.ingest.tabular import TableSpec, checked_header, load_table
from weaklink.reference.historical import state_of
from weaklink.sources.scan import FileScan
from weaklink.store import Store

DATASET = "unga"

VOTE_WORDS = {"yes": "yes", "y": "yes", "1": "yes", "no": "no", "n": "no", "3": "no",
              "abstain": "abstain", "abstention": "abstain", "a": "abstain", "2": "abstain",
              "absent": "absent", "8": "absent", "non-member": "non_member", "non_member": "non_member",
              "not a member": "non_member", "9": "non_member"}
VOTE_MAP = pa.table({"word": list(VOTE_WORDS), "vote": list(VOTE_WORDS.values())})

VOTE_COLUMNS = ["rcid", "country", "vote"]
# Strict: digits only (TRY_CAST alone would read '1.5' as 2 and ' 7' as 7).
INTEGER = ("NOT regexp_full_match(coalesce(rcid, ''), '[0-9]{1,9}') "
           "THEN 'rcid is not a whole number >= 0: ' || coalesce(rcid, '')")
ISO_DATE = "regexp_full_match(coalesce(date, ''), '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND TRY_CAST(date AS DATE) IS NOT NULL"

ROLL_CALLS = TableSpec(
    name="unvotes roll-calls",
    required=["rcid", "session", "date", "unres", "short", "descr"],
    checked_sql=f"""
        SELECT 'unga' AS body, CAST(TRY_CAST(rcid AS INTEGER) AS VARCHAR) AS decision_id,
               TRY_CAST(date AS DATE) AS date, TRY_CAST(session AS INTEGER) AS session,
               nullif(nullif(unres, ''), 'NA') AS symbol, 'roll_call' AS kind,
               TRY_CAST(nullif(importantvote, 'NA') AS INTEGER) = 1 AS important,
               TRY_CAST(nullif(amend, 'NA') AS INTEGER) = 1 AS amendment,
               TRY_CAST(nullif(para, 'NA') AS INTEGER) = 1 AS paragraph,
               nullif(short, 'NA') AS title, nullif(descr, 'NA') AS description, position,
               CASE WHEN {INTEGER}
                    WHEN NOT ({ISO_DATE}) THEN 'date is not a date (YYYY-MM-DD): ' || coalesce(date, '')
               END AS reject_reason
        FROM wl_rows""",
    target="decisions",
    target_columns=["body", "decision_id", "date", "session", "symbol", "kind", "important", "amendment",
                    "paragraph", "title", "description"],
    key=["body", "decision_id"],
)

ISSUES = TableSpec(
    name="unvotes issues",
    required=["rcid", "short_name", "issue"],
    checked_sql=f"""
        SELECT 'unga' AS body, CAST(TRY_CAST(rcid AS INTEGER) AS VARCHAR) AS decision_id,
               lower(trim(short_name)) AS tag, issue AS label, position,
               CASE WHEN {INTEGER}
                    WHEN coalesce(trim(short_name), '') = '' THEN 'short_name is empty' END AS reject_reason
        FROM wl_rows""",
    target="decision_issues",
    target_columns=["body", "decision_id", "tag", "label"],
    key=["body", "decision_id", "tag"],
)


def _votes_spec(states: pa.Table, code_column: str) -> TableSpec:
    return TableSpec(
        name="unvotes votes",
        required=VOTE_COLUMNS,
        checked_sql=f"""
            SELECT 'unga' AS body, CAST(TRY_CAST(r.rcid AS INTEGER) AS VARCHAR) AS decision_id,
                   s.iso3 AS state, r.country AS state_name, v.vote, false AS veto, r.position,
                   CASE WHEN {INTEGER.replace('rcid', 'r.rcid')}
                        WHEN s.iso3 IS NULL THEN 'unknown country: ' || coalesce(r.country, '')
                        WHEN v.vote IS NULL THEN 'unknown vote value: ' || coalesce(r.vote, '')
                        WHEN d.decision_id IS NULL THEN 'roll call ' || r.rcid
                             || ' is not in the store: ingest its roll-calls file first'
                   END AS reject_reason
            FROM wl_rows AS r
            LEFT JOIN wl_states AS s ON s.country IS NOT DISTINCT FROM r.country
                 AND s.country_code IS NOT DISTINCT FROM {code_column}
            LEFT JOIN wl_votes AS v ON v.word = lower(trim(r.vote))
            LEFT JOIN (SELECT DISTINCT decision_id FROM decisions WHERE body = 'unga') AS d
                 ON d.decision_id = CAST(TRY_CAST(r.rcid AS INTEGER) AS VARCHAR)""",
        target="votes",
        target_columns=["body", "decision_id", "state", "state_name", "vote", "veto"],
        key=["body", "decision_id", "state"],
        maps={"wl_states": states, "wl_votes": VOTE_MAP},
    )


def _votes_for(store: Store, source: Readable) -> TableSpec:
    """The votes spec, with ISO3 codes for each distinct (country, country_code) of the file."""
    header = checked_header(source, "unvotes votes", VOTE_COLUMNS)
    code = "country_code" if "country_code" in header else "NULL"
    pairs = store.con.sql(f"""SELECT DISTINCT country, {code} AS country_code
        FROM read_csv({sql_string(source.location)}, header=true, all_varchar=true, auto_detect=true,
                      compression='{source.codec}', ignore_errors=true)""").fetchall()
    states = pa.table({"country": [p[0] for p in pairs], "country_code": [p[1] for p in pairs],
                       "iso3": [state_of(p[0], p[1]) for p in pairs]})
    return _votes_spec(states, "r.country_code" if code != "NULL" else "NULL")


def _writer(spec_for):
    def write(store: Store, scan: FileScan, file_id: int):
        result, rejects = load_table(store, scan, file_id, spec_for)
        store_rejects(store.con, file_id, scan.path, rejects)
        return result

    return write


def ingest_roll_calls(store: Store, path: Path, force: bool = False):
    return ingest_one(store, path, DATASET, "unvotes-roll-calls", _writer(lambda s, f: ROLL_CALLS), force)


def ingest_issues(store: Store, path: Path, force: bool = False):
    return ingest_one(store, path, DATASET, "unvotes-issues", _writer(lambda s, f: ISSUES), force)


def ingest_votes(store: Store, path: Path, force: bool = False):
    return ingest_one(store, path, DATASET, "unvotes-votes", _writer(_votes_for), force)
