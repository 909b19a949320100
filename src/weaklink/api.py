"""The Python API. The CLI (and later the web app and reports) are thin shells over it.

    >>> import weaklink
    >>> wl = weaklink.connect("duckdb:///path/to/weaklink.duckdb")
    >>> wl.ingest_gdelt(["data/gdelt/"])
    >>> wl.dyads("CHN", "PRK", freq="month").to_pandas()
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

import ibis
import pyarrow as pa

from weaklink.errors import InvalidArgument, StoreError, UnknownCountry
from weaklink.indicators.dyads import FREQUENCIES, dyad_filter, dyad_series, in_window, parse_datasets
from weaklink.indicators.exchanges import EXCHANGE_KINDS, curated, exchange_counts, exchange_pairs, period_grid
from weaklink.indicators.lag import is_late, reported_in_time
from weaklink.indicators.votes import alignment, paired_votes, paired_votes_of_all, splits, votes_before
from weaklink.ingest import IngestSummary
from weaklink.ingest.paths import expand_paths
from weaklink.progress import NullProgress, Progress
from weaklink.reference import countries
from weaklink.reference.historical import PREDECESSORS
from weaklink.results import Result
from weaklink.store import Store, open_store
from weaklink.text_api import TextMixin
from weaklink.watch import WatchFile, load_watch


class Weaklink(TextMixin):
    """An open store plus the watch file that says what to monitor."""

    def __init__(self, store: Store, watch: WatchFile, max_lag_days: int | None | str = "watch") -> None:
        self.store = store
        self.watch = watch
        # Events dated more than this many days before they were reported are left out of every indicator
        # (indicators/lag.py); None counts them all; "watch": the watch file's [events] max_lag_days.
        self.max_lag_days = watch.events.max_lag_days if max_lag_days == "watch" else max_lag_days

    def events(self) -> ibis.Table:
        """The events every indicator reads: late events (see `max_lag_days`) left out."""
        return reported_in_time(self.store.table("events"), self.max_lag_days)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Weaklink:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ingest -------------------------------------------------------------------------------
    def ingest_gdelt(self, paths: list[str | Path] | str | Path,
                     progress: Progress | None = None, force: bool = False, keep: str = "all") -> IngestSummary:
        """Ingest GDELT 1.0/2.0 event exports (files, folders, globs; .CSV or .CSV.zip). Every ingest skips a
        file already ingested (same sha256) unless `force`: then it is read again, its stored rows counted as
        duplicates. `keep="watched"` stores only events involving the watch file's actors and counts the others
        (docs/monitor.md): volume-normalised series stay those of a full store."""
        from weaklink.ingest.gdelt import ingest_file

        self.store.require("ingest-gdelt")
        if keep != "all":
            self.store.require("keep-watched")
        files = expand_paths([paths] if isinstance(paths, (str, Path)) else list(paths))
        return self._ingest_each(files, partial(ingest_file, max_lag_days=self.max_lag_days,
                                                keep=self._keep_codes(keep)), progress, force)

    def _keep_codes(self, keep: str) -> tuple[str, ...] | None:
        if keep not in ("all", "watched"):
            raise InvalidArgument(f"unknown keep {keep!r}: use all (every event) or watched (events involving the "
                                  "watch file's actors)")
        return self.watched_codes() if keep == "watched" else None

    def _ingest_each(self, paths: list[Path], ingest, progress: Progress | None, force: bool = False) -> IngestSummary:
        progress = progress or NullProgress()
        summary = IngestSummary()
        progress.start(paths)
        for path in paths:
            progress.file_started(path)
            result = self.store.ingest(ingest, path, force=force, max_lag_days=self.max_lag_days)
            summary.files.append(result)
            progress.file_done(path, result)
        progress.finish(summary)
        return summary

    def ingest_icews(self, paths: list[str | Path] | str | Path, progress: Progress | None = None,
                     force: bool = False) -> IngestSummary:
        """Ingest ICEWS coded event files (TAB, header, "NA" for missing) as dataset `icews` (docs/datasets.md)."""
        from weaklink.ingest.events import fixed
        from weaklink.sources.icews import LAYOUT

        return self._ingest_events(paths, fixed(LAYOUT), progress, force)

    def ingest_polecat(self, paths: list[str | Path] | str | Path, progress: Progress | None = None,
                       force: bool = False) -> IngestSummary:
        """Ingest POLECAT weekly event files (PLOVER-coded, TAB, header) as dataset `polecat` (docs/datasets.md)."""
        from weaklink.ingest.events import fixed
        from weaklink.sources.polecat import LAYOUT

        return self._ingest_events(paths, fixed(LAYOUT), progress, force)

    def ingest_phoenix(self, paths: list[str | Path] | str | Path, progress: Progress | None = None,
                       force: bool = False) -> IngestSummary:
        """Ingest Phoenix event files (the daily TAB files, or their R CSV exports) as dataset `phoenix`."""
        from weaklink.sources.phoenix import layout_for

        return self._ingest_events(paths, layout_for, progress, force)

    def _ingest_events(self, paths, pick, progress: Progress | None, force: bool) -> IngestSummary:
        from weaklink.ingest.events import ingest_file

        files = expand_paths([paths] if isinstance(paths, (str, Path)) else list(paths))
        return self._ingest_each(files, partial(ingest_file, pick=pick), progress, force)

    def ingest_timeline(self, paths: list[str | Path] | None = None,
                        progress: Progress | None = None, force: bool = False) -> IngestSummary:
        """Ingest curated timeline CSV files (docs/timeline.md); None ingests the bundled timeline."""
        self.store.require("ingest-timeline")
        from weaklink.ingest.timeline import bundled_files as timeline_files
        from weaklink.ingest.timeline import ingest_timeline_file

        files = timeline_files() if paths is None else expand_paths(list(paths))
        return self._ingest_each(files, ingest_timeline_file, progress, force)

    def ingest_unvotes(self, votes: str | Path | None = None, roll_calls: str | Path | None = None,
                       issues: str | Path | None = None, progress: Progress | None = None,
                       force: bool = False) -> IngestSummary:
        """UN General Assembly votes in the unvotes/Voeten layout. Given together, the files are loaded in the
        order they need (roll calls, issues, votes); votes without their roll calls are refused up front."""
        self.store.require("ingest-unvotes")
        if votes is not None and roll_calls is None and not self._has_roll_calls():
            raise InvalidArgument("the store has no UN General Assembly roll calls yet, so every vote would be "
                                  "rejected: give the roll calls with the votes (weaklink ingest unvotes --roll-calls "
                                  "roll_calls.csv --issues issues.csv --votes unvotes.csv.gz), or ingest them first")
        from weaklink.ingest.unvotes import ingest_issues, ingest_roll_calls, ingest_votes

        steps = [(roll_calls, ingest_roll_calls), (issues, ingest_issues), (votes, ingest_votes)]
        summary = IngestSummary()
        for path, ingest in steps:
            if path is not None:
                summary.files += self._ingest_each(expand_paths([path]), ingest, progress, force).files
        if not summary.files:
            raise InvalidArgument("give at least one of votes, roll_calls, issues")
        return summary

    def _has_roll_calls(self) -> bool:
        return bool(self.store.sql.execute("SELECT 1 FROM decisions WHERE body = 'unga' LIMIT 1").fetchall())

    def ingest_unsc(self, table: str | Path | None = None, vetoes: str | Path | None = None,
                    progress: Progress | None = None, force: bool = False) -> IngestSummary:
        """The UNSC DPRK decisions table (bundled unless `table` is given) and, optionally, a veto list."""
        self.store.require("ingest-unsc")
        from weaklink.ingest.unsc import bundled_table as bundled_unsc_table
        from weaklink.ingest.unsc import ingest_unsc_table, ingest_veto_list

        summary = self._ingest_each([Path(table) if table else bundled_unsc_table()], ingest_unsc_table, progress,
                                    force)
        if vetoes is not None:
            summary.files += self._ingest_each(expand_paths([vetoes]), ingest_veto_list, progress, force).files
        return summary

    # update and monitor (docs/monitor.md) -------------------------------------------------
    def update_gdelt(self, since: date | str | None = None, until: date | str | None = None,
                     version: int | None = None, mirror: str | None = None, workers: int | None = None,
                     timeout: float = 60.0, cache_dir: str | Path | None = None, progress=None, keep: str = "all"):
        """Fetch the GDELT exports of [since, until] that are not yet stored from GDELT's file list (or a
        mirror), verify size and MD5, and ingest each (`keep` as in `ingest_gdelt`); failures are recorded with
        their reason and fetched again next time. Unset arguments come from the watch file's [update] table."""
        from dataclasses import replace

        from weaklink.update.gdelt import update_gdelt

        self.store.require("update")
        options = self._update_options(since, until, version, mirror, workers, timeout, cache_dir)
        return update_gdelt(self, replace(options, keep=self._keep_codes(keep)), progress)

    def update_docs(self, workers: int | None = None, timeout: float = 30.0, cache_dir: str | Path | None = None):
        """Fetch the items of the watch file's [[feeds]] not yet stored, extract their main text and ingest them
        as documents with their URL, date and issuer; failures are recorded and retried next time."""
        from weaklink.update.feeds import update_docs

        self.store.require("update")
        return update_docs(self, workers or self.watch.update.workers, timeout, Path(cache_dir) if cache_dir else None)

    def monitor_once(self, stop=None, update: bool = True):
        """One monitor run: update the sources (unless `update` is False), re-evaluate signposts, ACH, weakest
        links and alerts as of the data, store what changed and notify each change once on every channel of
        the watch file's [notify] table; `stop` (a threading.Event) is checked between steps."""
        from weaklink.live import monitor_once

        self.store.require("monitor")
        return monitor_once(self, stop, update)

    def _counted(self) -> ibis.Table:
        """All events per file, day, reporting day and root flag, late ones left out: those stored (`event_days`)
        and those `keep="watched"` counted instead of storing (`event_totals`, docs/monitor.md)."""
        columns = ["dataset", "event_date", "date_added", "is_root", "events"]
        stored, kept_out = (self.store.table(name).select(*columns) for name in ("event_days", "event_totals"))
        return reported_in_time(stored.union(kept_out, distinct=False), self.max_lag_days)  # equal rows all count

    def watched_codes(self) -> tuple[str, ...]:
        """The event codes of every actor the watch file declares: what `keep="watched"` stores."""
        return tuple(dict.fromkeys(code for actor in self.watch.actors for code in self.actor_codes(actor.id)))

    def _update_options(self, since, until, version, mirror, workers, timeout, cache_dir):
        from weaklink.update.gdelt import UpdateOptions

        settings = self.watch.update
        if workers is not None and not 1 <= workers <= 64:
            raise InvalidArgument(f"workers must be from 1 to 64, not {workers!r}")
        if (version or settings.gdelt_version) not in (1, 2):
            raise InvalidArgument(f"unknown GDELT version {version!r}: use 1 or 2")
        first, last = _as_date(since), _as_date(until)
        if first and last and first > last:
            raise InvalidArgument(f"--since {first} is after --until {last}: give a range whose start comes first")
        return UpdateOptions(version=version or settings.gdelt_version, mirror=mirror or settings.mirror,
                             since=first, until=last, first_since=settings.since,
                             workers=workers or settings.workers, timeout=timeout,
                             cache_dir=Path(cache_dir) if cache_dir else None)

    # queries ------------------------------------------------------------------------------
    def actor_codes(self, actor: str) -> tuple[str, ...]:
        """The codes events use for an actor given by ISO3 code or name: CAMEO, then ISO3."""
        declared = self.watch.actor(actor.upper())
        if declared and declared.cameo:
            return (declared.cameo,)
        country = countries.by_iso3(self.iso3(actor))
        return tuple(dict.fromkeys(code for code in (country.cameo, country.iso3) if code))

    def dyads(self, a: str, b: str, *, freq: str = "month", since: date | str | None = None,
              until: date | str | None = None, directed: bool = False, root_only: bool = False,
              dataset: str | list[str] | None = None) -> Result:
        """Event series between two actors, per period (see docs/dyads.md for the method), from the event
        `dataset` (a name, several joined by commas, or a list; default gdelt: docs/datasets.md). `meta` names
        the datasets and the spans of time each covers: outside them the series has no data, not zero events."""
        if set(self.actor_codes(a)) & set(self.actor_codes(b)):
            raise InvalidArgument(f"{a!r} and {b!r} are the same actor: a dyad needs two different actors "
                                  "(e.g. `weaklink dyads CHN RUS`)")
        datasets = self.datasets(dataset)
        expr = dyad_series(self.events(), self.actor_codes(a), self.actor_codes(b), freq=freq,
                           since=_as_date(since), until=_as_date(until), directed=directed,
                           root_only=root_only, datasets=datasets, counted=self._counted())
        return Result(expr=expr, meta={"a": a, "b": b, "freq": freq, "directed": directed,
                                       **self.dataset_coverage(datasets)})

    def datasets(self, dataset: str | list[str] | None = None) -> tuple[str, ...]:
        """The media event datasets an indicator reads: `dataset` when given, else this view's (`using`), else
        gdelt."""
        return parse_datasets(dataset) if dataset else getattr(self, "event_datasets", None) or ("gdelt",)

    def dataset_coverage(self, datasets: tuple[str, ...]) -> dict:
        """{"datasets": [...], "coverage": {dataset: [[first, last], ...]}}: the spans each dataset covers."""
        from weaklink.coverage import Spans

        spans = Spans(self)
        return {"datasets": list(datasets),
                "coverage": {d: [[a.isoformat(), b.isoformat()] for a, b in spans.get(d)] for d in datasets}}

    def compare_sources(self, first: str, second: str, dyad: tuple[str, str] | list[str], *, freq: str = "month",
                        since: date | str | None = None, until: date | str | None = None,
                        measure: str = "share_per_10k", top: int = 5) -> Result:
        """The same dyad series from two event datasets (each a name or several joined by commas) side by side:
        per period both values ("no data", None, where a dataset holds no event that period), their correlation
        over the periods both cover (with n), the periods where they disagree most (standardised difference),
        and each series' shifts marked as found in both or in one only (docs/datasets.md)."""
        from weaklink.indicators.compare import MEASURES, compare

        if measure not in MEASURES:
            raise InvalidArgument(f"unknown measure {measure!r}: use one of {', '.join(MEASURES)}")
        names = [",".join(parse_datasets(d)) for d in (first, second)]
        if names[0] == names[1]:
            raise InvalidArgument(f"both sides are {names[0]}: compare two different datasets "
                                  "(e.g. `weaklink compare-sources gdelt icews --dyad CHN RUS`)")
        if len(dyad) != 2:
            raise InvalidArgument("a dyad is two actors, e.g. --dyad CHN RUS")
        sides = [self._side(name, dyad, freq, since, until, measure) for name in names]
        found = [p for side in sides for p in side.values]
        periods = period_grid(min(found), max(found), freq) if found else []
        result = compare(periods, *sides, top=top)
        a, b = names
        table = pa.Table.from_pylist([{"period": r["period"], a: r["a"], b: r["b"], f"{a}_events": r["a_events"],
                                       f"{b}_events": r["b_events"], f"{a}_z": r["a_z"], f"{b}_z": r["b_z"],
                                       "difference": r["difference"], "change_difference": r["change_difference"],
                                       "covered_by": r["covered_by"]}
                                      for r in result["rows"]]) if periods else pa.table(
            {"period": pa.array([], pa.date32())})
        coverage = self.dataset_coverage(tuple(d for name in names for d in name.split(",")))["coverage"]
        return Result(table=table, meta={"a": a, "b": b, "dyad": list(dyad), "freq": freq, "measure": measure,
                                         "correlation": result["correlation"], "n": result["n"],
                                         "disagreements": result["disagreements"], "shifts": result["shifts"],
                                         "coverage": coverage})

    def _side(self, name: str, dyad, freq: str, since, until, measure: str):
        from weaklink.indicators.compare import Side

        rows = self.dyads(dyad[0], dyad[1], freq=freq, since=since, until=until, dataset=name).to_pyarrow().to_pylist()
        return Side(name, {r["period"]: r[measure] for r in rows}, {r["period"]: r["events"] for r in rows})

    def using(self, dataset: str | list[str] | None) -> Weaklink:
        """This store and watch file, with every event indicator (cohesion, weakest, alerts, dyads, top events)
        reading `dataset` instead (the watch file's [cohesion] datasets, for cohesion); None: unchanged."""
        if not dataset:
            return self
        import copy

        names = parse_datasets(dataset)
        view = copy.copy(self)
        view.watch = self.watch.model_copy(
            update={"cohesion": self.watch.cohesion.model_copy(update={"datasets": list(names)})})
        view.event_datasets = names
        return view

    def timeline(self, actors: list[str] | None = None, kind: str | None = None, level: str | None = None,
                 since: date | str | None = None, until: date | str | None = None) -> Result:
        """Curated timeline entries; with `actors`, those in which all of them take part."""
        rows = curated(self.events(), kinds=(kind,) if kind else None, levels=(level,) if level else None,
                       since=_as_date(since), until=_as_date(until))
        for actor in [self.iso3(a) for a in actors or []]:
            rows = rows.filter(rows.actors.contains(actor))
        table = rows.select(id=rows.record_id, date=rows.event_date, end_date=rows.end_date, kind=rows.kind,
                            actors=rows.actors.join(";"), level=rows.level, cameo_code=rows.event_code,
                            description=rows.description, sources=rows.sources.join(" "),
                            confidence=rows.confidence)
        return Result(expr=table.order_by(["date", "id"]))

    def exchanges(self, actors: list[str] | None = None, level: str | None = None, freq: str = "quarter",
                  since: date | str | None = None, until: date | str | None = None,
                  kinds: tuple[str, ...] = EXCHANGE_KINDS) -> Result:
        """Curated high-level exchanges (summits, meetings, visits, calls) per dyad and period: zero where the
        timeline holds none of them, over the window asked for or else over what the timeline covers; no row at all
        when the timeline holds nothing (no data, not zero)."""
        chosen = sorted({self.iso3(a) for a in actors} if actors else set(self.watch.bloc("axis").members))
        entries = curated(self.events(), kinds=kinds, levels=(level,) if level else None,
                          since=_as_date(since), until=_as_date(until))
        pairs = exchange_pairs(entries, chosen)
        span = pairs.aggregate(first=pairs.event_date.min(), last=pairs.event_date.max()).to_pyarrow().to_pylist()[0]
        first, last = _as_date(since) or span["first"], _as_date(until) or span["last"]
        if first is None or last is None:  # no exchange among them: zeros over what the timeline covers, else none
            from weaklink.coverage import spans_for

            covered = spans_for(self, "curated")
            first, last = (first or covered[0][0], last or covered[-1][1]) if covered else (None, None)
        dyads = [(a, b) for i, a in enumerate(chosen) for b in chosen[i + 1:]]
        grid = period_grid(first, last, freq) if first and last and first <= last else []
        expr = exchange_counts(pairs, grid, dyads, freq)
        return Result(expr=expr, meta={"actors": chosen, "freq": freq, "kinds": list(kinds)})

    def vote_alignment(self, a: str, b: str, body: str = "unga", issue: str | None = None,
                       freq: str | None = "year", since: date | str | None = None,
                       until: date | str | None = None) -> Result:
        """Identical votes, agreement, coincidence and Cohen's kappa of two states (docs/votes.md)."""
        paired = self._paired(a, b, body, issue, since, until)
        return Result(expr=alignment(paired, freq), meta={"a": a, "b": b, "body": body, "issue": issue,
                                                          "predecessors": self._predecessors(paired, a, b)})

    def vote_matrix(self, actors: list[str], body: str = "unga", since: date | str | None = None,
                    until: date | str | None = None) -> dict[tuple[str, str], dict]:
        """`vote_alignment(a, b, freq=None)` of every pair of `actors` in one query: {(a, b): row} in the
        actors' order (ISO3 codes); a pair that never voted on the same decision has no row (no data)."""
        if body not in ("unga", "unsc"):
            raise InvalidArgument(f"unknown body {body!r}: use unga or unsc")
        codes = [self.iso3(actor) for actor in actors]
        paired = paired_votes_of_all(self.store.table("votes"), self.store.table("decisions"), codes, body=body,
                                     since=_as_date(since), until=_as_date(until))
        rows = {(r.pop("a"), r.pop("b")): r for r in alignment(paired, None, ("a", "b")).to_pyarrow().to_pylist()}
        return {(a, b): rows.get((a, b)) or rows.get((b, a)) for i, a in enumerate(codes) for b in codes[i + 1:]
                if (a, b) in rows or (b, a) in rows}

    def vote_splits(self, a: str, b: str, body: str = "unga", issue: str | None = None,
                    since: date | str | None = None, until: date | str | None = None) -> Result:
        """Decisions on which the two states voted differently, with their agreement that year."""
        paired = self._paired(a, b, body, issue, since, until)
        a3, b3 = self.iso3(a), self.iso3(b)
        table = splits(paired, alignment(paired, "year")).rename(
            {f"vote_{a3}": "vote_a", f"veto_{a3}": "veto_a", f"vote_{b3}": "vote_b", f"veto_{b3}": "veto_b"})
        return Result(expr=table, meta={"a": a3, "b": b3, "body": body,
                                        "predecessors": self._predecessors(paired, a, b)})

    def _predecessors(self, paired: ibis.Table, a: str, b: str) -> list[dict]:
        """Votes a successor's code holds that were cast as a former state (RUS: the USSR before 1991-12-24),
        each with a sentence that says so (docs/votes.md)."""
        found = []
        for state in (self.iso3(a), self.iso3(b)):
            former = PREDECESSORS.get(state)
            if former is None:
                continue
            row = votes_before(paired, former.until).to_pyarrow().to_pylist()[0]
            if row["votes"]:
                found.append({"state": state, "predecessor": former.code, "until": former.until, **row,
                              "note": f"{state} includes {row['votes']:,} vote{'s' * (row['votes'] != 1)} cast as "
                                      f"{former.label()} before "
                                      f"{former.until} ({row['first']} to {row['last']})"})
        return found

    def _paired(self, a, b, body, issue, since, until) -> ibis.Table:
        if body not in ("unga", "unsc"):
            raise InvalidArgument(f"unknown body {body!r}: use unga or unsc")
        if self.iso3(a) == self.iso3(b):
            raise InvalidArgument(f"{a!r} and {b!r} are the same state: compare two different states "
                                  "(e.g. `weaklink votes align CHN RUS`)")
        return paired_votes(self.store.table("votes"), self.store.table("decisions"),
                            self.store.table("decision_issues"), self.iso3(a), self.iso3(b), body=body,
                            issue=issue, since=_as_date(since), until=_as_date(until))

    # blocs ---------------------------------------------------------------------------------
    def weakest(self, bloc: str = "axis", since: date | str | None = None, until: date | str | None = None,
                dataset: str | list[str] | None = None) -> dict:
        """The bloc member with the lowest commitment, with intervals and centrality (docs/cohesion.md); media
        events from `dataset` (default: the watch file's [cohesion] datasets)."""
        from weaklink import cohesion

        wl = self.using(dataset)
        found = cohesion.weakest_link(wl, bloc, _as_date(since), _as_date(until))
        return {**found, "datasets": list(wl.watch.cohesion.datasets)}

    def cohesion(self, bloc: str = "axis", freq: str = "year", since: date | str | None = None,
                 until: date | str | None = None, components: list[str] | str | None = None,
                 dataset: str | list[str] | None = None) -> Result:
        """Per period: the bloc's cohesion (mean tie strength) and each member dyad's tie strength, each dyad
        on one component set for the whole span (`components`, or those measured in the most periods);
        `meta["components"]` says, per dyad, which were used and which were left out and why. Media events
        from `dataset` (default: the watch file's [cohesion] datasets); `meta` names them and their spans."""
        _check_freq(freq)
        from weaklink import cohesion

        wl = self.using(dataset)
        series = cohesion.cohesion_series(wl, bloc, freq, _as_date(since), _as_date(until), _components(components))
        rows = series["rows"]
        return Result(table=pa.Table.from_pylist(rows) if rows else pa.table({"period": pa.array([], pa.date32())}),
                      meta={"bloc": bloc, "freq": freq, "components": series["components"],
                            **wl.dataset_coverage(tuple(wl.watch.cohesion.datasets))})

    def blocs(self, blocs: list[str] | None = None, freq: str = "year", since: date | str | None = None,
              until: date | str | None = None, components: list[str] | str | None = None) -> Result:
        """Cohesion of several blocs side by side (default: axis and alliance); `meta["components"]` per bloc."""
        names = blocs or [b for b in ("axis", "alliance") if b in self.watch.blocs]
        rows, footing = [], {}
        from weaklink import cohesion

        for name in names:
            series = cohesion.cohesion_series(self, name, freq, _as_date(since), _as_date(until),
                                              _components(components))
            footing[name] = series["components"]
            rows += [{"period": r["period"], "bloc": name, "cohesion": r["cohesion"],
                      "dyads_measured": r["dyads_measured"]} for r in series["rows"]]
        rows.sort(key=lambda r: (r["period"], r["bloc"]))
        return Result(table=pa.Table.from_pylist(rows) if rows else pa.table({"period": pa.array([], pa.date32())}),
                      meta={"freq": freq, "components": footing})

    def attribution(self, bloc: str, first: tuple, second: tuple, top: int = 3,
                    components: list[str] | str | None = None) -> dict:
        """Between two windows (since, until): which dyads and components moved the bloc's cohesion, each dyad
        on one component set in both windows (`components`, or those measured in both)."""
        windows = [(_as_date(a), _as_date(b)) for a, b in (first, second)]
        from weaklink import cohesion

        return cohesion.attribution(self, bloc, windows[0], windows[1], top, _components(components))

    def alerts(self, freq: str = "month", since: date | str | None = None, until: date | str | None = None,
               held_back: bool = False, dataset: str | list[str] | None = None) -> list:
        """Change points and anomalies on every watched dyad series, each with the events behind it. Alerts
        that fail the watch file's `[alerts]` rules are left out, or listed with `held_back` as the reason.
        The series come from `dataset` (default gdelt); each alert names its datasets."""
        _check_freq(freq)
        from weaklink import changes

        wl = self.using(dataset)
        datasets = list(wl.datasets())
        return [{**alert, "datasets": datasets}
                for alert in changes.alerts(wl, freq, _as_date(since), _as_date(until), held_back)]

    def top_events(self, a: str, b: str, since: date, until: date, limit: int = 3) -> list[dict]:
        """The most reported media events between two actors in a window, with their URLs."""
        events = self.events()
        window = in_window(events, since, until, tuple(self.watch.cohesion.datasets), root_only=False)
        dyad = window.filter(dyad_filter(window, self.actor_codes(a), self.actor_codes(b), directed=False))
        top = dyad.order_by([ibis.desc("num_mentions"), "record_id"]).limit(limit)
        rows = top.select(date=top.event_date, source=top.actor1_code, target=top.actor2_code,
                          event_code=top.event_code, goldstein=top.goldstein, mentions=top.num_mentions,
                          dataset=top.dataset, record_id=top.record_id, url=top.source_url).to_pyarrow().to_pylist()
        return [{**row, "event_name": _cameo_name(row["event_code"])} for row in rows]

    # signposts and ACH -----------------------------------------------------------------------
    def signposts(self, as_of: date | str | None = None, changed_since: date | str | None = None,
                  record: bool = True) -> list[dict]:
        """Every signpost's status, coverage, evidence and the date its status last changed (stored in the
        history), as of a date: by default the last day the data cover (docs/signposts.md)."""
        from weaklink.signposts import board

        self.store.require("signposts")
        found = board.evaluate_all(self, _as_date(as_of), record)
        return board.changed_since(found, _as_date(changed_since)) if changed_since else found

    def signpost(self, signpost_id: str, as_of: date | str | None = None, record: bool = True) -> dict:
        """One signpost evaluated, with its rule, evidence and full status history (`record=False`: the
        evaluation is not stored in the history, as `signposts`)."""
        spec = next((s for s in self.watch.signposts if s.id == signpost_id), None)
        if spec is None:
            raise InvalidArgument(f"no signpost {signpost_id!r}; signposts: "
                                  f"{', '.join(s.id for s in self.watch.signposts)}")
        from weaklink.signposts import board

        current = next(s for s in board.evaluate_all(self, _as_date(as_of), record) if s["id"] == signpost_id)
        return {**current, "rule": spec.rule.model_dump(exclude_none=True), "note": spec.note,
                "history": board.history(self, signpost_id)}

    def replay_signposts(self, start: date | str, end: date | str | None = None, freq: str = "quarter") -> list:
        """Evaluate the signposts at the end of every period from start to end (default: the last day the data
        cover), filling their history."""
        from weaklink.signposts import board

        return board.replay(self, _as_date(start), _as_date(end), freq)

    def scenarios(self, as_of: date | str | None = None, recent_days: int = 90) -> list[dict]:
        from weaklink.signposts import board

        return board.scenarios(self, self.signposts(as_of), recent_days)

    def ach(self, as_of: date | str | None = None, record: bool = True) -> dict:
        """ACH matrix as of a date (default: the last day the data cover): Heuer inconsistency and posterior per
        hypothesis, the leaders (ties kept), rated and excluded evidence, and the sensitivity analysis."""
        found = self.signposts(as_of, record=record)
        from weaklink.signposts import board

        return board.ach_matrix(self, found, date.fromisoformat(found[0]["as_of"]) if found else _as_date(as_of))

    def coverage(self) -> dict:
        """Per source (event datasets, curated timeline, UNGA and UNSC votes, documents per issuer and kind):
        the spans of time the store covers, the gaps, and `as_of`, the last day covered (docs/coverage.md)."""
        from weaklink import coverage

        return coverage.coverage(self)

    def data_as_of(self) -> date | None:
        """The latest day the store covers, over all sources (None for an empty store)."""
        from weaklink import coverage

        return coverage.data_as_of(self)

    # briefing --------------------------------------------------------------------------------
    def brief(self, bloc: str = "axis", since: date | str | None = None, until: date | str | None = None,
              as_of: date | str | None = None, lang: str = "en") -> dict:
        """The briefing's content as plain data: bottom line (with the facts behind each number), figures,
        tables and sources. The window ends on `until` (or `as_of`), by default the last day the data cover,
        and everything in it is evaluated as of that day. `weaklink.report.output.write(data, path)` renders it.
        `lang`: the briefing's language, "en" or any with a catalogue (`weaklink.report.i18n.available()`)."""
        self.store.require("brief")
        from weaklink.report.brief import brief_data
        from weaklink.report.i18n import check_language

        return brief_data(self, bloc, _as_date(since), _as_date(until) or _as_date(as_of), check_language(lang))

    def write_brief(self, out: str | Path, bloc: str = "axis", since: date | str | None = None,
                    until: date | str | None = None, as_of: date | str | None = None, lang: str = "en") -> Path:
        """Write the briefing to .html (self-contained), .md (figures beside it) or .pdf, in `lang`."""
        from weaklink.report.output import write

        self._check_writable("a briefing records the signposts' statuses in the store's history")
        if Path(out).suffix.lower() == ".pdf":  # say at once when PDF cannot be printed, before the work
            from weaklink.report.pdf import find_chromium

            find_chromium()
        return write(self.brief(bloc, since, until, as_of, lang), Path(out))

    def _check_writable(self, why: str) -> None:
        """Refuse at once, with what to do, a write to a DuckDB store opened read-only (DuckDB's own error would
        come half-way through the work and name neither)."""
        if getattr(self.store, "backend", "duckdb") != "duckdb":
            return
        rows = self.store.con.execute("SELECT readonly FROM duckdb_databases() "
                                      "WHERE database_name = current_database()").fetchall()
        if rows and rows[0][0]:
            raise StoreError(f"the store {self.store.path} is open read-only and {why}: open it for writing "
                             "(weaklink.connect(url) without read_only=True; `weaklink brief` does)")

    def iso3(self, actor: str) -> str:
        """ISO3 code of an actor given by code or name."""
        try:
            return countries.by_iso3(actor.upper()).iso3
        except UnknownCountry:
            return countries.resolve(actor).iso3

    def sources(self) -> Result:
        """Provenance: every ingested file, its sha256 and its line counts; with, of the rows it stored, the late
        events (left out of indicators: `max_lag_days`) and the dates repaired on ingest (docs/ingest.md)."""
        provenance, events = self.store.table("provenance"), self.store.table("events")
        dating = events.group_by("file_id").aggregate(rows_late=is_late(events, self.max_lag_days).sum(),
                                                       dates_repaired=events.event_date_original.notnull().sum())
        joined = provenance.left_join(dating, "file_id")
        table = joined.select(*provenance.columns, rows_late=ibis.coalesce(joined.rows_late, 0),
                              dates_repaired=ibis.coalesce(joined.dates_repaired, 0))
        return Result(expr=table.order_by("file_id"))

    def rejects(self, path: str | None = None, limit: int | None = None) -> Result:
        """Rejected lines with file, line number, reason and the raw line."""
        table = self.store.table("rejects")
        if path is not None:
            table = table.filter(table.path.contains(path))
        table = table.order_by(["file_id", "line"])
        return Result(expr=table.limit(limit) if limit else table)

    def overview(self) -> dict:
        """What the store holds: events per dataset, date range, files, rejects."""
        con = self.store.sql
        datasets = con.execute("""SELECT dataset, count(*), min(event_date), max(event_date)
            FROM events GROUP BY dataset ORDER BY dataset""").fetchall()
        files, rejects = con.execute(
            "SELECT (SELECT count(*) FROM provenance), (SELECT count(*) FROM rejects)").fetchall()[0]
        decisions = con.execute("""SELECT d.body, count(DISTINCT d.decision_id), count(v.state)
            FROM decisions AS d LEFT JOIN votes AS v USING (body, decision_id) GROUP BY d.body ORDER BY 1""").fetchall()
        return {
            "store": self.store.url,
            "decisions": [{"body": b, "decisions": n, "votes": v} for b, n, v in decisions],
            "datasets": [{"dataset": d, "events": n, "first": str(lo), "last": str(hi)}
                         for d, n, lo, hi in datasets],
            "files": files,
            "rejected_lines": rejects,
        }


def _cameo_name(code: str | None) -> str | None:
    """The CAMEO codebook's name for an event code ("042" -> "Make a visit")."""
    from weaklink.reference.cameo import load_event_codes

    entry = load_event_codes().get(code or "")
    return entry.label if entry else None


def _components(components: list[str] | str | None) -> list[str] | None:
    """Component names given as a list or as one comma-separated string ("events,exchanges")."""
    if isinstance(components, str):
        components = [c.strip() for c in components.split(",") if c.strip()]
    return list(components) if components else None


def _check_freq(freq: str) -> None:
    if freq not in FREQUENCIES:
        raise InvalidArgument(f"unknown frequency {freq!r}: use one of {', '.join(FREQUENCIES)}")


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(f"not a date: {value!r} (expected YYYY-MM-DD)") from None


def connect(url: str | None = None, watch: str | Path | WatchFile | None = None, *, read_only: bool = False,
            wait: float = 0.0, on_wait=None, max_lag_days: int | None = None, include_late: bool = False) -> Weaklink:
    """Open the store at `url` (default $WEAKLINK_STORE or ./weaklink.duckdb) with a watch file. `read_only`
    opens an existing store for reading only; `wait` retries for that many seconds while another process
    holds the store (see docs/store.md). Indicators leave out events dated more than `max_lag_days` (default:
    the watch file's, 30) before they were reported; `include_late` counts them too (docs/dyads.md)."""
    watch_file = watch if isinstance(watch, WatchFile) else load_watch(watch)
    if max_lag_days is not None and max_lag_days < 0:
        raise InvalidArgument(f"max_lag_days must be 0 or more, not {max_lag_days}")
    lag = None if include_late else ("watch" if max_lag_days is None else max_lag_days)
    return Weaklink(open_store(url, read_only=read_only, wait=wait, on_wait=on_wait), watch_file, lag)
