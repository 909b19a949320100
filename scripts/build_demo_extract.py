"""Build the small GDELT extract that `weaklink demo` ingests.

Source: the real GDELT 2.0 event exports in ../shared/data/gdelt-v2-events (see its PROVENANCE.md).
Kept: every line, unchanged, whose two actors both belong to the watched states of the bundled
watch file (CHN, PRK, RUS, KOR, USA, JPN) with at least one axis member, judged by the actor's
country code or, when empty, its actor code's first three letters. Written as a GDELT-style
`.CSV.zip` so the demo exercises the real ingest path. GDELT data: cite the GDELT Project.

    python scripts/build_demo_extract.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

WATCHED = {"CHN", "PRK", "RUS", "KOR", "USA", "JPN"}
AXIS = {"CHN", "PRK", "RUS"}
OUT = Path(__file__).resolve().parents[1] / "src/weaklink/data/demo/gdelt-axis-sample.export.CSV.zip"


def country(fields: list[str], code: int, country_field: int) -> str:
    return fields[country_field] or fields[code][:3]


def keep(line: str) -> bool:
    fields = line.rstrip("\n").split("\t")
    pair = {country(fields, 5, 7), country(fields, 15, 17)}
    return len(fields) == 61 and pair <= WATCHED and bool(pair & AXIS) and len(pair) == 2


def main(shared: Path) -> None:
    lines = []
    for path in sorted((shared / "gdelt-v2-events").rglob("*.export.CSV")):
        with path.open(encoding="utf-8") as handle:
            lines.extend(line for line in handle if keep(line))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    info = zipfile.ZipInfo("gdelt-axis-sample.export.CSV", date_time=(2025, 2, 12, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(OUT, "w") as archive:
        archive.writestr(info, "".join(lines))
    print(f"wrote {len(lines)} lines to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data")
