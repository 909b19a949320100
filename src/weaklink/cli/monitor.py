"""CLI commands that fetch new data and watch it: `weaklink update ...` and `weaklink monitor` (registered on
`weaklink` in cli/main.py). Each is a thin shell over the API (docs/monitor.md)."""

from __future__ import annotations

import json
import re
import sys

import click

from weaklink.cli.common import JSON_FLAG, SINCE, UNTIL, console, escape, handle_errors, open_api, out


class _UpdateBar:
    """A rich progress bar over the files to fetch (drawn only on a terminal)."""

    def __init__(self, label: str) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=console, transient=True, disable=not console.is_terminal)

    def start(self, total: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("files", total=total)

    def advance(self, item) -> None:
        self.bar.advance(self.task)
        if item.status == "failed":
            console.print(f"[red]failed[/] {escape(item.name)}: {escape(item.reason or '')}", highlight=False)

    def finish(self) -> None:
        self.bar.stop()


def _print_update(summary) -> None:
    data = summary.to_dict()
    kept = f", {data['rows_kept_out']:,} counted, not kept" if data["rows_kept_out"] else ""
    head = (f"{escape(data['list_url'])}: {data['listed']:,} export files listed, {data['in_range']:,} from "
            f"{data['since']} to {data['until'] or 'the latest'}")
    counts = (f"  already stored {data['already_stored']:,} · downloaded {data['downloaded']:,} · from cache "
              f"{data['cached']:,} · verified {data['verified']:,} · stored {data['stored']:,} "
              f"({data['rows_stored']:,} rows{kept}) · failed {len(data['failed']):,} · {data['seconds']:.1f} s")
    lines = [head, counts]
    for failed in data["failed"]:
        lines.append(f"  [red]failed[/] {escape(failed['name'])}: {escape(failed['reason'])}")
    if data["bad_list_lines"]:
        lines.append(f"  [yellow]note:[/] {len(data['bad_list_lines'])} line(s) of the list could not be read "
                     "(--json lists them)")
    if data["failed"]:
        lines.append("  failed files are fetched again by the next run")
    out().print("\n".join(lines), highlight=False, soft_wrap=True)


@click.group()
def update() -> None:
    """Fetch new data into the store: GDELT exports, statements from feeds."""


@update.command("gdelt")
@SINCE
@UNTIL
@click.option("--version", "gdelt_version", type=click.Choice(["1", "2"]), default=None,
              help="GDELT 1.0 (daily files) or 2.0 (15-minute files); default: the watch file's [update], else 2.")
@click.option("--mirror", default=None, metavar="URL", help="Base URL of the lists and files (a team mirror); "
              "default: the watch file's [update] mirror, else GDELT's own.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Concurrent downloads (default 4).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True, metavar="SECONDS",
              help="Give up on a download that sends nothing for this long.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Where downloads are kept until stored (default: downloads/ beside the store).")
@click.option("--keep", type=click.Choice(["all", "watched"]), default="all", show_default=True,
              help="watched: store only events involving the watch file's actors, counting the others so that "
                   "normalised series equal a full store's.")
@JSON_FLAG
@click.pass_context
@handle_errors
def update_gdelt(ctx: click.Context, since, until, gdelt_version, mirror, workers, timeout, cache_dir, keep: str,
                 as_json: bool) -> None:
    """Fetch the GDELT event exports not yet stored, verify size and MD5, ingest them; exit 1 if a file failed."""
    with open_api(ctx) as wl:
        summary = wl.update_gdelt(since=since, until=until, version=int(gdelt_version) if gdelt_version else None,
                                  mirror=mirror, workers=workers, timeout=timeout, cache_dir=cache_dir,
                                  progress=None if as_json else _UpdateBar("update gdelt"), keep=keep)
    if as_json:
        print(json.dumps(summary.to_dict(), indent=2, default=str))
    else:
        _print_update(summary)
    if not summary.ok:
        sys.exit(1)


@update.command("docs")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Concurrent page fetches (default 4).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True, metavar="SECONDS")
@JSON_FLAG
@click.pass_context
@handle_errors
def update_docs(ctx: click.Context, workers, timeout, as_json: bool) -> None:
    """Fetch new statements from the watch file's [[feeds]] and ingest them; exit 1 if an item failed."""
    with open_api(ctx) as wl:
        summary = wl.update_docs(workers=workers, timeout=timeout)
    data = summary.to_dict()
    if as_json:
        print(json.dumps(data, indent=2, default=str))
    else:
        lines = [(f"{data['feeds']} feed(s), {data['listed']} item(s): already stored {data['already_stored']} · "
                  f"fetched {data['fetched']} · stored {data['stored']} · duplicates {data['duplicate']} · "
                  f"failed {len(data['failed'])} · {data['seconds']:.1f} s")]
        lines += [f"  [red]feed failed[/] {escape(e)}" for e in data["feed_errors"]]
        lines += [f"  [red]failed[/] {escape(f['url'])}: {escape(f['reason'])}" for f in data["failed"]]
        out().print("\n".join(lines), highlight=False, soft_wrap=True)
    if not summary.ok:
        sys.exit(1)


def _seconds(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text or "")
    if not match or float(match.group(1)) <= 0:
        raise click.BadParameter(f"{text!r}: expected a duration such as 90s, 15m, 1h or 1d")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]



def _print_run(run) -> None:
    data = run.to_dict()
    lines = [(f"data as of {data['as_of'] or '(no data)'}: {len(data['changes'])} change(s), {data['queued']} "
              f"notification(s) queued, {data['sent']} sent, {data['failed']} failed ({data['seconds']:.1f} s)")]
    lines += [f"  {escape(c['title'])}" + (f" (was {escape(c['before'])})" if c["before"] else "")
              for c in data["changes"]]
    lines += [f"  [yellow]problem:[/] {escape(e)}" for e in data["errors"]]
    if data["stopped"]:
        lines.append("  stopped on request before the run ended; the next run carries on")
    out().print("\n".join(lines), highlight=False, soft_wrap=True)


@click.command()
@click.option("--once", is_flag=True, help="One run, then exit (for cron).")
@click.option("--every", default="15m", show_default=True, metavar="DURATION",
              help="Time between runs (90s, 15m, 1h, 1d) when not --once.")
@click.option("--no-update", is_flag=True, help="Do not fetch: evaluate and notify on what the store holds.")
@JSON_FLAG
@click.pass_context
@handle_errors
def monitor(ctx: click.Context, once: bool, every: str, no_update: bool, as_json: bool) -> None:
    """Update all sources, re-evaluate the board, notify each change once (docs/monitor.md). SIGTERM or
    Ctrl-C stops it cleanly between steps."""
    import signal
    import threading

    seconds, stop = _seconds(every), threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    def show(run) -> None:
        if as_json:
            print(json.dumps(run.to_dict(), default=str), flush=True)
        else:
            _print_run(run)

    with open_api(ctx) as wl:
        if once:
            run = wl.monitor_once(stop, update=not no_update)
            show(run)
            if run.errors:
                sys.exit(1)
        else:
            from weaklink.live import monitor_every

            monitor_every(wl, seconds, stop, show, update=not no_update)


COMMANDS = [update, monitor]
