"""CAMEO event codes with their root code, quad class and Goldstein weight.

The table (``cameo_events.csv``) is written from the CAMEO codebook (Schrodt 2012, v1.1b3)
and the Goldstein (1992) weights as GDELT assigns them; see docs/reference-data.md.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

import pyarrow as pa

from weaklink.errors import InvalidArgument

QUAD_CLASSES = {1: "verbal_coop", 2: "material_coop", 3: "verbal_conflict", 4: "material_conflict"}

_CSV = "cameo_events.csv"


@dataclass(frozen=True)
class EventCode:
    """One CAMEO event code (two, three or four digits, kept as a string: ``"042"``)."""

    code: str
    label: str
    root_code: str
    quad_class: int
    goldstein: float


def quad_class_of_root(root_code: str) -> int:
    """The GDELT quad class of a two-digit CAMEO root code (``"01"`` .. ``"20"``).

    GDELT's rule, as found on every row of its event files: 01-05 verbal cooperation,
    06-09 material cooperation (09 Investigate included), 10-14 verbal conflict (14 Protest
    included), 15-20 material conflict.
    """
    text = str(root_code).strip()
    if not text.isdigit() or not 1 <= int(text) <= 20:
        raise InvalidArgument(f"{root_code!r} is not a CAMEO root code; expected '01' to '20'.")
    root = int(text)
    if root <= 5:
        return 1
    if root <= 9:
        return 2
    if root <= 14:
        return 3
    return 4


def _read_csv_text() -> str:
    return resources.files("weaklink.reference").joinpath(_CSV).read_text(encoding="utf-8")


def _row_to_code(row: dict[str, str]) -> EventCode:
    return EventCode(
        code=row["code"],
        label=row["label"],
        root_code=row["root_code"],
        quad_class=int(row["quad_class"]),
        goldstein=float(row["goldstein"]),
    )


@functools.cache
def load_event_codes() -> dict[str, EventCode]:
    """All CAMEO event codes GDELT uses, keyed by code string (``"010"``, ``"0211"``, ``"19"``)."""
    rows = csv.DictReader(io.StringIO(_read_csv_text()))
    return {row["code"]: _row_to_code(row) for row in rows}


def event_codes_arrow() -> pa.Table:
    """The event-code table as Arrow, for loading into the store."""
    codes = list(load_event_codes().values())
    return pa.table(
        {
            "code": pa.array([c.code for c in codes], pa.string()),
            "label": pa.array([c.label for c in codes], pa.string()),
            "root_code": pa.array([c.root_code for c in codes], pa.string()),
            "quad_class": pa.array([c.quad_class for c in codes], pa.int8()),
            "goldstein": pa.array([c.goldstein for c in codes], pa.float64()),
        }
    )
