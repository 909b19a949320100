"""Schema and migrations: small numbered functions, each applied once and recorded."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

Migration = Callable[[duckdb.DuckDBPyConnection], None]
MIGRATIONS: list[tuple[int, str, Migration]] = []


def migration(version: int, name: str):
    """Register a migration; versions must be applied in increasing order."""

    def register(func: Migration) -> Migration:
        MIGRATIONS.append((version, name, func))
        return func

    return register


def _actor_columns(prefix: str) -> str:
    names = ["code", "name", "country", "known_group", "ethnic", "religion1", "religion2",
             "type1", "type2", "type3"]
    return ",\n".join(f"{prefix}_{n} VARCHAR" for n in names)


def _geo_columns(prefix: str) -> str:
    return f"""{prefix}_geo_type TINYINT, {prefix}_geo_fullname VARCHAR, {prefix}_geo_country VARCHAR,
    {prefix}_geo_adm1 VARCHAR, {prefix}_geo_adm2 VARCHAR, {prefix}_geo_lat DOUBLE,
    {prefix}_geo_long DOUBLE, {prefix}_geo_feature_id VARCHAR"""


EVENTS_DDL = f"""
CREATE TABLE events (
    dataset VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    file_id INTEGER,
    source_format VARCHAR,
    event_date DATE,
    date_added TIMESTAMP,
    {_actor_columns("actor1")},
    {_actor_columns("actor2")},
    is_root BOOLEAN,
    event_code VARCHAR,
    event_base_code VARCHAR,
    event_root_code VARCHAR,
    quad_class TINYINT,
    goldstein DOUBLE,
    num_mentions INTEGER,
    num_sources INTEGER,
    num_articles INTEGER,
    avg_tone DOUBLE,
    {_geo_columns("actor1")},
    {_geo_columns("actor2")},
    {_geo_columns("action")},
    source_url VARCHAR
)"""


@migration(1, "events, provenance and rejects")
def _initial(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SEQUENCE provenance_ids START 1")
    con.execute("""
        CREATE TABLE provenance (
            file_id INTEGER PRIMARY KEY DEFAULT nextval('provenance_ids'),
            dataset VARCHAR NOT NULL,
            format VARCHAR NOT NULL,
            version VARCHAR,
            path VARCHAR NOT NULL,
            member VARCHAR,
            sha256 VARCHAR NOT NULL,
            size_bytes BIGINT NOT NULL,
            rows_read BIGINT NOT NULL,
            rows_stored BIGINT NOT NULL,
            rows_rejected BIGINT NOT NULL,
            rows_duplicate BIGINT NOT NULL,
            started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP NOT NULL,
            weaklink_version VARCHAR,
            UNIQUE (format, sha256)
        )""")
    con.execute("""
        CREATE TABLE rejects (
            file_id INTEGER NOT NULL,
            path VARCHAR NOT NULL,
            line BIGINT NOT NULL,
            reason VARCHAR NOT NULL,
            raw VARCHAR
        )""")
    con.execute(EVENTS_DDL)


@migration(2, "curated timeline columns; UN decisions and votes")
def _votes_and_timeline(con: duckdb.DuckDBPyConnection) -> None:
    for column, sql_type in [("end_date", "DATE"), ("actors", "VARCHAR[]"), ("kind", "VARCHAR"),
                             ("level", "VARCHAR"), ("description", "VARCHAR"), ("sources", "VARCHAR[]"),
                             ("confidence", "VARCHAR")]:
        con.execute(f"ALTER TABLE events ADD COLUMN {column} {sql_type}")
    con.execute("""
        CREATE TABLE decisions (
            body VARCHAR NOT NULL,          -- unga or unsc
            decision_id VARCHAR NOT NULL,   -- UNGA: roll-call id (rcid); UNSC: resolution or draft symbol
            date DATE,
            session INTEGER,
            symbol VARCHAR,
            kind VARCHAR,                   -- roll_call, resolution, draft
            outcome VARCHAR,                -- adopted, failed, or NULL when the source does not say
            yes INTEGER, no INTEGER, abstain INTEGER,
            important BOOLEAN, amendment BOOLEAN, paragraph BOOLEAN,
            title VARCHAR,
            description VARCHAR,
            sources VARCHAR[],
            file_id INTEGER
        )""")
    con.execute("""
        CREATE TABLE decision_issues (
            body VARCHAR NOT NULL, decision_id VARCHAR NOT NULL, tag VARCHAR NOT NULL, label VARCHAR,
            file_id INTEGER
        )""")
    con.execute("""
        CREATE TABLE votes (
            body VARCHAR NOT NULL,
            decision_id VARCHAR NOT NULL,
            state VARCHAR NOT NULL,         -- ISO3 (ISO 3166-3 for former states)
            state_name VARCHAR,
            vote VARCHAR NOT NULL,          -- yes, no, abstain, absent, non_member
            veto BOOLEAN NOT NULL DEFAULT false,
            file_id INTEGER
        )""")


@migration(3, "documents")
def _documents(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SEQUENCE document_ids START 1")
    con.execute("""
        CREATE TABLE documents (
            doc_id INTEGER PRIMARY KEY DEFAULT nextval('document_ids'),
            file_id INTEGER,
            path VARCHAR NOT NULL,
            format VARCHAR,
            sha256 VARCHAR NOT NULL,
            fingerprint VARCHAR NOT NULL,   -- sha256 of the words only: equal for near-duplicates
            date DATE NOT NULL,
            issuers VARCHAR[] NOT NULL,
            parties VARCHAR[],
            title VARCHAR,
            kind VARCHAR,
            language VARCHAR,
            source_url VARCHAR,
            text VARCHAR NOT NULL
        )""")


@migration(4, "signpost history")
def _signpost_history(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        CREATE TABLE signpost_history (
            signpost_id VARCHAR NOT NULL,
            as_of DATE NOT NULL,            -- the evaluation date: the window ends here
            status VARCHAR NOT NULL,        -- not_seen, emerging, seen
            detail VARCHAR,
            evidence JSON,
            evaluated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        )""")


@migration(5, "speech session, speaker, post and predecessor on documents")
def _speech_columns(con: duckdb.DuckDBPyConnection) -> None:
    """UN General Debate speeches (docs/ungdc.md): `session` (UNGA session number), `speaker` and `speaker_post`
    (from the corpus's speakers file; NULL where it names none), `predecessor` (the former state or seat holder
    behind a code filed under today's state, e.g. "the USSR (SUN)" for RUS before 1992). NULL for other documents."""
    for column, sql_type in [("session", "INTEGER"), ("speaker", "VARCHAR"), ("speaker_post", "VARCHAR"),
                             ("predecessor", "VARCHAR")]:
        con.execute(f"ALTER TABLE documents ADD COLUMN {column} {sql_type}")


@migration(6, "document text statistics")
def _text_stats(con: duckdb.DuckDBPyConnection) -> None:
    """Per document (and per actor it names, and per framing term it uses) the counts the rhetoric series,
    framing trends and tie strength read (text/stats.py); `lexicon` hashes the watch-file parts used, so a
    changed lexicon is recomputed (docs/rhetoric.md)."""
    con.execute("""
        CREATE TABLE doc_text_stats (
            doc_id INTEGER PRIMARY KEY,
            lexicon VARCHAR NOT NULL,       -- text.stats.lexicon_fingerprint of the watch file used
            words INTEGER NOT NULL,
            sentences INTEGER NOT NULL
        )""")
    con.execute("""
        CREATE TABLE doc_actor_stats (
            doc_id INTEGER NOT NULL,
            actor VARCHAR NOT NULL,
            mentions INTEGER NOT NULL,          -- names, demonyms and metonyms
            names INTEGER NOT NULL,             -- names and abbreviations only
            sentences_naming INTEGER NOT NULL,
            sentences_warm INTEGER NOT NULL,    -- of those: more warm than hostile words (negated left out)
            sentences_hostile INTEGER NOT NULL, -- more hostile than warm words
            warm_terms INTEGER NOT NULL,        -- warm words in the sentences naming the actor
            hostile_terms INTEGER NOT NULL
        )""")
    con.execute("""
        CREATE TABLE doc_term_stats (
            doc_id INTEGER NOT NULL,
            term_group VARCHAR NOT NULL,        -- relationship or stance
            term VARCHAR NOT NULL,
            count INTEGER NOT NULL
        )""")


@migration(7, "GDELT dates repaired, with the original kept")
def _repaired_dates(con: duckdb.DuckDBPyConnection) -> None:
    """`event_date_original`: the event date as the source gave it, where weaklink repaired it (NULL otherwise);
    rows already stored that fall under GDELT's dating error are repaired now (docs/ingest.md)."""
    from weaklink.sources.gdelt import CENTURY_ERROR

    con.execute("ALTER TABLE events ADD COLUMN event_date_original DATE")
    con.execute(f"""UPDATE events SET event_date_original = event_date,
                        event_date = CAST(event_date + INTERVAL 100 YEAR AS DATE)
                    WHERE dataset = 'gdelt' AND {CENTURY_ERROR}""")


# Events counted per file, event day, reporting day and root flag (`event_totals`, `event_days`).
DAY_COUNTS = """(
    dataset VARCHAR NOT NULL,
    file_id INTEGER NOT NULL,
    event_date DATE,
    date_added TIMESTAMP,           -- the reporting day (for the late-event rule, indicators/lag.py)
    is_root BOOLEAN,
    events BIGINT NOT NULL
)"""


@migration(8, "downloads, monitor state, notification log and kept-out event totals")
def _monitor(con: duckdb.DuckDBPyConnection) -> None:
    """What `weaklink update` fetched (or failed to, and why), the monitor's last view of each subject, and
    every notification per channel (docs/monitor.md)."""
    con.execute("""
        CREATE TABLE fetches (
            source VARCHAR NOT NULL,        -- gdelt-v1, gdelt-v2, feed
            url VARCHAR NOT NULL,
            name VARCHAR,
            size_bytes BIGINT,
            md5 VARCHAR,
            status VARCHAR NOT NULL,        -- stored, failed
            reason VARCHAR,
            file_id INTEGER,
            attempts INTEGER NOT NULL DEFAULT 1,
            updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            PRIMARY KEY (source, url)
        )""")
    con.execute("""
        CREATE TABLE monitor_state (
            subject VARCHAR PRIMARY KEY,    -- signpost:<id>, weakest:<bloc>, ach:leaders, alert:<key>
            value VARCHAR,
            as_of DATE,
            updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
        )""")
    con.execute("""
        CREATE TABLE notifications (
            change_key VARCHAR NOT NULL,
            channel VARCHAR NOT NULL,
            subject VARCHAR NOT NULL,
            payload JSON NOT NULL,
            status VARCHAR NOT NULL,        -- pending, sent
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error VARCHAR,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
            sent_at TIMESTAMP,
            PRIMARY KEY (change_key, channel)
        )""")
    # `--keep watched`: events not stored because they involve no watched actor, counted per file, day, reporting
    # day and root flag, so that volume-normalised series equal those of a full store (docs/monitor.md).
    con.execute(f"CREATE TABLE event_totals {DAY_COUNTS}")
    con.execute("ALTER TABLE provenance ADD COLUMN rows_kept_out BIGINT NOT NULL DEFAULT 0")


@migration(9, "actor countries on events; stored events counted per day")
def _event_days(con: duckdb.DuckDBPyConnection) -> None:
    """`country1`/`country2`: each actor's country as indicators read it, computed once at ingest; `event_days`:
    the stored media events counted per file, event day, reporting day and root flag, kept by every ingest in the
    file's own transaction, so that volume-normalised series never count the whole events table (docs/dyads.md)."""
    from weaklink.indicators.dyads import COUNTRY_SQL
    from weaklink.ingest.eventdays import COLUMNS, event_days_sql

    for name, sql in COUNTRY_SQL.items():
        con.execute(f"ALTER TABLE events ADD COLUMN {name} VARCHAR")
    con.execute(f"UPDATE events SET {', '.join(f'{name} = {sql}' for name, sql in COUNTRY_SQL.items())}")
    con.execute(f"CREATE TABLE event_days {DAY_COUNTS}")
    con.execute(f"INSERT INTO event_days ({COLUMNS}) {event_days_sql('events')}")


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    con.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name VARCHAR, applied_at TIMESTAMP DEFAULT current_timestamp)""")
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration newer than the store's version, each in its own transaction."""
    version = current_version(con)
    for number, name, func in sorted(MIGRATIONS, key=lambda m: m[0]):
        if number <= version:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            func(con)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, name])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        version = number
    return version


SCHEMA_VERSION = max(m[0] for m in MIGRATIONS)
