"""What every CLI command shares: consoles, common options, error handling, opening the API."""

from __future__ import annotations

import functools
import json
import os
import sys

import click
from rich.console import Console

from weaklink.errors import WeaklinkError

# Heavy modules (the API, Ibis, DuckDB, PyArrow: seconds to import) are imported where used, so that
# `weaklink --help` and argument errors answer at once (benchmarks/startup.py).
console = Console(stderr=True)  # messages and progress; results go to stdout

FORMATS = ("table", "csv", "json")  # as weaklink.tables.FORMATS, which imports pyarrow


def escape(text) -> str:
    """Text shown literally in a rich console (weaklink.tables.safe_text)."""
    from weaklink.tables import safe_text

    return safe_text(text)


def to_json(data) -> str:
    from weaklink.tables import to_json as render_json

    return render_json(data)


def emit(table, fmt: str, console: Console, title: str | None = None) -> None:
    """Print a table as table, CSV or JSON (weaklink.tables.emit)."""
    from weaklink.tables import emit as render_emit

    render_emit(table, fmt, console, title)


def out() -> Console:
    """The console for results: wide enough for a table when output is piped."""
    probe = Console()
    return probe if probe.is_terminal else Console(width=200)


FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                             help="Output format.")


DEBUG_ENV = "WEAKLINK_DEBUG"  # set to see the traceback of an unexpected error


def handle_errors(func):
    """Turn weaklink's errors into a one-line message and exit code 1, and any other error into a one-line
    message and exit code 2: no traceback reaches the user (unless $WEAKLINK_DEBUG is set). With --json or
    --format json, stdout also holds the error as {"error": {"type", "message", "details"}}."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        as_json = bool(kwargs.get("as_json")) or kwargs.get("fmt") == "json"
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except WeaklinkError as exc:
            fail(type(exc).__name__, str(exc), getattr(exc, "details", None) or {}, exc.exit_code, as_json)
        except Exception as exc:  # noqa: BLE001 - the last line of defence before a traceback
            if os.environ.get(DEBUG_ENV):
                raise
            first = (str(exc).strip().splitlines() or [""])[0][:500]
            fail(type(exc).__name__, f"unexpected {type(exc).__name__}: {first} (a bug in weaklink: please report "
                 f"it; set {DEBUG_ENV}=1 to see the traceback)", {}, 2, as_json)

    return wrapper


def fail(kind: str, message: str, details: dict, code: int, as_json: bool) -> None:
    """Report an error in its one shape: a one-line message on stderr, and with JSON output the same error as
    {"error": {"type", "message", "details"}} on stdout; then exit with `code`."""
    if as_json:
        print(json.dumps({"error": {"type": kind, "message": message, "details": details}}, default=str))
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    sys.exit(code)


WAIT_DEFAULT = 30.0  # seconds to wait for a store another process holds


def open_api(ctx: click.Context, read_only: bool = False, store_optional: bool = False):
    """The API over the store and watch file named by the global options; read commands open it read-only.
    `store_optional`: a command that can also work on files alone (text mentions FILE) runs on an empty
    in-memory store when there is no store file."""
    def waiting(message: str) -> None:
        console.print(f"[yellow]note:[/] {escape(message)}", highlight=False, soft_wrap=True)

    from weaklink.api import connect
    from weaklink.store.connection import duckdb_path, resolve_store_url

    url = ctx.obj["store"]
    if store_optional and not os.path.exists(duckdb_path(resolve_store_url(url))):
        url = "duckdb://"  # in memory
    return connect(url, ctx.obj["watch"], read_only=read_only,
                   wait=ctx.obj.get("wait", WAIT_DEFAULT), on_wait=waiting,
                   max_lag_days=ctx.obj.get("max_lag_days"), include_late=ctx.obj.get("include_late", False))


def report_ingest(summary, as_json: bool) -> None:
    """Print an ingest summary (table or JSON); exit 1 when a file failed."""
    if as_json:
        print(json.dumps(summary.to_dict(), indent=2, default=str))
    else:
        from weaklink.cli.progress import print_summary

        print_summary(summary, out())
        for f in summary.files:
            if f.status == "ingested" and f.message:
                console.print(f"[yellow]note:[/] {escape(f.message)}", highlight=False)
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
