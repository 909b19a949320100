"""The command line: each command opens the store, calls one API function, renders the result."""

from __future__ import annotations

import atexit
import gc
from pathlib import Path

import click

from weaklink import __version__
from weaklink.cli import analysis as cli_analysis
from weaklink.cli import datasets as cli_datasets
from weaklink.cli import monitor as cli_monitor
from weaklink.cli import serve as cli_serve
from weaklink.cli.common import (
    WAIT_DEFAULT,
    AS_OF,
    FORMAT_OPTION,
    JSON_FLAG,
    SINCE,
    UNTIL,
    actor_list,
    console,
    emit,
    escape,
    handle_errors,
    open_api,
    out,
    report_ingest,
    to_json,
)
from weaklink.store.connection import STORE_ENV

# At exit Python collects garbage over every object Ibis, sqlglot and PyArrow created (~100,000) while it
# tears the modules down: ~0.4 s of each command (benchmarks/startup.py). The command has closed the store and
# written its output by then, so the objects are frozen instead (weakref.finalize and atexit still run).
atexit.register(gc.freeze)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--store", envvar=STORE_ENV, default=None, metavar="URL",
              help=f"Store URL or path (default: ${STORE_ENV} or ./weaklink.duckdb).")
@click.option("--watch", "watch_path", envvar="WEAKLINK_WATCH", default=None, type=click.Path(dir_okay=False),
              metavar="FILE", help="Watch file (default: $WEAKLINK_WATCH or the bundled one).")
@click.option("--wait", type=click.FloatRange(min=0), default=WAIT_DEFAULT, show_default=True, envvar="WEAKLINK_WAIT",
              metavar="SECONDS", help="When another process holds the store, wait this long for it.")
@click.option("--max-lag-days", type=click.IntRange(min=0), default=None, metavar="DAYS",
              help="Leave out of results events dated more than DAYS before they were reported "
                   "(default: the watch file's [events] max_lag_days, 30).")
@click.option("--include-late", is_flag=True, help="Count every stored event, however long before its report it "
                                                   "is dated.")
@click.version_option(__version__, prog_name="weaklink")
@click.pass_context
def main(ctx: click.Context, store: str | None, watch_path: str | None, wait: float, max_lag_days: int | None,
         include_late: bool) -> None:
    """weaklink: monitor an alignment of states from public data."""
    ctx.obj = {"store": store, "watch": watch_path, "wait": wait, "max_lag_days": max_lag_days,
               "include_late": include_late}


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing watch.toml.")
@click.pass_context
@handle_errors
def init(ctx: click.Context, directory: str, force: bool) -> None:
    """Write an editable watch.toml into DIRECTORY and create the store there."""
    from weaklink.project import init_project

    watch, store = init_project(Path(directory), store=ctx.obj["store"], force=force)
    console.print(f"wrote {escape(str(watch))}\ncreated store {escape(str(store))}", highlight=False)


@main.command()
@FORMAT_OPTION
@click.pass_context
@handle_errors
def demo(ctx: click.Context, fmt: str) -> None:
    """Build (or refresh) the store from the data bundled with weaklink and summarise it."""
    from weaklink.project import run_demo

    with open_api(ctx) as wl:
        overview = run_demo(wl, progress=_progress())
    if fmt == "json":
        print(to_json(overview))
    else:
        from weaklink.project import print_overview

        print_overview(overview, out())


@main.group()
def ingest() -> None:
    """Load source files into the store."""


FORCE = click.option("--force", is_flag=True,
                     help="Read files again even when already ingested (same sha256); stored rows count as duplicates.")


@ingest.command("gdelt")
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@FORCE
@click.pass_context
@handle_errors
def ingest_gdelt(ctx: click.Context, paths: tuple[str, ...], as_json: bool, force: bool) -> None:
    """Ingest GDELT 1.0/2.0 event exports: files, folders or globs (.CSV or .CSV.zip)."""
    with open_api(ctx) as wl:
        summary = wl.ingest_gdelt(list(paths), progress=None if as_json else _progress(), force=force)
    report_ingest(summary, as_json)


@ingest.command("timeline")
@click.argument("paths", nargs=-1)
@JSON_FLAG
@FORCE
@click.pass_context
@handle_errors
def ingest_timeline(ctx: click.Context, paths: tuple[str, ...], as_json: bool, force: bool) -> None:
    """Ingest curated timeline CSV files (docs/timeline.md); none given: the bundled timeline."""
    with open_api(ctx) as wl:
        summary = wl.ingest_timeline(list(paths) or None, force=force)
    report_ingest(summary, as_json)


@ingest.command("unvotes")
@click.option("--votes", type=click.Path(exists=True, dir_okay=False), help="Votes: rcid, country, country_code, vote.")
@click.option("--roll-calls", type=click.Path(exists=True, dir_okay=False), help="Roll calls: rcid, session, date, ...")
@click.option("--issues", type=click.Path(exists=True, dir_okay=False), help="Issues: rcid, short_name, issue.")
@JSON_FLAG
@FORCE
@click.pass_context
@handle_errors
def ingest_unvotes(ctx: click.Context, votes, roll_calls, issues, as_json: bool, force: bool) -> None:
    """Ingest UN General Assembly votes in the unvotes / Voeten layout (CSV, plain or .gz).

    Give the three files together (any order of options): roll calls are loaded first, then issues, then
    votes. Votes alone are refused while the store has no roll calls."""
    with open_api(ctx) as wl:
        summary = wl.ingest_unvotes(votes=votes, roll_calls=roll_calls, issues=issues, force=force)
    report_ingest(summary, as_json)


@ingest.command("unsc")
@click.option("--table", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A UNSC decisions table in weaklink's format (default: the bundled DPRK table).")
@click.option("--vetoes", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The World Politics Data Lab veto list (unsc_vetoes_1946_sept2022.csv).")
@JSON_FLAG
@FORCE
@click.pass_context
@handle_errors
def ingest_unsc(ctx: click.Context, table, vetoes, as_json: bool, force: bool) -> None:
    """Ingest UN Security Council decisions: the bundled DPRK table, and optionally a veto list."""
    with open_api(ctx) as wl:
        summary = wl.ingest_unsc(table=table, vetoes=vetoes, force=force)
    report_ingest(summary, as_json)


@main.command()
@FORMAT_OPTION
@click.pass_context
@handle_errors
def sources(ctx: click.Context, fmt: str) -> None:
    """List ingested files: path, sha256, line counts, times (provenance)."""
    with open_api(ctx, read_only=True) as wl:
        table = wl.sources().to_pyarrow()
    if fmt == "table":
        table = table.select(["file_id", "dataset", "version", "path", "sha256", "rows_read", "rows_stored",
                              "rows_rejected", "rows_duplicate", "rows_late", "dates_repaired", "finished_at"])
        table = table.set_column(4, "sha256", table["sha256"].cast("string"))
    emit(table, fmt, out(), title="Ingested files")


@main.command()
@click.option("--file", "path", default=None, help="Only files whose path contains this text.")
@click.option("--limit", type=int, default=None, help="Show at most this many lines.")
@FORMAT_OPTION
@click.pass_context
@handle_errors
def rejects(ctx: click.Context, path: str | None, limit: int | None, fmt: str) -> None:
    """List rejected input lines with file, line number, reason and the raw line."""
    with open_api(ctx, read_only=True) as wl:
        table = wl.rejects(path=path, limit=limit).to_pyarrow()
    emit(table, fmt, out(), title="Rejected lines")


@main.command()
@click.argument("a")
@click.argument("b")
@click.option("--freq", type=click.Choice(["day", "week", "month", "quarter", "year"]), default="month",
              show_default=True)
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="First event date to count.")
@click.option("--until", default=None, metavar="YYYY-MM-DD", help="Last event date to count.")
@click.option("--directed", is_flag=True, help="Only events A did to B (default: both directions).")
@click.option("--root-only", is_flag=True, help="Only GDELT root events (IsRootEvent = 1).")
@cli_datasets.DATASET
@FORMAT_OPTION
@click.pass_context
@handle_errors
def dyads(ctx: click.Context, a: str, b: str, freq: str, since, until, directed: bool, root_only: bool,
          dataset: str | None, fmt: str) -> None:
    """Event series between actors A and B (ISO3 codes or names), per period."""
    with open_api(ctx, read_only=True) as wl:
        result = wl.dyads(a, b, freq=freq, since=since, until=until, directed=directed, root_only=root_only,
                          dataset=dataset)
        table = result.to_pyarrow()
    arrow = "→" if directed else "↔"
    emit(table, fmt, out(), title=f"{a.upper()} {arrow} {b.upper()} per {freq} ({', '.join(result.meta['datasets'])})")
    if fmt == "table":
        cli_datasets.print_coverage_note(result.meta, out())


@ingest.command("docs")
@click.argument("paths", nargs=-1, required=True)
@click.option("--date", default=None, metavar="YYYY-MM-DD", help="Date, for files that do not carry one.")
@click.option("--issuer", "issuers", default=None, help="Issuer(s), ISO3 codes joined by commas.")
@click.option("--parties", default=None, help="Parties the document is about, ISO3 codes joined by commas.")
@click.option("--title", default=None)
@click.option("--kind", default=None, help="e.g. joint_statement, readout, speech, article.")
@click.option("--language", default=None, help="en, zh, ko, ru, ja ... (detected when not given).")
@click.option("--url", "source_url", default=None, help="Source URL.")
@JSON_FLAG
@FORCE
@click.pass_context
@handle_errors
def ingest_docs(ctx: click.Context, paths, as_json: bool, force: bool, **meta) -> None:
    """Ingest documents: .txt and .md (YAML front matter), .html, .pdf; files, folders or globs."""
    with open_api(ctx) as wl:
        summary = wl.ingest_docs(list(paths), force=force, **meta)
    report_ingest(summary, as_json)


@ingest.command("ungdc")
@click.argument("path", type=click.Path(exists=True))
@JSON_FLAG
@FORCE
@click.pass_context
@handle_errors
def ingest_ungdc(ctx: click.Context, path: str, as_json: bool, force: bool) -> None:
    """Ingest the UN General Debate Corpus: the published UNGDC .tgz (read as a stream) or its unpacked folder."""
    with open_api(ctx) as wl:
        summary = wl.ingest_ungdc(path, progress=None if as_json else _progress(), force=force)
    report_ingest(summary, as_json)


@main.command()
@click.option("--actors", default=None, help="Comma-separated; entries in which all of them take part.")
@click.option("--kind", default=None, help="summit, meeting, visit, call, joint_statement, treaty, exercise, ...")
@click.option("--level", type=click.Choice(["leader", "minister", "official", "military"]), default=None)
@SINCE
@UNTIL
@FORMAT_OPTION
@click.pass_context
@handle_errors
def timeline(ctx: click.Context, actors, kind, level, since, until, fmt: str) -> None:
    """List the curated timeline."""
    with open_api(ctx, read_only=True) as wl:
        table = wl.timeline(actor_list(actors), kind=kind, level=level, since=since, until=until).to_pyarrow()
    if fmt == "table":
        table = table.drop_columns(["sources", "cameo_code"])
    emit(table, fmt, out(), title="Curated timeline")


@main.command()
@click.option("--actors", default=None, help="Comma-separated actors (default: the axis bloc).")
@click.option("--level", type=click.Choice(["leader", "minister", "official", "military"]), default=None)
@click.option("--freq", type=click.Choice(["month", "quarter", "year"]), default="quarter", show_default=True)
@SINCE
@UNTIL
@FORMAT_OPTION
@click.pass_context
@handle_errors
def exchanges(ctx: click.Context, actors, level, freq: str, since, until, fmt: str) -> None:
    """Count curated high-level exchanges (summits, meetings, visits, calls) per dyad and period."""
    with open_api(ctx, read_only=True) as wl:
        table = wl.exchanges(actor_list(actors), level=level, freq=freq, since=since, until=until).to_pyarrow()
    emit(table, fmt, out(), title=f"High-level exchanges per {freq}")


@main.group()
def votes() -> None:
    """UN voting alignment between two states."""


BODY = click.option("--body", type=click.Choice(["unga", "unsc"]), default="unga", show_default=True)
ISSUE = click.option("--issue", default=None, help="Issue tag or label (e.g. hr, nu, sanctions).")


@votes.command("align")
@click.argument("a")
@click.argument("b")
@BODY
@ISSUE
@click.option("--freq", type=click.Choice(["year", "quarter", "month", "all"]), default="year", show_default=True,
              help="Period; 'all' gives one row for the whole window.")
@SINCE
@UNTIL
@FORMAT_OPTION
@click.pass_context
@handle_errors
def votes_align(ctx: click.Context, a, b, body, issue, freq, since, until, fmt: str) -> None:
    """Share of identical votes, agreement index, coincidence and Cohen's kappa of A and B."""
    with open_api(ctx, read_only=True) as wl:
        result = wl.vote_alignment(a, b, body=body, issue=issue, freq=None if freq == "all" else freq,
                                   since=since, until=until)
        table = result.to_pyarrow()
    emit(table, fmt, out(), title=f"{a.upper()}–{b.upper()} voting alignment ({body.upper()})")
    _print_predecessors(result.meta["predecessors"], fmt)


@votes.command("splits")
@click.argument("a")
@click.argument("b")
@BODY
@ISSUE
@SINCE
@UNTIL
@FORMAT_OPTION
@click.pass_context
@handle_errors
def votes_splits(ctx: click.Context, a, b, body, issue, since, until, fmt: str) -> None:
    """Decisions on which A and B voted differently (e.g. one vetoes, the other abstains)."""
    with open_api(ctx, read_only=True) as wl:
        result = wl.vote_splits(a, b, body=body, issue=issue, since=since, until=until)
        table = result.to_pyarrow()
    emit(table, fmt, out(), title=f"{a.upper()}–{b.upper()} splits ({body.upper()})")
    _print_predecessors(result.meta["predecessors"], fmt)


def _print_predecessors(found: list[dict], fmt: str) -> None:
    """Say which former states' votes a successor's code includes: below the table, or on stderr for csv/json."""
    target = out() if fmt == "table" else console
    for item in found:
        target.print(f"note: {escape(item['note'])}", highlight=False, soft_wrap=True)


@main.command()
@click.option("--bloc", default="axis", show_default=True)
@SINCE
@UNTIL
@AS_OF
@click.option("--out", "out_path", default="brief.html", show_default=True, type=click.Path(dir_okay=False),
              help="brief.html (self-contained), brief.md (figures beside it) or brief.pdf.")
@click.option("--lang", default="en", show_default=True,
              help="The briefing's language: en, or any language with a catalogue (ko).")
@click.pass_context
@handle_errors
def brief(ctx: click.Context, bloc: str, since, until, as_of, out_path: str, lang: str) -> None:
    """Write a briefing: bottom line, figures, signposts, ACH, alerts, events, sources."""
    with open_api(ctx) as wl:
        path = wl.write_brief(out_path, bloc=bloc, since=since, until=until, as_of=as_of, lang=lang)
    print(path.resolve())


def _progress():
    from weaklink.cli.progress import RichProgress

    return RichProgress(console)


for command in cli_analysis.COMMANDS:
    main.add_command(command)
for command in cli_monitor.COMMANDS:
    main.add_command(command)
for command in cli_datasets.INGEST_COMMANDS:
    ingest.add_command(command)
for command in cli_datasets.COMMANDS:
    main.add_command(command)
main.add_command(cli_serve.serve)


if __name__ == "__main__":
    main()
