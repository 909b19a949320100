"""CAMEO event codes and the PLOVER event types, modes and contexts they convert to.

The table (``cameo_plover.csv``) is written from the Open Event Data Alliance's published conversion table
``CAMEO2PLOVER-2021.txt`` (PLOVER manual draft 0.8, 17 September 2021, edited by Philip Schrodt; CC BY-SA 4.0,
https://github.com/openeventdata/PLOVER): one row per line ``code: EVENT, mode, context``, comments dropped,
contexts joined by ``;``, exact repeats kept once. tests/test_datasets.py checks it against that file.

PLOVER events are put on GDELT's CAMEO quad classes through it: a PLOVER (event, mode) takes the quad class of
the CAMEO codes that convert to it when they all share one; else the event alone does when all of its codes
share one. What is left (ACCUSE without a mode: it comes from both 09 Investigate and 11 Disapprove; event
types the table does not name, such as the older DEMAND or FIGHT) has no quad class: kept, and counted.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

from weaklink.reference.cameo import quad_class_of_root

_CSV = "cameo_plover.csv"


@dataclass(frozen=True)
class PloverRow:
    cameo_code: str
    event: str
    mode: str
    context: str


@functools.cache
def load_table() -> tuple[PloverRow, ...]:
    text = resources.files("weaklink.reference").joinpath(_CSV).read_text(encoding="utf-8")
    return tuple(PloverRow(r["cameo_code"], r["plover_event"], r["plover_mode"], r["plover_context"])
                 for r in csv.DictReader(io.StringIO(text)))


def _single(quads: set[int]) -> int | None:
    return next(iter(quads)) if len(quads) == 1 else None


@functools.cache
def quad_classes() -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """(event, mode) -> quad class and event -> quad class, where the CAMEO codes behind them agree."""
    by_pair: dict[tuple[str, str], set[int]] = {}
    by_event: dict[str, set[int]] = {}
    for row in load_table():
        quad = quad_class_of_root(row.cameo_code[:2])
        by_pair.setdefault((row.event, row.mode), set()).add(quad)
        by_event.setdefault(row.event, set()).add(quad)
    pairs = {k: q for k, v in by_pair.items() if (q := _single(v)) is not None and k[1]}
    events = {k: q for k, v in by_event.items() if (q := _single(v)) is not None}
    return pairs, events


def quad_class(event: str | None, mode: str | None = None) -> int | None:
    """The CAMEO quad class of a PLOVER event (and mode), or None when the table does not settle it."""
    pairs, events = quad_classes()
    key = (event or "").strip().upper()
    return pairs.get((key, (mode or "").strip().lower())) or events.get(key)


def quad_sql(event: str, mode: str) -> str:
    """SQL for the quad class of the PLOVER event and mode given as SQL expressions (NULL when unsettled)."""
    pairs, events = quad_classes()
    e, m = f"upper(trim({event}))", f"lower(trim({mode}))"
    when = [f"WHEN {e} = '{ev}' AND {m} = '{mo}' THEN {q}" for (ev, mo), q in sorted(pairs.items())]
    when += [f"WHEN {e} = '{ev}' THEN {q}" for ev, q in sorted(events.items())]
    return "CAST(CASE " + " ".join(when) + " END AS TINYINT)"


def events() -> tuple[str, ...]:
    """The PLOVER event types the table names."""
    return tuple(sorted({row.event for row in load_table()}))
