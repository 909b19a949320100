"""Build the small UN General Debate Corpus extract that `weaklink demo` ingests.

Source: the published archive ../shared/data/ungdc/UNGDC_1946-2024.tgz (UNGDC, Jankin, Baturo & Dasandi,
Harvard Dataverse doi:10.7910/DVN/0TJX8Y, CC0; see PROVENANCE.md section 6). Kept, unchanged byte for byte:
the speeches of the six watched states of the bundled watch file (CHN, PRK, RUS, KOR, USA, JPN) from
FIRST_YEAR to 2024, under the same member paths as the archive, plus their rows of the speakers file as a
small CSV (`ungdc/Speakers_by_session.csv`, same header). The corpus README is left out (weaklink would
count it as a rejected file); the attribution is src/weaklink/data/demo/ungdc-README.md. Written as a `.tgz`
with fixed member times, so `weaklink ingest ungdc` reads it the way it reads the published archive.

    python scripts/build_ungdc_extract.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import sys
import tarfile
from pathlib import Path

import openpyxl

from weaklink.fileio import atomic_path

WATCHED = {"CHN", "PRK", "RUS", "KOR", "USA", "JPN"}
FIRST_YEAR = 2000
SPEECH = re.compile(r"/Session \d+ - (\d{4})/([A-Z]{2,3})_\d+_\d{4}\.txt$")
OUT = Path(__file__).resolve().parents[1] / "src/weaklink/data/demo/ungdc-watched-2000-2024.tgz"
MTIME = 1_733_011_200  # 2024-12-01, fixed so that the extract is the same bytes on every build


def kept(name: str) -> bool:
    match = SPEECH.search(name)
    return bool(match) and match.group(2) in WATCHED and int(match.group(1)) >= FIRST_YEAR


def speakers_csv(data: bytes) -> bytes:
    rows = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True)
    header = [c for c in next(rows) if c is not None]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        if row[2] in WATCHED and isinstance(row[0], int) and row[0] >= FIRST_YEAR:
            writer.writerow(["" if v is None else v for v in row[: len(header)]])
    return text.getvalue().encode("utf-8")


def add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), MTIME, 0o644
    archive.addfile(info, io.BytesIO(data))


def main(shared: Path) -> None:
    speeches, extra = [], {}
    with tarfile.open(shared / "ungdc/UNGDC_1946-2024.tgz", mode="r|gz") as source:
        for info in source:
            if not info.isfile():
                continue
            if kept(info.name):
                speeches.append((info.name, source.extractfile(info).read()))
            elif info.name.endswith("Speakers_by_session.xlsx"):
                extra[info.name.rsplit("/", 1)[-1]] = source.extractfile(info).read()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(OUT) as temp, temp.open("wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=MTIME) as packed, \
            tarfile.open(fileobj=packed, mode="w", format=tarfile.PAX_FORMAT) as archive:
        add(archive, "ungdc/Speakers_by_session.csv", speakers_csv(extra["Speakers_by_session.xlsx"]))
        for name, data in sorted(speeches):
            add(archive, name, data)
    print(f"{OUT}: {len(speeches)} speeches, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data")
