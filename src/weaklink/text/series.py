"""Queries over the statistics tables: directed rhetoric series, framing-term trends, keyword in context.

Aggregation is SQL in DuckDB over `doc_text_stats`, `doc_actor_stats` and `doc_term_stats` (migration 6);
Python only lays the periods on a grid and words the reasons for missing values.
"""

from __future__ import annotations

import re
from datetime import date

import pyarrow as pa

from weaklink.indicators.exchanges import period_grid
from weaklink.store import Store

MEASURES = ("warmth", "mentions")
TRUNC = {"month": "month", "quarter": "quarter", "year": "year"}
SERIES_SQL = """
WITH docs AS (
    SELECT d.doc_id, CAST(date_trunc('{freq}', d.date) AS DATE) AS period, s.words, d.predecessor
    FROM documents AS d JOIN doc_text_stats AS s USING (doc_id)
    WHERE list_contains(d.issuers, $issuer) AND ($kind IS NULL OR d.kind = $kind)
      AND ($since IS NULL OR d.date >= $since) AND ($until IS NULL OR d.date <= $until))
SELECT docs.period, count(*) AS documents, count(a.doc_id) AS documents_naming, sum(docs.words) AS words,
       coalesce(sum(a.mentions), 0) AS mentions, coalesce(sum(a.sentences_naming), 0) AS sentences_naming,
       coalesce(sum(a.sentences_warm), 0) AS sentences_warm,
       coalesce(sum(a.sentences_hostile), 0) AS sentences_hostile,
       string_agg(DISTINCT docs.predecessor, '; ' ORDER BY docs.predecessor) AS given_by
FROM docs LEFT JOIN doc_actor_stats AS a ON a.doc_id = docs.doc_id AND a.actor = $target
GROUP BY docs.period ORDER BY docs.period"""
COUNTS = ("documents", "documents_naming", "words", "mentions", "sentences_naming", "sentences_warm",
          "sentences_hostile")


def rhetoric_series(store: Store, issuer: str, target: str, measure: str, freq: str, since: date | None,
                    until: date | None, kind: str | None) -> pa.Table:
    """Per period from `since` (or the issuer's first document) to `until` (or its last): the value, its
    counts, the reason when the value is null, and `given_by`: the former state whose speeches are filed
    under the issuer in that period (the USSR as RUS, the Republic of China as CHN before 1971), else null."""
    rows = store.con.execute(SERIES_SQL.format(freq=TRUNC[freq]), {
        "issuer": issuer, "target": target, "kind": kind, "since": since, "until": until}).fetchall()
    found = {row[0]: dict(zip((*COUNTS, "given_by"), row[1:])) for row in rows}
    if not found and not (since and until):
        return _series_table([])
    grid = period_grid(since or min(found), until or max(found), freq)
    out = []
    for period in grid:
        counts = found.get(period, {**dict.fromkeys(COUNTS, 0), "given_by": None})
        value, reason = _value(measure, counts, issuer, target)
        out.append({"period": period, "value": value, **counts, "reason": reason})
    return _series_table(out)


def _value(measure: str, c: dict, issuer: str, target: str) -> tuple[float | None, str | None]:
    if not c["documents"]:
        return None, f"no document by {issuer} in the period"
    if not c["mentions"]:
        return None, f"{issuer}'s {c['documents']} document(s) never name {target}"
    if measure == "mentions":
        return (round(c["mentions"] * 10_000 / c["words"], 3), None) if c["words"] else (None, "no words")
    toned = c["sentences_warm"] + c["sentences_hostile"]
    if not toned:
        return None, f"{issuer} names {target} only in sentences neither warm nor hostile"
    return round((c["sentences_warm"] - c["sentences_hostile"]) / toned, 4), None


def _series_table(rows: list[dict]) -> pa.Table:
    fields = [("period", pa.date32()), ("value", pa.float64()), *((c, pa.int64()) for c in COUNTS),
              ("reason", pa.string()), ("given_by", pa.string())]
    schema = pa.schema(fields)
    return pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()


TERMS_SQL = """
WITH docs AS (
    SELECT d.doc_id, CAST(date_trunc('{freq}', d.date) AS DATE) AS period
    FROM documents AS d JOIN doc_text_stats USING (doc_id)
    WHERE ($issuer IS NULL OR list_contains(d.issuers, $issuer))
      AND ($since IS NULL OR d.date >= $since) AND ($until IS NULL OR d.date <= $until)),
per AS (SELECT period, count(*) AS documents FROM docs GROUP BY period)
SELECT docs.period, t.term, CAST(sum(t.count) AS BIGINT) AS count, count(*) AS documents_using, per.documents
FROM docs JOIN doc_term_stats AS t USING (doc_id) JOIN per USING (period)
GROUP BY docs.period, t.term, per.documents ORDER BY docs.period, t.term"""


def term_trends(store: Store, issuer: str | None, freq: str, since: date | None, until: date | None) -> pa.Table:
    """Per period and framing term used: occurrences, documents using it, documents in the period."""
    table = store.con.sql(TERMS_SQL.format(freq=TRUNC[freq]),
                          params={"issuer": issuer, "since": since, "until": until}).to_arrow_table()
    return table if table.num_rows else pa.table({"period": pa.array([], pa.date32())})


KWIC_SQL = """
SELECT doc_id, date, issuers, title, text FROM documents
WHERE strpos(lower(text), lower($needle)) > 0 AND ($issuer IS NULL OR list_contains(issuers, $issuer))
  AND ($since IS NULL OR date >= $since) AND ($until IS NULL OR date <= $until)
ORDER BY date, doc_id"""


def phrase_pattern(phrase: str, stem: bool = False) -> re.Pattern:
    """The phrase's words as whole words, case-insensitive, with any spaces or punctuation between them (as the
    search index reads "social-imperialism" and "social imperialism" alike); `stem`: the last word may take
    further letters (as a stemmed search matches "architectures" for "architecture")."""
    words = [re.escape(w) for w in re.findall(r"\w+", phrase)] or [re.escape(phrase.strip())]
    tail = r"\w*" if stem else ""
    return re.compile(r"(?<!\w)" + r"\W+".join(words) + tail + r"(?!\w)", re.IGNORECASE)


def context_lines(text: str, pattern: re.Pattern, width: int, limit: int | None = None) -> list[dict]:
    """Each match with `width` characters either side, whitespace collapsed to single spaces."""
    lines = []
    for match in pattern.finditer(text):
        left = " ".join(text[max(0, match.start() - width * 2):match.start()].split())[-width:]
        right = " ".join(text[match.end():match.end() + width * 2].split())[:width]
        lines.append({"offset": match.start(), "left": left, "match": " ".join(match.group().split()),
                      "right": right})
        if limit is not None and len(lines) >= limit:
            break
    return lines


def kwic(store: Store, phrase: str, issuer: str | None, since: date | None, until: date | None, width: int,
         limit: int) -> pa.Table:
    """Every occurrence of `phrase` (whole words, case-insensitive, any punctuation between its words) with
    its context, oldest first."""
    pattern, rows = phrase_pattern(phrase), []
    needle = max(re.findall(r"\w+", phrase) or [phrase.strip()], key=len)
    cursor = store.con.execute(KWIC_SQL, {"needle": needle, "issuer": issuer, "since": since, "until": until})
    while len(rows) < limit and (batch := cursor.fetchmany(200)):
        for doc_id, day, issuers, title, text in batch:
            for line in context_lines(text, pattern, width, limit - len(rows)):
                rows.append({"doc_id": doc_id, "date": day, "issuers": ",".join(issuers), "title": title, **line})
            if len(rows) >= limit:
                break
    schema = pa.schema([("doc_id", pa.int64()), ("date", pa.date32()), ("issuers", pa.string()),
                        ("title", pa.string()), ("offset", pa.int64()), ("left", pa.string()),
                        ("match", pa.string()), ("right", pa.string())])
    return pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()
