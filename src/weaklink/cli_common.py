"""What every CLI command shares: consoles, common options, error handling, opening the API."""

from __future__ import annotations

import functools
import json
import os
import sys

import click
from rich.console import Console

from weaklink.api import connect
from weaklink.errors import WeaklinkError
from weaklink.render import FORMATS, to_json
from weaklink.render import safe_text as escape

console = Console(stderr=True)  # messages and progress; results go to stdout


def out() -> Console:
    """The console for results: wide enough for a table when output is piped."""
    probe = Console()
    return probe if probe.is_terminal else Console(width=200)


FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                             help="Output format.")


DEBUG_ENV = "WEAKLINK_DEBUG"  # set to see the traceback of an unexpected error


def handle_errors(func):
    """Turn weaklink's errors into a one-line message and exit code 1, and any other error into a one-line
    message and exit code 2: no traceback reaches the user (unless $WEAKLINK_DEBUG is set)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except WeaklinkError as exc:
            console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
            sys.exit(exc.exit_code)
        except Exception as exc:  # noqa: BLE001 - the last line of defence before a traceback
            if os.environ.get(DEBUG_ENV):
                raise
            first = (str(exc).strip().splitlines() or [""])[0][:500]
            console.print(f"[bold red]error:[/] unexpected {type(exc).__name__}: {escape(first)} (a bug in "
                          f"weaklink: please report it; set {DEBUG_ENV}=1 to see the traceback)", highlight=False)
            sys.exit(2)

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
AS_OF = click.option("--as-of", default=None, metavar="YYYY-MM-DD",
                     help="Evaluate as of this date (default: the last day the data cover; see `weaklink coverage`).")
TABLE_OR_JSON = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                             show_default=True)


def show(result, fmt: str, printer) -> None:
    """Print a result as JSON, or through its terminal view."""
    if fmt == "json":
        print(to_json(result))
    else:
        printer(result, out())
