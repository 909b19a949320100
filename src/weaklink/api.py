"""The Python API. The CLI (and later the web app and reports) are thin shells over it.

    >>> import weaklink
    >>> wl = weaklink.connect("duckdb:///path/to/weaklink.duckdb")
    >>> wl.ingest_gdelt(["data/gdelt/"])
    >>> wl.dyads("CHN", "PRK", freq="month").to_pandas()
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from weaklink.errors import InvalidArgument, UnknownCountry
from weaklink.indicators.dyads import dyad_series
from weaklink.ingest import IngestSummary
from weaklink.ingest.gdelt import ingest_file
from weaklink.ingest.paths import expand_paths
from weaklink.progress import NullProgress, Progress
from weaklink.reference import countries
from weaklink.results import Result
from weaklink.store import Store, open_store
from weaklink.watch import WatchFile, load_watch


class Weaklink:
    """An open store plus the watch file that says what to monitor."""

    def __init__(self, store: Store, watch: WatchFile) -> None:
        self.store = store
        self.watch = watch

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Weaklink:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ingest -------------------------------------------------------------------------------
    def ingest_gdelt(self, paths: list[str | Path] | str | Path,
                     progress: Progress | None = None) -> IngestSummary:
        """Ingest GDELT 1.0/2.0 event exports (files, folders, globs; .CSV or .CSV.zip)."""
        files = expand_paths([paths] if isinstance(paths, (str, Path)) else list(paths))
        progress = progress or NullProgress()
        summary = IngestSummary()
        progress.start(files)
        for path in files:
            progress.file_started(path)
            result = ingest_file(self.store, path)
            summary.files.append(result)
            progress.file_done(path, result)
        progress.finish(summary)
        return summary

    # queries ------------------------------------------------------------------------------
    def actor_codes(self, actor: str) -> tuple[str, ...]:
        """The codes events use for an actor given by ISO3 code or name: CAMEO, then ISO3."""
        declared = self.watch.actor(actor.upper())
        if declared and declared.cameo:
            return (declared.cameo,)
        try:
            country = countries.by_iso3(actor.upper())
        except UnknownCountry:
            country = countries.resolve(actor)
        return tuple(dict.fromkeys(code for code in (country.cameo, country.iso3) if code))

    def dyads(self, a: str, b: str, *, freq: str = "month", since: date | str | None = None,
              until: date | str | None = None, directed: bool = False, root_only: bool = False) -> Result:
        """Event series between two actors, per period (see docs/dyads.md for the method)."""
        expr = dyad_series(self.store.table("events"), self.actor_codes(a), self.actor_codes(b), freq=freq,
                           since=_as_date(since), until=_as_date(until), directed=directed,
                           root_only=root_only)
        return Result(expr=expr, meta={"a": a, "b": b, "freq": freq, "directed": directed})

    def sources(self) -> Result:
        """Provenance: every ingested file, its sha256 and its line counts."""
        table = self.store.table("provenance").order_by("file_id")
        return Result(expr=table)

    def rejects(self, path: str | None = None, limit: int | None = None) -> Result:
        """Rejected lines with file, line number, reason and the raw line."""
        table = self.store.table("rejects")
        if path is not None:
            table = table.filter(table.path.contains(path))
        table = table.order_by(["file_id", "line"])
        return Result(expr=table.limit(limit) if limit else table)

    def overview(self) -> dict:
        """What the store holds: events per dataset, date range, files, rejects."""
        con = self.store.con
        datasets = con.execute("""SELECT dataset, count(*), min(event_date), max(event_date)
            FROM events GROUP BY dataset ORDER BY dataset""").fetchall()
        files, rejects = con.execute(
            "SELECT (SELECT count(*) FROM provenance), (SELECT count(*) FROM rejects)").fetchall()[0]
        return {
            "store": self.store.url,
            "datasets": [{"dataset": d, "events": n, "first": str(lo), "last": str(hi)}
                         for d, n, lo, hi in datasets],
            "files": files,
            "rejected_lines": rejects,
        }


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(f"not a date: {value!r} (expected YYYY-MM-DD)") from None


def connect(url: str | None = None, watch: str | Path | WatchFile | None = None) -> Weaklink:
    """Open the store at `url` (default $WEAKLINK_STORE or ./weaklink.duckdb) with a watch file."""
    watch_file = watch if isinstance(watch, WatchFile) else load_watch(watch)
    return Weaklink(open_store(url), watch_file)
