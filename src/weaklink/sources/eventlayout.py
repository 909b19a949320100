"""What an event file layout says: how to read it, which events columns its fields fill, why a line is refused.

ICEWS, Phoenix and POLECAT files (sources/icews.py, phoenix.py, polecat.py) are each described by one `Layout`;
ingest/events.py reads any of them the same way. The SQL runs over the raw text fields `c00`, `c01`, ... and
the lookups the ingest joins in: `k_<field>` (the country a field names, `k_<field>.cameo`) and `cameo` (the
CAMEO reference row of the line's event code: `root_code`, `quad_class`, `goldstein`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Layout:
    dataset: str                     # events.dataset: icews, phoenix, polecat
    fmt: str                         # provenance.format
    what: str                        # "an ICEWS event file", for messages
    width: int                       # fields per line
    expected: str                    # what a line looks like, for messages
    header: tuple[str, ...] = ()     # the header line's names (empty: no header); alternatives joined by "|"
    delim: str = "\t"
    quote: str = ""
    nullstr: tuple[str, ...] = ("",)
    countries: tuple[int, ...] = ()  # fields naming a country (name or code), resolved to its CAMEO code
    reported: tuple[int, ...] = ()   # of those, the actor fields whose unresolved names the summary lists
    code: str | None = None          # SQL for the line's CAMEO event code, joined to the CAMEO reference
    columns: dict[str, str] = field(default_factory=dict)   # events column -> SQL
    checks: tuple[tuple[str, str], ...] = ()                # (SQL true when bad, SQL reason)

    def raw(self, index: int) -> str:
        return f"c{index:02d}"

    @property
    def names(self) -> list[str]:
        return [self.raw(i) for i in range(self.width)]


def shown(sql: str) -> str:
    """SQL quoting a raw value for a reason, cut to 40 characters."""
    return (f"'''' || CASE WHEN length({sql}) > 40 THEN left({sql}, 40) || '\u2026' ELSE coalesce({sql}, '') END "
            "|| ''''")


DECIMAL = r"-?[0-9]+(\.[0-9]+)?"


def number_check(raw: str, label: str, low: float, high: float) -> tuple[str, str]:
    """A check refusing a given value that is not a plain decimal within [low, high]."""
    bad = (f"{raw} IS NOT NULL AND NOT coalesce(regexp_full_match({raw}, '{DECIMAL}') "
           f"AND TRY_CAST({raw} AS DOUBLE) BETWEEN {low} AND {high}, false)")
    return bad, f"'{label} is not a number from {low:g} to {high:g}: ' || {shown(raw)}"


def required(raw: str, label: str) -> tuple[str, str]:
    return f"{raw} IS NULL OR trim({raw}) = ''", f"'{label} is empty'"


def date_check(raw: str, label: str, pattern: str, shape: str) -> tuple[str, str]:
    return (f"try_strptime({raw}, '{pattern}') IS NULL",
            f"'{label} is not a date ({shape}): ' || {shown(raw)}")


def date_of(raw: str, pattern: str) -> str:
    return f"CAST(try_strptime({raw}, '{pattern}') AS DATE)"


def cameo_code_check(code: str, label: str) -> tuple[str, str]:
    """Refuse an event code that is not 2 to 4 digits with a root from 01 to 20."""
    return (f"NOT coalesce(regexp_full_match({code}, '[0-9]{{2,4}}') AND left({code}, 2) BETWEEN '01' AND '20', false)",
            f"'{label} is not a CAMEO event code (2 to 4 digits, root 01 to 20): ' || {shown(code)}")


def cameo_columns(code: str, goldstein: str | None) -> dict[str, str]:
    """Event code, base and root codes, quad class (from the root, GDELT's rule) and Goldstein (the file's
    value, else the CAMEO reference's) for a line whose event code is `code`."""
    root = f"left({code}, 2)"
    quad = (f"CASE WHEN {root} <= '05' THEN 1 WHEN {root} <= '09' THEN 2 WHEN {root} <= '14' THEN 3 "
            "ELSE 4 END")
    given = f"TRY_CAST({goldstein} AS DOUBLE)" if goldstein else "NULL"
    return {"event_code": code, "event_base_code": f"left({code}, 3)", "event_root_code": root,
            "quad_class": f"CAST({quad} AS TINYINT)", "goldstein": f"coalesce({given}, cameo.goldstein)"}


def text(raw: str) -> str:
    return f"nullif(trim({raw}), '')"


def country(index: int) -> str:
    return f"k_c{index:02d}.cameo"
