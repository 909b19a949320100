"""CLI commands for bloc analysis, documents, signposts and ACH (registered on `weaklink` in cli/main.py)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from weaklink.cli.common import (
    AS_OF,
    FORMAT_OPTION,
    SINCE,
    TABLE_OR_JSON,
    UNTIL,
    console,
    emit,
    handle_errors,
    open_api,
    out,
    show,
    to_json,
)
from weaklink.cli.views import (
    print_ach,
    print_attribution,
    print_board,
    print_compare,
    print_coverage,
    print_sensitivity,
    print_signpost,
    print_weakest,
)
from weaklink.cli.datasets import DATASET, print_coverage_note
from weaklink.fileio import atomic_write_text

FREQ = click.option("--freq", type=click.Choice(["month", "quarter", "year"]), default="year", show_default=True)
COMPONENTS = click.option("--components", default=None, metavar="LIST",
                          help="Components to use for every period, comma-separated (events,exchanges,votes,rhetoric); "
                               "default: per dyad, those measured together in the most periods.")


def _print_footing(footing: dict, console) -> None:
    """Under a cohesion table: per dyad, the components used, those left out and why, periods without value."""
    for dyad, f in footing.items():
        line = f"{dyad}: uses {', '.join(f['used']) or 'nothing'}"
        if f["no_value"]:
            line += f"; no value in {f['no_value']}"
        console.print(f"[dim]{line}[/]", highlight=False)
        for component, why in f["left_out"].items():
            console.print(f"[dim]    left out {component}: {why}[/]", highlight=False)


@click.command()
@click.argument("bloc", default="axis")
@FREQ
@SINCE
@UNTIL
@COMPONENTS
@DATASET
@FORMAT_OPTION
@click.pass_context
@handle_errors
def cohesion(ctx: click.Context, bloc: str, freq: str, since, until, components, dataset, fmt: str) -> None:
    """Bloc cohesion per period: mean tie strength of its dyads, and each dyad's (docs/cohesion.md)."""
    with open_api(ctx, read_only=True) as wl:
        result = wl.cohesion(bloc, freq=freq, since=since, until=until, components=components, dataset=dataset)
    emit(result.to_pyarrow(), fmt, out(),
         title=f"Cohesion of {bloc} per {freq} ({', '.join(result.meta['datasets'])} events)")
    if fmt == "table":
        _print_footing(result.meta["components"], out())
        print_coverage_note(result.meta, out())


@click.command()
@click.argument("blocs", nargs=-1)
@FREQ
@SINCE
@UNTIL
@COMPONENTS
@FORMAT_OPTION
@click.pass_context
@handle_errors
def blocs(ctx: click.Context, blocs: tuple[str, ...], freq: str, since, until, components, fmt: str) -> None:
    """Cohesion of blocs side by side (default: axis and alliance)."""
    with open_api(ctx, read_only=True) as wl:
        result = wl.blocs(list(blocs) or None, freq=freq, since=since, until=until, components=components)
    emit(result.to_pyarrow(), fmt, out(), title="Bloc against bloc")
    if fmt == "table":
        for footing in result.meta["components"].values():
            _print_footing(footing, out())


@click.command()
@click.argument("bloc", default="axis")
@SINCE
@UNTIL
@DATASET
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def weakest(ctx: click.Context, bloc: str, since, until, dataset, fmt: str) -> None:
    """The member with the lowest commitment, its interval, and centrality (default: the last year)."""
    with open_api(ctx, read_only=True) as wl:
        result = wl.weakest(bloc, since=since, until=until, dataset=dataset)
    show(result, fmt, print_weakest)


def _window(text: str) -> tuple[str, str]:
    since, sep, until = text.partition(":")
    if not sep:
        raise click.BadParameter(f"{text!r}: expected SINCE:UNTIL, e.g. 2019-01-01:2022-12-31")
    return since, until


@click.command()
@click.argument("bloc", default="axis")
@click.option("--before", "first", required=True, metavar="SINCE:UNTIL", help="The earlier window.")
@click.option("--after", "second", required=True, metavar="SINCE:UNTIL", help="The later window.")
@COMPONENTS
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def attribution(ctx: click.Context, bloc: str, first: str, second: str, components, fmt: str) -> None:
    """Which dyads and components moved the bloc's cohesion between two windows, and the events behind."""
    with open_api(ctx, read_only=True) as wl:
        result = wl.attribution(bloc, _window(first), _window(second), components=components)
    show(result, fmt, print_attribution)


@click.command()
@click.option("--freq", type=click.Choice(["week", "month", "quarter"]), default="month", show_default=True)
@SINCE
@UNTIL
@click.option("--held-back", is_flag=True, help="Also list the alerts the watch file's [alerts] rules hold back, "
                                                  "with the reason.")
@DATASET
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def alerts(ctx: click.Context, freq: str, since, until, held_back: bool, dataset, fmt: str) -> None:
    """Change points and anomalies on every watched dyad series, each with the events behind it."""
    with open_api(ctx, read_only=True) as wl:
        found = wl.alerts(freq=freq, since=since, until=until, held_back=True, dataset=dataset)
        rules = wl.watch.alerts
    kept = [a for a in found if held_back or a["held_back"] is None]
    if fmt == "json" or kept:
        show(kept, fmt, _print_alerts)
        return
    rule = (f"at least {rules.min_history} unbroken periods of series before it, {rules.min_events} events from "
            f"{rules.min_articles} articles in it")
    if found:
        text = (f"No alerts: {len(found)} candidate(s) held back by the watch file's \\[alerts] rules ({rule}); "
                "`--held-back` lists them.")
    else:
        text = (f"No alerts: no watched dyad series shifted or spiked where it can be judged ({rule}); "
                "a shorter `--freq` gives longer series.")
    out().print(text, highlight=False)


def _print_alerts(found: list[dict], console) -> None:
    """Each alert, then its top events with CAMEO code and name, and the curated entries behind it."""
    for alert in found:
        console.print(f"[bold]{alert['period']}[/] {alert['kind'].replace('_', ' ')}: {escape(alert['explanation'])}")
        s = alert["support"]
        console.print(f"    [dim]{s['events']} events from {s['articles']} articles in {s['period']}[/]")
        for e in alert["top_events"]:
            console.print(f"    {e['date']} {e['source']}→{e['target']} CAMEO {e['event_code']} "
                          f"{escape(e.get('event_name') or '')} ({e['mentions']} mentions) {escape(str(e['url']))}",
                          highlight=False)
        for c in alert["curated"]:
            console.print(f"    curated {c['date']} {c['kind']}: {escape(c['description'])}", highlight=False)


@click.group()
def text() -> None:
    """Documents: mentions, framing terms, comparisons, warmth, rhetoric series, keyword in context, search."""


@text.command("docs")
@click.option("--issuer", default=None)
@SINCE
@UNTIL
@FORMAT_OPTION
@click.pass_context
@handle_errors
def text_docs(ctx: click.Context, issuer, since, until, fmt: str) -> None:
    """List stored documents."""
    with open_api(ctx, read_only=True) as wl:
        table = wl.documents(issuer, since, until).drop_columns(["text"])
    emit(table, fmt, out(), title="Documents")


@text.command("mentions")
@click.argument("doc")
@click.option("--actor", default=None, help="Only this actor.")
@click.option("--no-demonyms", is_flag=True, help="Leave out demonyms (\"American\").")
@click.option("--no-metonyms", is_flag=True, help="Leave out metonyms (\"Washington\").")
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def text_mentions(ctx: click.Context, doc: str, actor, no_demonyms: bool, no_metonyms: bool, fmt: str) -> None:
    """Actor mentions in DOC (a stored document's id, or a file path)."""
    categories = tuple(c for c, off in (("names", False), ("demonyms", no_demonyms), ("metonyms", no_metonyms))
                       if not off)
    with open_api(ctx, read_only=True, store_optional=True) as wl:
        result = wl.mentions(doc, actor=actor, categories=categories)
    if fmt == "json":
        print(to_json(result))
        return
    rows = [{"actor": a, "count": m["count"], "demonyms": m["demonyms"], "metonyms": m["metonyms"],
             "first_hits": ", ".join(h["text"] for h in m["hits"][:5])} for a, m in result["mentions"].items()]
    emit(_rows_table(rows or [{"actor": None}]), "table", out(),
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
    with open_api(ctx, read_only=True) as wl:
        if doc:
            counts = wl.terms(doc)["terms"]
            table = _rows_table([{"term": t, "count": n} for t, n in counts.items()])
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
    with open_api(ctx, read_only=True, store_optional=True) as wl:
        rendered = wl.compare_html(old, new) if fmt == "html" else None
        result = wl.compare(old, new)
    if fmt == "table":
        print_compare(result, out())
        return
    text_out = rendered if fmt == "html" else to_json(result)
    if out_path:
        atomic_write_text(Path(out_path), text_out)
        console.print(f"wrote {out_path}")
    else:
        print(text_out)


@text.command("warmth")
@click.argument("doc")
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def text_warmth(ctx: click.Context, doc: str, fmt: str) -> None:
    """Warmth toward each named partner and hostility toward third parties in DOC, with the sentences."""
    with open_api(ctx, read_only=True, store_optional=True) as wl:
        result = wl.warmth(doc)
    if fmt == "json":
        print(to_json(result))
        return
    rows = [{"actor": a, "role": v["role"], "score": v["score"], "warm": v["warm"], "hostile": v["hostile"],
             "negated": v["negated"]} for a, v in result["actors"].items()]
    emit(_rows_table(rows or [{"actor": None}]), "table", out(), title="Warmth and hostility")
    for actor, v in result["actors"].items():
        for sentence in v["sentences"][:3]:
            out().print(f"  {actor}: {sentence['text']}", highlight=False)


@text.command("series")
@click.argument("issuer")
@click.argument("target")
@click.option("--measure", type=click.Choice(["warmth", "mentions"]), default="warmth", show_default=True,
              help="warmth: (warm - hostile) / (warm + hostile) sentences naming TARGET; mentions: per 10,000 words.")
@FREQ
@SINCE
@UNTIL
@click.option("--kind", default=None, help="Only documents of this kind (e.g. unga_speech).")
@click.option("--both", is_flag=True, help="Both directions side by side: ISSUER→TARGET and TARGET→ISSUER.")
@FORMAT_OPTION
@click.pass_context
@handle_errors
def text_series(ctx: click.Context, issuer: str, target: str, measure: str, freq: str, since, until, kind,
                both: bool, fmt: str) -> None:
    """How ISSUER speaks of TARGET per period (directed: `series PRK CHN` is the DPRK on China)."""
    with open_api(ctx, read_only=True) as wl:
        table = wl.rhetoric_series(issuer, target, measure, freq, since, until, kind).to_pyarrow()
        if both:
            back = wl.rhetoric_series(target, issuer, measure, freq, since, until, kind).to_pyarrow()
            table = _side_by_side(table, back, wl.iso3(issuer), wl.iso3(target))
    emit(table, fmt, out(), title=f"{measure}: {issuer} on {target}" + (" and back" if both else ""))


def _side_by_side(there, back, a: str, b: str):
    """One row per period: value, documents and mentions in each direction (periods of either side)."""
    import pyarrow as pa

    rows: dict = {}
    columns = [f"{arrow}{part}" for arrow in (f"{a}→{b}", f"{b}→{a}") for part in ("", " documents", " mentions")]
    for table, arrow in ((there, f"{a}→{b}"), (back, f"{b}→{a}")):
        for r in table.to_pylist():
            row = rows.setdefault(r["period"], {"period": r["period"], **dict.fromkeys(columns)})
            row.update({arrow: r["value"], f"{arrow} documents": r["documents"],
                        f"{arrow} mentions": r["mentions"]})
    return pa.Table.from_pylist([rows[p] for p in sorted(rows)]) if rows else there


@text.command("kwic")
@click.argument("phrase")
@click.option("--issuer", default=None, help="Only documents by this issuer.")
@SINCE
@UNTIL
@click.option("--width", type=click.IntRange(1, 1000), default=60, show_default=True,
              help="Characters of context either side.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True, help="Most lines shown.")
@FORMAT_OPTION
@click.pass_context
@handle_errors
def text_kwic(ctx: click.Context, phrase: str, issuer, since, until, width: int, limit: int, fmt: str) -> None:
    """Keyword in context: every occurrence of PHRASE (whole words, any case), oldest first."""
    with open_api(ctx, read_only=True) as wl:
        table = wl.kwic(phrase, issuer, since, until, width, limit)
    emit(table, fmt, out(), title=f"{phrase!r} in context")


@text.command("search")
@click.argument("query")
@click.option("--issuer", default=None, help="Only documents by this issuer.")
@SINCE
@UNTIL
@click.option("--limit", type=click.IntRange(1, 10_000), default=10, show_default=True, help="Most documents shown.")
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def text_search(ctx: click.Context, query: str, issuer, since, until, limit: int, fmt: str) -> None:
    """Full-text search, ranked (BM25): words, "quoted phrases", AND, OR, -word."""
    with open_api(ctx, read_only=True) as wl:
        hits = wl.search(query, issuer, since, until, limit)
    if fmt == "json":
        print(to_json(hits))
        return
    if not hits:
        out().print(f"no document matches {escape(query)}", highlight=False)
    for rank, hit in enumerate(hits, 1):
        out().print(f"{rank}. [bold]#{hit['doc_id']}[/] {hit['date']} {escape(','.join(hit['issuers']))} "
                    f"{escape(hit['title'] or '')} [dim](score {hit['score']})[/]", highlight=False)
        for line in hit["context"]:
            out().print(f"   …{escape(line['left'])} [bold]{escape(line['match'])}[/] {escape(line['right'])}…",
                        highlight=False)


@text.command("reindex")
@click.option("--missing-only", is_flag=True, help="Only documents without statistics (or with a changed lexicon).")
@click.pass_context
@handle_errors
def text_reindex(ctx: click.Context, missing_only: bool) -> None:
    """Recompute the text statistics of every stored document and rebuild the full-text index."""
    with open_api(ctx) as wl:
        summary = wl.reindex(force=not missing_only)
    console.print(f"{summary.computed} document(s) analysed and {summary.indexed} indexed of {summary.documents} "
                  f"({summary.characters / 1e6:.1f} M characters, {summary.seconds:.1f} s, "
                  f"{summary.workers} process(es))")


@click.group(invoke_without_command=True)
@AS_OF
@click.option("--changed-since", default=None, metavar="YYYY-MM-DD", help="Only signposts whose status changed since.")
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def signposts(ctx: click.Context, as_of, changed_since, fmt: str) -> None:
    """The signpost board: status (seen, emerging, not seen, no data), coverage, since when, and the evidence
    behind each, as of the last day the data cover (docs/signposts.md)."""
    if ctx.invoked_subcommand:
        return
    with open_api(ctx) as wl:
        board = wl.signposts(as_of=as_of, changed_since=changed_since)
    show(board, fmt, print_board)


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
    show(result, fmt, print_signpost)


@signposts.command("replay")
@click.option("--from", "start", required=True, metavar="YYYY-MM-DD")
@click.option("--to", "end", default=None, metavar="YYYY-MM-DD", help="Default: the last day the data cover.")
@click.option("--freq", type=click.Choice(["month", "quarter", "year"]), default="quarter", show_default=True)
@click.pass_context
@handle_errors
def signposts_replay(ctx: click.Context, start, end, freq) -> None:
    """Evaluate the signposts at the end of each period, to fill their history."""
    with open_api(ctx) as wl:
        board = wl.replay_signposts(start, end, freq)
    print_board(board, out())


@click.command()
@AS_OF
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def scenarios(ctx: click.Context, as_of, fmt: str) -> None:
    """Per scenario: its signposts seen, emerging or without data, and which moved recently."""
    with open_api(ctx) as wl:
        report = wl.scenarios(as_of)
    if fmt == "json":
        print(to_json(report))
        return
    rows = [{"scenario": r["title"], "signposts": r["signposts"], "seen": ", ".join(r["seen"]),
             "emerging": ", ".join(r["emerging"]), "no_data": ", ".join(r["no_data"]),
             "moved_recently": ", ".join(f"{m['id']} ({m['status']}, {m['since']})" for m in r["moved_recently"])}
            for r in report]
    emit(_rows_table(rows or [{"scenario": None}]), "table", out(), title="Scenarios")


@click.group(invoke_without_command=True)
@AS_OF
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def ach(ctx: click.Context, as_of, fmt: str) -> None:
    """Analysis of Competing Hypotheses: the matrix, Heuer's inconsistency, a Bayesian reading, the leaders
    (ties kept) and the evidence left out, as of the last day the data cover."""
    ctx.obj["as_of"] = as_of
    if ctx.invoked_subcommand:
        return
    with open_api(ctx) as wl:
        result = wl.ach(as_of)
    show(result, fmt, print_ach)


@ach.command("sensitivity")
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def ach_sensitivity(ctx: click.Context, fmt: str) -> None:
    """What would change the ranking: an item's removal or re-rating, a signpost's status, the fewest
    signpost changes that change the leaders, and the items no hypothesis is told apart by."""
    with open_api(ctx) as wl:
        result = wl.ach(ctx.obj.get("as_of"))
    if fmt == "json":
        print(to_json(result["sensitivity"]))
        return
    print_sensitivity(result, out())


@click.command()
@TABLE_OR_JSON
@click.pass_context
@handle_errors
def coverage(ctx: click.Context, fmt: str) -> None:
    """What the store covers: per source, the spans of time, the gaps, and the last day (docs/coverage.md)."""
    with open_api(ctx, read_only=True) as wl:
        result = wl.coverage()
    show(result, fmt, print_coverage)


COMMANDS = [cohesion, blocs, weakest, attribution, alerts, text, signposts, scenarios, ach, coverage]


def _rows_table(rows: list[dict]):
    import pyarrow as pa

    return pa.Table.from_pylist(rows)
