"""The command line: each command opens the store, calls one API function, renders the result."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click
import pyarrow as pa
from rich.console import Console

from weaklink import __version__
from weaklink.api import connect
from weaklink.cli_progress import RichProgress
from weaklink.errors import WeaklinkError
from weaklink.render import FORMATS, emit, to_json
from weaklink.store.connection import STORE_ENV

console = Console(stderr=True)


def out() -> Console:
    """The console for results: wide enough for a table when output is piped."""
    probe = Console()
    return probe if probe.is_terminal else Console(width=200)
FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                             help="Output format.")


def handle_errors(func):
    """Turn weaklink's errors into a one-line message and exit code 1 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except WeaklinkError as exc:
            console.print(f"[bold red]error:[/] {exc}", highlight=False)
            sys.exit(exc.exit_code)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--store", envvar=STORE_ENV, default=None, metavar="URL",
              help=f"Store URL or path (default: ${STORE_ENV} or ./weaklink.duckdb).")
@click.option("--watch", "watch_path", default=None, type=click.Path(dir_okay=False), metavar="FILE",
              help="Watch file (default: the bundled one).")
@click.version_option(__version__, prog_name="weaklink")
@click.pass_context
def main(ctx: click.Context, store: str | None, watch_path: str | None) -> None:
    """weaklink: monitor an alignment of states from public data."""
    ctx.obj = {"store": store, "watch": watch_path}


def open_api(ctx: click.Context):
    return connect(ctx.obj["store"], ctx.obj["watch"])


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing watch.toml.")
@click.pass_context
@handle_errors
def init(ctx: click.Context, directory: str, force: bool) -> None:
    """Write an editable watch.toml into DIRECTORY and create the store there."""
    from weaklink.setup import init_project

    watch, store = init_project(Path(directory), store=ctx.obj["store"], force=force)
    console.print(f"wrote {watch}\ncreated store {store}")


@main.command()
@FORMAT_OPTION
@click.pass_context
@handle_errors
def demo(ctx: click.Context, fmt: str) -> None:
    """Build (or refresh) the store from the data bundled with weaklink and summarise it."""
    from weaklink.setup import run_demo

    with open_api(ctx) as wl:
        overview = run_demo(wl, progress=RichProgress(console))
    if fmt == "json":
        print(to_json(overview))
    else:
        from weaklink.setup import print_overview

        print_overview(overview, out())


@main.group()
def ingest() -> None:
    """Load source files into the store."""


def _report_ingest(summary, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary.to_dict(), indent=2, default=str))
    else:
        from weaklink.cli_progress import print_summary

        print_summary(summary, out())
    if not summary.ok:
        sys.exit(1)


@ingest.command("gdelt")
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
@handle_errors
def ingest_gdelt(ctx: click.Context, paths: tuple[str, ...], as_json: bool) -> None:
    """Ingest GDELT 1.0/2.0 event exports: files, folders or globs (.CSV or .CSV.zip)."""
    with open_api(ctx) as wl:
        summary = wl.ingest_gdelt(list(paths), progress=None if as_json else RichProgress(console))
    _report_ingest(summary, as_json)


JSON_FLAG = click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")


@ingest.command("timeline")
@click.argument("paths", nargs=-1)
@JSON_FLAG
@click.pass_context
@handle_errors
def ingest_timeline(ctx: click.Context, paths: tuple[str, ...], as_json: bool) -> None:
    """Ingest curated timeline CSV files (docs/timeline.md); none given: the bundled timeline."""
    with open_api(ctx) as wl:
        summary = wl.ingest_timeline(list(paths) or None)
    _report_ingest(summary, as_json)


@ingest.command("unvotes")
@click.option("--votes", type=click.Path(exists=True, dir_okay=False), help="Votes: rcid, country, country_code, vote.")
@click.option("--roll-calls", type=click.Path(exists=True, dir_okay=False), help="Roll calls: rcid, session, date, ...")
@click.option("--issues", type=click.Path(exists=True, dir_okay=False), help="Issues: rcid, short_name, issue.")
@JSON_FLAG
@click.pass_context
@handle_errors
def ingest_unvotes(ctx: click.Context, votes, roll_calls, issues, as_json: bool) -> None:
    """Ingest UN General Assembly votes in the unvotes / Voeten layout (CSV, plain or .gz)."""
    with open_api(ctx) as wl:
        summary = wl.ingest_unvotes(votes=votes, roll_calls=roll_calls, issues=issues)
    _report_ingest(summary, as_json)


@ingest.command("unsc")
@click.option("--table", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A UNSC decisions table in weaklink's format (default: the bundled DPRK table).")
@click.option("--vetoes", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The World Politics Data Lab veto list (unsc_vetoes_1946_sept2022.csv).")
@JSON_FLAG
@click.pass_context
@handle_errors
def ingest_unsc(ctx: click.Context, table, vetoes, as_json: bool) -> None:
    """Ingest UN Security Council decisions: the bundled DPRK table, and optionally a veto list."""
    with open_api(ctx) as wl:
        summary = wl.ingest_unsc(table=table, vetoes=vetoes)
    _report_ingest(summary, as_json)


@main.command()
@FORMAT_OPTION
@click.pass_context
@handle_errors
def sources(ctx: click.Context, fmt: str) -> None:
    """List ingested files: path, sha256, line counts, times (provenance)."""
    with open_api(ctx) as wl:
        table = wl.sources().to_pyarrow()
    if fmt == "table":
        table = table.select(["file_id", "dataset", "version", "path", "sha256", "rows_read", "rows_stored",
                              "rows_rejected", "rows_duplicate", "finished_at"])
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
    with open_api(ctx) as wl:
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
@FORMAT_OPTION
@click.pass_context
@handle_errors
def dyads(ctx: click.Context, a: str, b: str, freq: str, since, until, directed: bool, root_only: bool,
          fmt: str) -> None:
    """Event series between actors A and B (ISO3 codes or names), per period."""
    with open_api(ctx) as wl:
        table = wl.dyads(a, b, freq=freq, since=since, until=until, directed=directed,
                         root_only=root_only).to_pyarrow()
    arrow = "→" if directed else "↔"
    emit(table, fmt, out(), title=f"{a.upper()} {arrow} {b.upper()} per {freq}")


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
@click.pass_context
@handle_errors
def ingest_docs(ctx: click.Context, paths, as_json: bool, **meta) -> None:
    """Ingest documents: .txt and .md (YAML front matter), .html, .pdf; files, folders or globs."""
    with open_api(ctx) as wl:
        summary = wl.ingest_docs(list(paths), **meta)
    _report_ingest(summary, as_json)


def _actor_list(text: str | None) -> list[str] | None:
    return [a.strip() for a in text.split(",") if a.strip()] if text else None


SINCE = click.option("--since", default=None, metavar="YYYY-MM-DD", help="First date to include.")
UNTIL = click.option("--until", default=None, metavar="YYYY-MM-DD", help="Last date to include.")


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
    with open_api(ctx) as wl:
        table = wl.timeline(_actor_list(actors), kind=kind, level=level, since=since, until=until).to_pyarrow()
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
    with open_api(ctx) as wl:
        table = wl.exchanges(_actor_list(actors), level=level, freq=freq, since=since, until=until).to_pyarrow()
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
    with open_api(ctx) as wl:
        table = wl.vote_alignment(a, b, body=body, issue=issue, freq=None if freq == "all" else freq,
                                  since=since, until=until).to_pyarrow()
    emit(table, fmt, out(), title=f"{a.upper()}–{b.upper()} voting alignment ({body.upper()})")


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
    with open_api(ctx) as wl:
        table = wl.vote_splits(a, b, body=body, issue=issue, since=since, until=until).to_pyarrow()
    emit(table, fmt, out(), title=f"{a.upper()}–{b.upper()} splits ({body.upper()})")


FREQ = click.option("--freq", type=click.Choice(["month", "quarter", "year"]), default="year", show_default=True)


@main.command()
@click.argument("bloc", default="axis")
@FREQ
@SINCE
@UNTIL
@FORMAT_OPTION
@click.pass_context
@handle_errors
def cohesion(ctx: click.Context, bloc: str, freq: str, since, until, fmt: str) -> None:
    """Bloc cohesion per period: mean tie strength of its dyads, and each dyad's (docs/cohesion.md)."""
    with open_api(ctx) as wl:
        table = wl.cohesion(bloc, freq=freq, since=since, until=until).to_pyarrow()
    emit(table, fmt, out(), title=f"Cohesion of {bloc} per {freq}")


@main.command()
@click.argument("blocs", nargs=-1)
@FREQ
@SINCE
@UNTIL
@FORMAT_OPTION
@click.pass_context
@handle_errors
def blocs(ctx: click.Context, blocs: tuple[str, ...], freq: str, since, until, fmt: str) -> None:
    """Cohesion of blocs side by side (default: axis and alliance)."""
    with open_api(ctx) as wl:
        table = wl.blocs(list(blocs) or None, freq=freq, since=since, until=until).to_pyarrow()
    emit(table, fmt, out(), title="Bloc against bloc")


@main.command()
@click.argument("bloc", default="axis")
@SINCE
@UNTIL
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
@handle_errors
def weakest(ctx: click.Context, bloc: str, since, until, fmt: str) -> None:
    """The member with the lowest commitment, its interval, and centrality (default: the last year)."""
    with open_api(ctx) as wl:
        result = wl.weakest(bloc, since=since, until=until)
    if fmt == "json":
        print(to_json(result))
        return
    from weaklink.cli_views import print_weakest

    print_weakest(result, out())


def _window(text: str) -> tuple[str, str]:
    since, sep, until = text.partition(":")
    if not sep:
        raise click.BadParameter(f"{text!r}: expected SINCE:UNTIL, e.g. 2019-01-01:2022-12-31")
    return since, until


@main.command()
@click.argument("bloc", default="axis")
@click.option("--before", "first", required=True, metavar="SINCE:UNTIL", help="The earlier window.")
@click.option("--after", "second", required=True, metavar="SINCE:UNTIL", help="The later window.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
@handle_errors
def attribution(ctx: click.Context, bloc: str, first: str, second: str, fmt: str) -> None:
    """Which dyads and components moved the bloc's cohesion between two windows, and the events behind."""
    with open_api(ctx) as wl:
        result = wl.attribution(bloc, _window(first), _window(second))
    if fmt == "json":
        print(to_json(result))
        return
    from weaklink.cli_views import print_attribution

    print_attribution(result, out())


@main.command()
@click.option("--freq", type=click.Choice(["week", "month", "quarter"]), default="month", show_default=True)
@SINCE
@UNTIL
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
@handle_errors
def alerts(ctx: click.Context, freq: str, since, until, fmt: str) -> None:
    """Change points and anomalies on every watched dyad series, each with the events behind it."""
    with open_api(ctx) as wl:
        found = wl.alerts(freq=freq, since=since, until=until)
    if fmt == "json":
        print(to_json(found))
        return
    from weaklink.cli_views import print_alerts

    print_alerts(found, out())


@main.group()
def text() -> None:
    """Documents: mentions, framing terms, comparisons, warmth."""


@text.command("docs")
@click.option("--issuer", default=None)
@SINCE
@UNTIL
@FORMAT_OPTION
@click.pass_context
@handle_errors
def text_docs(ctx: click.Context, issuer, since, until, fmt: str) -> None:
    """List stored documents."""
    with open_api(ctx) as wl:
        table = wl.documents(issuer, since, until).drop_columns(["text"])
    emit(table, fmt, out(), title="Documents")


@text.command("mentions")
@click.argument("doc")
@click.option("--actor", default=None, help="Only this actor.")
@click.option("--no-demonyms", is_flag=True, help="Leave out demonyms (\"American\").")
@click.option("--no-metonyms", is_flag=True, help="Leave out metonyms (\"Washington\").")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
@handle_errors
def text_mentions(ctx: click.Context, doc: str, actor, no_demonyms: bool, no_metonyms: bool, fmt: str) -> None:
    """Actor mentions in DOC (a stored document's id, or a file path)."""
    categories = tuple(c for c, off in (("names", False), ("demonyms", no_demonyms), ("metonyms", no_metonyms))
                       if not off)
    with open_api(ctx) as wl:
        result = wl.mentions(doc, actor=actor, categories=categories)
    if fmt == "json":
        print(to_json(result))
        return
    rows = [{"actor": a, "count": m["count"], "demonyms": m["demonyms"], "metonyms": m["metonyms"],
             "first_hits": ", ".join(h["text"] for h in m["hits"][:5])} for a, m in result["mentions"].items()]
    emit(pa.Table.from_pylist(rows or [{"actor": None}]), "table", out(),
         title=f"Mentions in {result['document'].get('title') or doc}")


@text.command("terms")
@click.argument("doc", required=False)
@click.option("--issuer", default=None, help="Trends over the documents of one issuer.")
@click.option("--freq", type=click.Choice(["month", "quarter", "year"]), default="year", show_default=True)
@SINCE
@UNTIL
@FORMAT_OPTION
@click.pass_context
@handle_errors
def text_terms(ctx: click.Context, doc, issuer, freq, since, until, fmt: str) -> None:
    """Framing terms: counts in DOC, or trends per period over stored documents."""
    with open_api(ctx) as wl:
        if doc:
            counts = wl.terms(doc)["terms"]
            table = pa.Table.from_pylist([{"term": t, "count": n} for t, n in counts.items()])
        else:
            table = wl.term_trends(issuer, freq=freq, since=since, until=until)
    emit(table, fmt, out(), title="Framing terms")


@text.command("compare")
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None, help="Write to this file.")
@click.pass_context
@handle_errors
def text_compare(ctx: click.Context, old: str, new: str, fmt: str, out_path) -> None:
    """What changed from statement OLD to NEW: terms, mentions, sentences (ids or file paths)."""
    with open_api(ctx) as wl:
        rendered = wl.compare_html(old, new) if fmt == "html" else None
        result = wl.compare(old, new)
    if fmt == "table":
        from weaklink.cli_views import print_compare

        print_compare(result, out())
        return
    text_out = rendered if fmt == "html" else to_json(result)
    if out_path:
        Path(out_path).write_text(text_out, encoding="utf-8")
        console.print(f"wrote {out_path}")
    else:
        print(text_out)


@text.command("warmth")
@click.argument("doc")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
@handle_errors
def text_warmth(ctx: click.Context, doc: str, fmt: str) -> None:
    """Warmth toward each named partner and hostility toward third parties in DOC, with the sentences."""
    with open_api(ctx) as wl:
        result = wl.warmth(doc)
    if fmt == "json":
        print(to_json(result))
        return
    rows = [{"actor": a, "role": v["role"], "score": v["score"], "warm": v["warm"], "hostile": v["hostile"],
             "negated": v["negated"]} for a, v in result["actors"].items()]
    emit(pa.Table.from_pylist(rows or [{"actor": None}]), "table", out(), title="Warmth and hostility")
    for actor, v in result["actors"].items():
        for sentence in v["sentences"][:3]:
            out().print(f"  {actor}: {sentence['text']}", highlight=False)


AS_OF = click.option("--as-of", default=None, metavar="YYYY-MM-DD", help="Evaluate as of this date (default today).")
TABLE_OR_JSON = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True)


@main.group(invoke_without_command=True)
@AS_OF
@click.option("--changed-since", default=None, metavar="YYYY-MM-DD", help="Only signposts whose status changed since.")
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def signposts(ctx: click.Context, as_of, changed_since, fmt: str) -> None:
    """The signpost board: status, since when, and the evidence behind each (docs/signposts.md)."""
    if ctx.invoked_subcommand:
        return
    with open_api(ctx) as wl:
        board = wl.signposts(as_of=as_of, changed_since=changed_since)
    if fmt == "json":
        print(to_json(board))
        return
    from weaklink.cli_views import print_board

    print_board(board, out())


@signposts.command("explain")
@click.argument("signpost_id")
@AS_OF
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def signposts_explain(ctx: click.Context, signpost_id: str, as_of, fmt: str) -> None:
    """One signpost: its rule, current status, evidence with sources, and its history."""
    with open_api(ctx) as wl:
        result = wl.signpost(signpost_id, as_of=as_of)
    if fmt == "json":
        print(to_json(result))
        return
    from weaklink.cli_views import print_signpost

    print_signpost(result, out())


@signposts.command("replay")
@click.option("--from", "start", required=True, metavar="YYYY-MM-DD")
@click.option("--to", "end", default=None, metavar="YYYY-MM-DD", help="Default today.")
@click.option("--freq", type=click.Choice(["month", "quarter", "year"]), default="quarter", show_default=True)
@click.pass_context
@handle_errors
def signposts_replay(ctx: click.Context, start, end, freq) -> None:
    """Evaluate the signposts at the end of each period, to fill their history."""
    with open_api(ctx) as wl:
        board = wl.replay_signposts(start, end, freq)
    from weaklink.cli_views import print_board

    print_board(board, out())


@main.command()
@AS_OF
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def scenarios(ctx: click.Context, as_of, fmt: str) -> None:
    """Per scenario: its signposts seen or emerging, and which moved recently."""
    with open_api(ctx) as wl:
        report = wl.scenarios(as_of)
    if fmt == "json":
        print(to_json(report))
        return
    rows = [{"scenario": r["title"], "signposts": r["signposts"], "seen": ", ".join(r["seen"]),
             "emerging": ", ".join(r["emerging"]),
             "moved_recently": ", ".join(f"{m['id']} ({m['status']}, {m['since']})" for m in r["moved_recently"])}
            for r in report]
    emit(pa.Table.from_pylist(rows or [{"scenario": None}]), "table", out(), title="Scenarios")


@main.group(invoke_without_command=True)
@AS_OF
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def ach(ctx: click.Context, as_of, fmt: str) -> None:
    """Analysis of Competing Hypotheses: the matrix, Heuer's inconsistency and a Bayesian reading."""
    ctx.obj["as_of"] = as_of
    if ctx.invoked_subcommand:
        return
    with open_api(ctx) as wl:
        result = wl.ach(as_of)
    if fmt == "json":
        print(to_json(result))
        return
    from weaklink.cli_views import print_ach

    print_ach(result, out())


@ach.command("sensitivity")
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def ach_sensitivity(ctx: click.Context, fmt: str) -> None:
    """Evidence items whose removal or one-step re-rating would change the ranking."""
    with open_api(ctx) as wl:
        result = wl.ach(ctx.obj.get("as_of"))
    if fmt == "json":
        print(to_json(result["sensitivity"]))
        return
    from weaklink.cli_views import print_sensitivity

    print_sensitivity(result, out())


@main.command()
@click.option("--bloc", default="axis", show_default=True)
@SINCE
@UNTIL
@click.option("--out", "out_path", default="brief.html", show_default=True, type=click.Path(dir_okay=False),
              help="brief.html (self-contained), brief.md (figures beside it) or brief.pdf.")
@click.pass_context
@handle_errors
def brief(ctx: click.Context, bloc: str, since, until, out_path: str) -> None:
    """Write a briefing: bottom line, figures, signposts, ACH, alerts, events, sources."""
    with open_api(ctx) as wl:
        path = wl.write_brief(out_path, bloc=bloc, since=since, until=until)
    print(path.resolve())


if __name__ == "__main__":
    main()
