"""The app factory: `create_app` opens the store once and builds the FastAPI app (docs/web.md)."""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from weaklink import __version__
from weaklink.web import api_routes, errors, ratings
from weaklink.web.edge import ResponseCache
from weaklink.web.security import SecurityHeaders, check_token
from weaklink.web.state import ServerState

STATIC = Path(__file__).parent / "static"
MONITOR_EVERY = 900.0  # seconds between monitor runs (weaklink serve --monitor --every)


def create_app(store_url: str | None = None, watch: str | None = None, *, allow_writes: bool = False,
               token: str | None = None, monitor: bool = False, monitor_every: float = MONITOR_EVERY,
               monitor_update: bool = True, warm: bool = False, max_lag_days: int | None = None,
               include_late: bool = False) -> FastAPI:
    """The web app over the store at `store_url` (default $WEAKLINK_STORE or ./weaklink.duckdb) and the watch
    file `watch` (default the bundled one). Read-only unless `allow_writes` (which needs `token`, the secret
    every write must present). `monitor`: run the live monitor every `monitor_every` seconds in a background
    thread while the server runs (`monitor_update=False`: evaluate without fetching). `warm`: compute the
    expensive views in the background at start so the first visitors do not wait. `max_lag_days` and
    `include_late`: which late events the indicators count, as `weaklink.connect` (weaklink --max-lag-days,
    --include-late)."""
    check_token(token, allow_writes)
    state = ServerState.open(store_url, watch, allow_writes=allow_writes, token=token,
                             read_only=not (allow_writes or monitor), max_lag_days=max_lag_days,
                             include_late=include_late)
    state.base_watch = state.writer.watch
    state.writer.watch = ratings.apply(state.base_watch, ratings.overrides(state.writer))
    if monitor:
        from weaklink.web.monitor import MonitorThread

        state.monitor = MonitorThread(state, monitor_every, monitor_update, warm)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if state.monitor is not None:
            state.monitor.start()
        if warm:
            state.warming = True
            threading.Thread(target=warm_cache, args=(state,), name="weaklink-warm", daemon=True).start()
        try:
            yield
        finally:
            state.close()

    app = FastAPI(title="weaklink", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="The JSON API of weaklink's web app: every page's data, read-only unless the server "
                              "runs with --allow-writes (docs/web.md). Every error has the shape "
                              '{"error": {"type", "message", "details"}}.')
    app.state.weaklink = state
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    # outermost: a kept answer is replayed with the security headers it was sent with (weaklink.web.edge)
    app.add_middleware(ResponseCache, version=lambda: state.cache.version, store=state.responses)
    app.include_router(api_routes.router)
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    _include_pages(app)
    return app


def _include_pages(app: FastAPI) -> None:
    """The HTML pages (weaklink.web.pages), when that module is there."""
    import importlib

    try:
        pages = importlib.import_module("weaklink.web.pages")
    except ModuleNotFoundError as exc:
        if exc.name != "weaklink.web.pages":
            raise
        return
    app.include_router(pages.router)


def warm_cache(state: ServerState) -> None:
    """Compute the views every visitor asks for first, one after the other, on a reader of the pool."""
    from weaklink.web import views

    steps = [views.overview, views.signposts, views.ach, views.sources, views.timeline, views.documents,
             views.votes]
    steps += [lambda wl, a=a, b=b: views.dyad(wl, a, b) for a, b in state.writer.watch.dyads.watch]
    state.warming = True
    try:
        _run_steps(state, steps)
    finally:
        state.warming = False


def _run_steps(state: ServerState, steps: list) -> None:
    from weaklink.errors import WeaklinkError

    for step in steps:
        try:
            with state.borrow() as wl:
                step(wl)
        except WeaklinkError:
            continue  # the visitor who asks gets the error
        except Exception:  # noqa: BLE001 - warming is best effort; the request computes it again
            errors.log.exception("warming the cache failed")
