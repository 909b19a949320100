"""What every CLI command shares: consoles, common options, error handling, opening the API."""

from __future__ import annotations

import functools
import json
import sys

import click
from rich.console import Console

from weaklink.api import connect
from weaklink.errors import WeaklinkError
from weaklink.render import FORMATS, to_json

console = Console(stderr=True)  # messages and progress; results go to stdout


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


def open_api(ctx: click.Context):
    """The API over the store and watch file named by the global options."""
    return connect(ctx.obj["store"], ctx.obj["watch"])


def report_ingest(summary, as_json: bool) -> None:
    """Print an ingest summary (table or JSON); exit 1 when a file failed."""
    if as_json:
        print(json.dumps(summary.to_dict(), indent=2, default=str))
    else:
        from weaklink.cli_progress import print_summary

        print_summary(summary, out())
    if not summary.ok:
        sys.exit(1)


JSON_FLAG = click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")


def actor_list(text: str | None) -> list[str] | None:
    return [a.strip() for a in text.split(",") if a.strip()] if text else None


SINCE = click.option("--since", default=None, metavar="YYYY-MM-DD", help="First date to include.")
UNTIL = click.option("--until", default=None, metavar="YYYY-MM-DD", help="Last date to include.")
AS_OF = click.option("--as-of", default=None, metavar="YYYY-MM-DD", help="Evaluate as of this date (default today).")
TABLE_OR_JSON = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True)


def show(result, fmt: str, printer) -> None:
    """Print a result as JSON, or through its terminal view."""
    if fmt == "json":
        print(to_json(result))
    else:
        printer(result, out())
