"""Terminal progress bar and summary for ingest runs (rich)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from weaklink.ingest import IngestSummary
from weaklink.tables import safe_text as escape


class RichProgress:
    """A bar over the bytes of all files, with the current file's name."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.bar: Progress | None = None

    def start(self, files: list[Path]) -> None:
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                            TimeElapsedColumn(), console=self.console, transient=True,
                            disable=not self.console.is_terminal)
        self.bar.start()
        self.task = self.bar.add_task("ingest", total=sum(p.stat().st_size for p in files))

    def file_started(self, path: Path) -> None:
        self.bar.update(self.task, description=f"ingest {escape(path.name)}")

    def file_done(self, path: Path, result) -> None:
        self.bar.advance(self.task, path.stat().st_size)
        if result.status == "error":
            self.console.print(f"[red]error[/] {escape(result.message or '')}", highlight=False)

    def finish(self, summary) -> None:
        self.bar.stop()


def print_summary(summary: IngestSummary, console: Console) -> None:
    t = summary.totals
    dating = [name for name in ("late", "repaired") if getattr(t, name)]  # shown when any file has some
    table = Table(title="Ingest summary", header_style="bold")
    for name in ("file", "status", "read", "stored", "rejected", "duplicate", *dating, "seconds"):
        table.add_column(name, justify="left" if name in ("file", "status") else "right")
    shown = summary.files if len(summary.files) <= 25 else [f for f in summary.files if f.status != "skipped"][:25]
    for f in shown:
        table.add_row(escape(Path(f.path).name), f.status, f"{f.read:,}", f"{f.stored:,}", f"{f.rejected:,}",
                      f"{f.duplicate:,}", *(f"{getattr(f, name):,}" for name in dating), f"{f.seconds:.2f}")
    table.add_row("[bold]total", f"{t.ingested} ingested, {t.skipped} skipped, {t.errors} errors",
                  f"{t.read:,}", f"{t.stored:,}", f"{t.rejected:,}", f"{t.duplicate:,}",
                  *(f"{getattr(t, name):,}" for name in dating), f"{sum(f.seconds for f in summary.files):.2f}")
    console.print(table)
    _dating_notes(t, console)
    for f in summary.files:
        if f.status == "error":
            console.print(f"[red]error[/] {escape(f.message or f.path)}", highlight=False)
    if t.rejected:
        console.print("rejected lines: `weaklink rejects` lists them with file, line and reason.")


def _dating_notes(totals, console: Console) -> None:
    if totals.late:
        console.print(f"late: {totals.late:,} stored event(s) dated more than max_lag_days before they were reported "
                      "are kept but left out of indicators (watch file [events]; --include-late counts them).")
    if totals.repaired:
        console.print(f"repaired: {totals.repaired:,} event date(s) under GDELT's dating error of New Year 2020 were "
                      "moved forward a century; the original is kept in event_date_original (docs/ingest.md).")
