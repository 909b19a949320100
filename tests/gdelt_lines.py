"""Build GDELT export lines field by field, for tests whose right answer is known by construction."""

from __future__ import annotations

from pathlib import Path

V2 = {"id": 0, "sqldate": 1, "a1code": 5, "a1country": 7, "a2code": 15, "a2country": 17, "is_root": 25,
      "code": 26, "base": 27, "root": 28, "quad": 29, "goldstein": 30, "mentions": 31, "sources": 32,
      "articles": 33, "tone": 34, "action_lat": 56, "dateadded": 59, "url": 60}
V1 = {**{k: v for k, v in V2.items() if v < 35}, "action_lat": 53, "dateadded": 56, "url": 57}


def gdelt_line(record_id: int, *, version: int = 2, width: int | None = None, sqldate: str = "20240115",
               a1code: str = "CHN", a1country: str = "CHN", a2code: str = "PRK", a2country: str = "PRK",
               code: str = "042", quad: int = 1, goldstein: float = 1.9, mentions: int = 4,
               is_root: int = 1, **overrides: str) -> str:
    """One tab-separated line (no newline) of a GDELT 2.0 (61 fields) or 1.0 (58 or 57) export."""
    layout = V2 if version == 2 else V1
    width = width or (61 if version == 2 else 58)
    fields = [""] * width
    values = {"id": record_id, "sqldate": sqldate, "a1code": a1code, "a1country": a1country,
              "a2code": a2code, "a2country": a2country, "is_root": is_root, "code": code,
              "base": code[:3], "root": code[:2], "quad": quad, "goldstein": goldstein,
              "mentions": mentions, "sources": 1, "articles": mentions, "tone": "-1.5",
              "action_lat": "39.03", "dateadded": "20240115120000" if version == 2 else "20240115",
              "url": f"https://example.org/{record_id}"}
    values.update(overrides)
    for name, value in values.items():
        if layout[name] < width:
            fields[layout[name]] = str(value)
    return "\t".join(fields)


def write_lines(path: Path, lines: list[str], newline_at_end: bool = True) -> Path:
    path.write_text("\n".join(lines) + ("\n" if newline_at_end else ""), encoding="utf-8")
    return path


def write_hostile_inputs(folder: Path, urls: list[str], rows: int, description: str, source: str) -> tuple[Path, Path]:
    """A GDELT export whose file name carries markup and whose source URLs cycle through `urls` (`rows` events in
    June 2025, heavily reported), and a curated timeline with one leader visit whose description and source are
    hostile: the inputs of the escaping tests (test_hostile_output.py, test_web_browser.py)."""
    import csv

    from weaklink.sources.timeline import COLUMNS

    lines = [gdelt_line(900_000 + i, sqldate=f"202506{1 + i % 28:02d}", dateadded=f"202506{1 + i % 28:02d}120000",
                        mentions=5_000 + i, url=urls[i % len(urls)]) for i in range(rows)]
    export = write_lines(folder / "e<svg onload=alert(1)>.export.CSV", lines)
    timeline = folder / "hostile.csv"
    with timeline.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow({"id": "2025-06-02-hostile", "date": "2025-06-02", "end_date": "", "kind": "visit",
                         "actors": "CHN;PRK;RUS", "level": "leader", "cameo_code": "042", "quad_class": "1",
                         "description": description, "sources": source, "confidence": "high"})
    return export, timeline
