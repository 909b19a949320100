"""`weaklink update gdelt`: read GDELT's file list, fetch the exports not yet stored, verify, ingest.

Downloads run concurrently in threads; each verified file is ingested in the calling thread as soon as it
arrives, through the same one-transaction-per-file path as `weaklink ingest gdelt`, then recorded in the
`fetches` table (stored, or failed with the reason). A file already stored (its URL recorded, or a file of
that name and size in the provenance) is not fetched again; a failed one is fetched again next run. A run
killed at any point leaves only whole files stored, so running it again stores what one clean run does.
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx

from weaklink.errors import WeaklinkError
from weaklink.ingest.common import now
from weaklink.update import download as dl
from weaklink.update.gdelt_lists import (
    V1_MD5,
    V1_SIZES,
    V2_LAST,
    V2_LIST,
    FileList,
    ListedFile,
    base_url,
    parse_v1_lists,
    parse_v2_list,
)


class UpdateError(WeaklinkError):
    """A source's file list or feed cannot be read (server down, wrong URL, not a list)."""


@dataclass
class UpdatedFile:
    name: str
    url: str
    status: str  # stored, already_stored, failed
    reason: str | None = None
    download: str | None = None  # downloaded, cached
    rows_stored: int = 0
    bytes_fetched: int = 0
    rows_kept_out: int = 0


class FileOutcomes:
    """What update summaries share: `files` with their outcome, those that failed, and a JSON form."""

    files: list[UpdatedFile]

    @property
    def failed(self) -> list[UpdatedFile]:
        return [f for f in self.files if f.status == "failed"]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["failed"] = [{"name": f.name, "url": f.url, "reason": f.reason} for f in self.failed]
        return data


@dataclass
class UpdateSummary(FileOutcomes):
    """What one update run did: files listed / already stored / downloaded / verified / stored / failed."""

    source: str
    list_url: str
    since: str | None
    until: str | None
    listed: int = 0
    in_range: int = 0
    already_stored: int = 0
    downloaded: int = 0
    cached: int = 0
    verified: int = 0
    stored: int = 0
    rows_stored: int = 0
    rows_kept_out: int = 0  # with `--keep watched`: valid rows counted in event_totals, not stored
    bytes_fetched: int = 0
    seconds: float = 0.0
    bad_list_lines: list[dict] = field(default_factory=list)
    files: list[UpdatedFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class UpdateOptions:
    version: int = 2
    mirror: str | None = None
    since: date | None = None
    until: date | None = None
    first_since: date | None = None  # where to start when nothing was fetched yet (the watch file's [update])
    workers: int = 4
    timeout: float = 60.0
    cache_dir: Path | None = None
    keep_downloads: bool = False
    keep: tuple[str, ...] | None = None  # actor codes: store only events involving them (`--keep watched`)


def source_name(version: int) -> str:
    return f"gdelt-v{version}"


def _get_text(http: httpx.Client, url: str) -> str:
    try:
        response = http.get(url)
    except httpx.HTTPError as exc:
        raise UpdateError(f"cannot read the file list at {url} ({type(exc).__name__}: {exc}); check the URL "
                          "(--mirror, or [update] mirror in the watch file) and the network") from exc
    if response.status_code != 200:
        raise UpdateError(f"cannot read the file list at {url}: HTTP {response.status_code} "
                          f"{response.reason_phrase}; check the URL (--mirror, or [update] mirror in the watch file)")
    return response.text


def _latest_suffices(con, http: httpx.Client, base: str, options: UpdateOptions) -> tuple[str, FileList] | None:
    """GDELT 2.0's `lastupdate.txt` (a few hundred bytes) instead of the whole master list (hundreds of MB),
    when it is all that is missing: an update without a range whose previous run stored the slot just before."""
    if options.version != 2 or options.since is not None or options.until is not None:
        return None
    try:
        latest = parse_v2_list(_get_text(http, base + V2_LAST), base, bool(options.mirror))
    except UpdateError:
        return None  # a mirror without it: the master list says all
    if len(latest.files) != 1 or latest.bad_lines:
        return None
    slot = datetime.strptime(latest.files[0].name[:14], "%Y%m%d%H%M%S")
    wanted = [f"{moment:%Y%m%d%H%M%S}.export.CSV.zip" for moment in (slot - timedelta(minutes=15), slot)]
    stored = con.execute(f"""SELECT count(*) FROM fetches WHERE source = 'gdelt-v2' AND status = 'stored'
                             AND name IN ({", ".join("?" * len(wanted))})""", wanted).fetchall()[0][0]
    return (base + V2_LAST, latest) if stored else None


def read_list(http: httpx.Client, options: UpdateOptions, con=None) -> tuple[str, FileList]:
    """The list's URL and the export files it names."""
    base = base_url(options.version, options.mirror)
    if options.version == 2:
        latest = _latest_suffices(con, http, base, options) if con is not None else None
        if latest is not None:
            return latest
        return base + V2_LIST, parse_v2_list(_get_text(http, base + V2_LIST), base, bool(options.mirror))
    sizes, sums = _get_text(http, base + V1_SIZES), _get_text(http, base + V1_MD5)
    return base + V1_MD5, parse_v1_lists(sizes, sums, base)


def _already_stored(con, source: str, files: list[ListedFile]) -> set[str]:
    """URLs of listed files stored before: recorded by an update, or ingested from a file of that name and size."""
    urls = {r[0] for r in con.execute("SELECT url FROM fetches WHERE source = ? AND status = 'stored'",
                                      [source]).fetchall()}
    ingested = {(Path(p).name, s) for p, s in con.execute(
        "SELECT path, size_bytes FROM provenance WHERE dataset = 'gdelt'").fetchall()}
    return {f.url for f in files if f.url in urls or (f.name, f.size) in ingested}


def default_since(con, source: str, first_since: date | None = None) -> date:
    """Where an update without --since starts: the last day an update stored, else `first_since`, else
    yesterday (by the clock: it says what to fetch, never what the data say)."""
    last = con.execute("""SELECT max(CAST(regexp_extract(name, '^(\\d{8})', 1) AS VARCHAR)) FROM fetches
                          WHERE source = ? AND status = 'stored'""", [source]).fetchall()[0][0]
    if last:
        return date(int(last[:4]), int(last[4:6]), int(last[6:8]))
    return first_since or date.today() - timedelta(days=1)


def record_fetch(con, source: str, item: UpdatedFile, listed: ListedFile | None, file_id: int | None) -> None:
    """Upsert the fetch record of one URL (attempts counts every try)."""
    con.execute(
        """INSERT INTO fetches (source, url, name, size_bytes, md5, status, reason, file_id, attempts, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
           ON CONFLICT (source, url) DO UPDATE SET status = excluded.status, reason = excluded.reason,
               file_id = excluded.file_id, attempts = fetches.attempts + 1, updated_at = excluded.updated_at""",
        [source, item.url, item.name, listed.size if listed else None, listed.md5 if listed else None,
         "stored" if item.status != "failed" else "failed", item.reason, file_id, now()])


def _file_id(con, sha256: str | None) -> int | None:
    if sha256 is None:
        return None
    rows = con.execute("SELECT file_id FROM provenance WHERE format = 'gdelt-events' AND sha256 = ?",
                       [sha256]).fetchall()
    return rows[0][0] if rows else None


def _ingest(wl, got: dl.Download, options: UpdateOptions) -> tuple[UpdatedFile, int | None]:
    from weaklink.ingest.gdelt import ingest_file

    listed = got.listed
    item = UpdatedFile(listed.name, listed.url, "failed", got.reason, got.status if got.path else None,
                       bytes_fetched=got.bytes_fetched)
    if got.path is None:
        return item, None
    result = ingest_file(wl.store, got.path, max_lag_days=wl.max_lag_days, keep=options.keep)
    if result.status == "error" or (result.stored == 0 and result.rejected > 0):
        item.reason = result.message or "no line could be stored"
        return item, _file_id(wl.store.con, result.sha256)
    item.status, item.rows_stored, item.rows_kept_out = "stored", result.stored, result.kept_out
    item.reason = result.message if result.status == "skipped" else None
    if not options.keep_downloads:
        got.path.unlink(missing_ok=True)
    return item, _file_id(wl.store.con, result.sha256)


def _cache_dir(wl, options: UpdateOptions) -> Path:
    if options.cache_dir is not None:
        folder = Path(options.cache_dir)
    elif wl.store.path and wl.store.path != ":memory:":
        folder = Path(wl.store.path).resolve().parent / "downloads" / source_name(options.version)
    else:
        folder = Path(tempfile.gettempdir()) / "weaklink-downloads" / source_name(options.version)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _tally(summary: UpdateSummary, got: dl.Download, item: UpdatedFile) -> None:
    summary.files.append(item)
    summary.bytes_fetched += got.bytes_fetched
    summary.downloaded += got.status == "downloaded"
    summary.cached += got.status == "cached"
    summary.verified += got.path is not None
    summary.stored += item.status == "stored"
    summary.rows_stored += item.rows_stored
    summary.rows_kept_out += item.rows_kept_out


def update_gdelt(wl, options: UpdateOptions, progress=None) -> UpdateSummary:
    """Fetch, verify and ingest the GDELT exports of the range not yet stored (module docstring)."""
    clock, source = time.perf_counter(), source_name(options.version)
    since = options.since or default_since(wl.store.con, source, options.first_since)
    with dl.client(options.timeout, options.workers) as http:
        list_url, listing = read_list(http, options, wl.store.con)
        chosen = [f for f in listing.files if f.overlaps(since, options.until)]
        stored = _already_stored(wl.store.con, source, chosen)
        todo = [f for f in chosen if f.url not in stored]
        summary = UpdateSummary(source, list_url, since.isoformat(), options.until and options.until.isoformat(),
                                listed=len(listing.files), in_range=len(chosen), already_stored=len(stored),
                                bad_list_lines=[asdict(b) for b in listing.bad_lines])
        _run(wl, http, todo, _cache_dir(wl, options), options, summary, progress)
    summary.seconds = round(time.perf_counter() - clock, 3)
    return summary


def _run(wl, http, todo: list[ListedFile], cache: Path, options: UpdateOptions, summary: UpdateSummary,
         progress) -> None:
    if progress is not None:
        progress.start(len(todo))
    with ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="weaklink-download") as pool:
        futures = [pool.submit(dl.download, http, f, cache, options.timeout) for f in todo]
        for future in as_completed(futures):
            got = future.result()
            item, file_id = _ingest(wl, got, options)
            record_fetch(wl.store.con, summary.source, item, got.listed, file_id)
            _tally(summary, got, item)
            if progress is not None:
                progress.advance(item)
    summary.files.sort(key=lambda f: f.name)
    if progress is not None:
        progress.finish()
