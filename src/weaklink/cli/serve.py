"""`weaklink serve`: the web app and its JSON API over the store, served by uvicorn (docs/web.md)."""

from __future__ import annotations

import os

import click

from weaklink.cli.common import console, escape, handle_errors


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The default answers this machine only; another address warns.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--store", "store_url", default=None, metavar="URL",
              help="Store URL or path (default: weaklink --store).")
@click.option("--watch", "watch_path", default=None, type=click.Path(dir_okay=False), metavar="FILE",
              help="Watch file (default: weaklink --watch).")
@click.option("--allow-writes", is_flag=True,
              help="Allow uploads, rating edits, updates and briefs, each with `Authorization: Bearer "
                   "$WEAKLINK_TOKEN` (the server refuses to start without the token).")
@click.option("--monitor", is_flag=True, help="Run the live monitor inside the server (docs/monitor.md).")
@click.option("--every", default="15m", show_default=True, metavar="DURATION",
              help="Time between monitor runs (90s, 15m, 1h, 1d).")
@click.option("--no-update", is_flag=True, help="The monitor evaluates what the store holds without fetching.")
@click.pass_context
@handle_errors
def serve(ctx: click.Context, host: str, port: int, store_url, watch_path, allow_writes: bool, monitor: bool,
          every: str, no_update: bool) -> None:
    """Serve the web app and the JSON API (read-only unless --allow-writes) until Ctrl-C."""
    import uvicorn

    from weaklink.cli.monitor import _seconds
    from weaklink.web.app import create_app
    from weaklink.web.security import TOKEN_ENV, is_loopback

    app = create_app(store_url or ctx.obj["store"], watch_path or ctx.obj["watch"], allow_writes=allow_writes,
                     token=os.environ.get(TOKEN_ENV) or None, monitor=monitor, monitor_every=_seconds(every),
                     monitor_update=not no_update, warm=True, max_lag_days=ctx.obj.get("max_lag_days"),
                     include_late=ctx.obj.get("include_late", False))
    if not is_loopback(host):
        console.print(f"[yellow]warning:[/] listening on {escape(host)}: anyone who can reach this address can read "
                      "the store" + (" and, with the token, write to it" if allow_writes else "") +
                      "; the server speaks plain HTTP (put a TLS proxy in front)", highlight=False, soft_wrap=True)
    mode = "writes allowed (bearer token)" if allow_writes else "read-only"
    console.print(f"weaklink serving {escape(app.state.weaklink.writer.store.url)} on http://{escape(host)}:{port}/ "
                  f"({mode}{', monitor on' if monitor else ''}); Ctrl-C stops it", highlight=False, soft_wrap=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


COMMANDS = [serve]
