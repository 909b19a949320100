"""Set-up commands: `init` writes an editable watch file and creates a store; `demo` fills one."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.table import Table

from weaklink.errors import InvalidArgument, SourceFileError
from weaklink.fileio import atomic_write_text
from weaklink.store import open_store
from weaklink.watch import bundled_text

DEMO_FOLDER = "demo"
UNGDC_EXTRACT = "ungdc-watched-2000-2024.tgz"


def init_project(directory: Path, store: str | None = None, force: bool = False) -> tuple[Path, str]:
    """Write DIRECTORY/watch.toml (the bundled default) and create the store."""
    directory.mkdir(parents=True, exist_ok=True)
    watch = directory / "watch.toml"
    if watch.exists() and not force:
        raise InvalidArgument(f"{watch} exists; pass --force to overwrite it")
    atomic_write_text(watch, bundled_text())
    url = store or str(directory / "weaklink.duckdb")
    opened = open_store(url)
    opened.close()
    return watch, opened.path


def demo_files() -> list[Path]:
    folder = resources.files("weaklink.data").joinpath(DEMO_FOLDER)
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".zip"))


def demo_speeches() -> Path:
    """The bundled UN General Debate extract: the watched states' speeches (scripts/build_ungdc_extract.py)."""
    return Path(str(resources.files("weaklink.data").joinpath(DEMO_FOLDER).joinpath(UNGDC_EXTRACT)))


def run_demo(wl, progress=None) -> dict:
    """Ingest the bundled data (a no-op when already ingested) and describe the store."""
    summary = wl.ingest_gdelt(demo_files(), progress=progress)
    summary.files += wl.ingest_timeline(progress=progress).files
    summary.files += wl.ingest_unsc(progress=progress).files
    speeches = wl.ingest_ungdc(demo_speeches(), progress=progress)
    if not speeches.ok:
        raise SourceFileError(f"the bundled speeches could not be ingested: {speeches.files[-1].message}")
    overview = wl.overview()
    overview["ingest"] = summary.to_dict()["totals"]
    overview["speeches"] = speech_counts(wl)
    overview["dyads"] = watched_dyad_counts(wl)
    overview["exchanges"] = exchange_totals(wl)
    return overview


def speech_counts(wl) -> list[dict]:
    """UN General Debate speeches stored per issuer, with the first and last year."""
    rows = wl.store.con.execute("""SELECT issuers[1], count(*), min(year(date)), max(year(date)) FROM documents
                                   WHERE kind = 'unga_speech' GROUP BY 1 ORDER BY 1""").fetchall()
    return [{"issuer": i, "speeches": n, "first": first, "last": last} for i, n, first, last in rows]


def exchange_totals(wl) -> list[dict]:
    """Curated high-level exchanges per axis dyad and year, from the exchanges indicator."""
    table = wl.exchanges(freq="year").to_pyarrow().to_pylist()
    return [{"year": row["period"].year, "dyad": row["dyad"], "exchanges": row["exchanges"]} for row in table]


def watched_dyad_counts(wl) -> list[dict]:
    """Events per watched dyad over the whole store, from the dyad series."""
    rows = []
    for a, b in wl.watch.dyads.watch:
        table = wl.dyads(a, b, freq="year").to_pyarrow()
        events = sum(table["events"].to_pylist())
        if events:
            rows.append({"dyad": f"{a}-{b}", "events": events,
                         "goldstein_mean": _weighted_mean(table)})
    return sorted(rows, key=lambda r: -r["events"])


def _weighted_mean(table) -> float | None:
    total = sum(table["events"].to_pylist())
    return round(sum(table["goldstein_sum"].to_pylist()) / total, 2) if total else None


def print_overview(overview: dict, console: Console) -> None:
    console.print(f"[bold]weaklink store[/] {overview['store']}")
    totals = overview["ingest"]
    console.print(f"this run: {totals['ingested']} file(s) ingested, {totals['skipped']} already present; "
                  f"{totals['stored']:,} events stored, {totals['rejected']:,} lines rejected")
    table = Table(title="Events by dataset", header_style="bold")
    for name in ("dataset", "events", "first", "last"):
        table.add_column(name)
    for row in overview["datasets"]:
        table.add_row(row["dataset"], f"{row['events']:,}", row["first"], row["last"])
    console.print(table)
    dyads = Table(title="Watched dyads (all periods)", header_style="bold")
    for name in ("dyad", "events", "goldstein_mean"):
        dyads.add_column(name, justify="left" if name == "dyad" else "right")
    for row in overview["dyads"]:
        dyads.add_row(row["dyad"], f"{row['events']:,}", f"{row['goldstein_mean']:+.2f}")
    console.print(dyads)
    _print_exchanges(overview["exchanges"], console)
    speeches = ", ".join(f"{r['issuer']} {r['speeches']} ({r['first']}-{r['last']})" for r in overview["speeches"])
    console.print(f"UN General Debate speeches: {speeches or 'none'} (`weaklink text docs --issuer PRK`)")
    for body in overview["decisions"]:
        console.print(f"{body['body'].upper()}: {body['decisions']:,} decisions, {body['votes']:,} member votes")
    console.print(f"{overview['files']} file(s) ingested in all, {overview['rejected_lines']} rejected line(s). "
                  "Next: `weaklink dyads CHN PRK --freq month`, `weaklink exchanges --freq year`, "
                  "`weaklink votes splits CHN RUS --body unsc`.")


def _print_exchanges(rows: list[dict], console: Console) -> None:
    dyads = sorted({r["dyad"] for r in rows})
    table = Table(title="Curated high-level exchanges per year (summits, meetings, visits, calls)",
                  header_style="bold")
    table.add_column("year")
    for dyad in dyads:
        table.add_column(dyad, justify="right")
    for year in sorted({r["year"] for r in rows}):
        counts = {r["dyad"]: r["exchanges"] for r in rows if r["year"] == year}
        table.add_row(str(year), *(str(counts.get(d, 0)) for d in dyads))
    console.print(table)
