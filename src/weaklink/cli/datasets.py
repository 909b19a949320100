"""CLI commands for the event datasets beside GDELT (docs/datasets.md): `ingest icews|polecat|phoenix` (added to
the `ingest` group in cli/main.py) and `compare-sources`."""

from __future__ import annotations

import click

from weaklink.cli.common import (
    JSON_FLAG,
    SINCE,
    UNTIL,
    console,
    emit,
    escape,
    handle_errors,
    open_api,
    out,
    report_ingest,
    to_json,
)

FORCE = click.option("--force", is_flag=True,
                     help="Read files again even when already ingested (same sha256); stored rows count as duplicates.")
DATASET = click.option("--dataset", default=None, metavar="NAME[,NAME]",
                       help="Event dataset(s) to read: gdelt, icews, phoenix, polecat, or several joined by commas "
                            "(default: gdelt; for cohesion and weakest, the watch file's [cohesion] datasets).")


def _progress(as_json: bool):
    if as_json:
        return None
    from weaklink.cli.progress import RichProgress

    return RichProgress(console)


def _ingest_command(name: str, doc: str):
    @click.command(name, help=doc)
    @click.argument("paths", nargs=-1, required=True)
    @JSON_FLAG
    @FORCE
    @click.pass_context
    @handle_errors
    def command(ctx: click.Context, paths: tuple[str, ...], as_json: bool, force: bool) -> None:
        with open_api(ctx) as wl:
            summary = getattr(wl, f"ingest_{name}")(list(paths), progress=_progress(as_json), force=force)
        report_ingest(summary, as_json)

    return command


INGEST_COMMANDS = [
    _ingest_command("icews", "Ingest ICEWS coded event files (TAB, header; dataset icews): files, folders or globs."),
    _ingest_command("polecat", "Ingest POLECAT weekly event files (PLOVER-coded, TAB, header; dataset polecat)."),
    _ingest_command("phoenix", "Ingest Phoenix event files: the daily TAB files or their R CSV exports "
                               "(dataset phoenix)."),
]


def print_coverage_note(meta: dict, printer) -> None:
    """Under a result: the datasets it rests on and the span each covers (periods outside have no data)."""
    for name in meta.get("datasets", []):
        spans = meta.get("coverage", {}).get(name, [])
        span = f"{spans[0][0]} to {spans[-1][1]} ({len(spans)} span{'s' * (len(spans) != 1)})" if spans else "no data"
        printer.print(f"[dim]{escape(name)}: {span}; outside its spans: no data, not zero[/]", highlight=False)


def _print_comparison(meta: dict, printer) -> None:
    a, b = meta["a"], meta["b"]
    if meta["correlation"] is None:
        printer.print(f"correlation: not enough periods covered by both ({meta['n']})", highlight=False)
    else:
        printer.print(f"correlation of {escape(a)} and {escape(b)} ({meta['measure']}): {meta['correlation']:+.2f} "
                      f"over {meta['n']} periods both cover", highlight=False)
    for shift in meta["shifts"]:
        printer.print(f"shift in {escape(shift['dataset'])} from {shift['period']}: {shift['before']:.2f} → "
                      f"{shift['after']:.2f} ({shift['size']:+.1f} × noise): {escape(shift['found_in'])} "
                      f"({escape(shift['note'])})", highlight=False)
    if meta["disagreements"]:
        printer.print("largest disagreements (change from the period before, standardised): " + "; ".join(
            f"{d['period']} {d['change_difference']:+.2f} (moved more in {escape(d['moved_more_in'])})"
            for d in meta["disagreements"]), highlight=False)
    for name, spans in meta["coverage"].items():
        if not spans:
            printer.print(f"{escape(name)}: the store holds no event of this dataset (no data)", highlight=False)
    printer.print("[dim]a period a dataset holds no event in shows no value: no data, not zero[/]", highlight=False)


@click.command("compare-sources")
@click.argument("first")
@click.argument("second")
@click.option("--dyad", nargs=2, required=True, metavar="A B", help="The two actors (ISO3 codes or names).")
@click.option("--freq", type=click.Choice(["week", "month", "quarter", "year"]), default="month", show_default=True)
@SINCE
@UNTIL
@click.option("--measure", type=click.Choice(["share_per_10k", "events", "goldstein_mean"]), default="share_per_10k",
              show_default=True, help="The series compared (share: the dyad's events per 10,000 of the dataset's).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.pass_context
@handle_errors
def compare_sources(ctx: click.Context, first: str, second: str, dyad: tuple[str, str], freq: str, since, until,
                    measure: str, fmt: str) -> None:
    """The same dyad series from two event datasets side by side: correlation, disagreements, shared shifts.

    FIRST and SECOND are datasets (gdelt, icews, phoenix, polecat), or several joined by commas.
    """
    with open_api(ctx, read_only=True) as wl:
        result = wl.compare_sources(first, second, dyad, freq=freq, since=since, until=until, measure=measure)
    if fmt == "json":
        print(to_json({**result.meta, "rows": result.to_records()}))
        return
    emit(result.to_pyarrow(), fmt, out(), title=f"{dyad[0].upper()} ↔ {dyad[1].upper()} per {freq}: "
                                                f"{result.meta['a']} and {result.meta['b']}")
    if fmt == "table":
        _print_comparison(result.meta, out())


COMMANDS = [compare_sources]
