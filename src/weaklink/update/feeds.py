"""`weaklink update docs`: statements from the RSS/Atom feeds and page lists the watch file names (`[[feeds]]`).

Each feed is read with feedparser (a page list is plain text, one URL a line); every item not yet stored is
fetched, kept as an HTML file in the cache folder and ingested through the document path (main text by
trafilatura, exact and near-duplicates recognised), with the item's URL, its date (the feed's, else the
page's) and the feed's issuer, language and kind. Each item's outcome is recorded in `fetches` (source
`feed`): a stored item is never fetched again, a failed one is retried next run.
"""

from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

from weaklink.update import download as dl
from weaklink.update.gdelt import FileOutcomes, UpdatedFile, UpdateError, record_fetch

SOURCE = "feed"


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str | None
    day: date | None
    feed: object  # the watch file's Feed


@dataclass
class DocsSummary(FileOutcomes):
    feeds: int = 0
    listed: int = 0
    already_stored: int = 0
    fetched: int = 0
    stored: int = 0
    duplicate: int = 0
    seconds: float = 0.0
    feed_errors: list[str] = field(default_factory=list)
    files: list[UpdatedFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.feed_errors


def _entry_day(entry) -> date | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday) if parsed else None


def read_feed(http: httpx.Client, feed) -> list[FeedItem]:
    """The items a feed (or page list) names; an unreadable feed is an UpdateError naming it."""
    import feedparser

    try:
        response = http.get(feed.url)
    except httpx.HTTPError as exc:
        raise UpdateError(f"feed {feed.url}: cannot be read ({type(exc).__name__}: {exc})") from exc
    if response.status_code != 200:
        raise UpdateError(f"feed {feed.url}: HTTP {response.status_code} {response.reason_phrase}")
    if feed.format == "pages":
        urls = [line.strip() for line in response.text.splitlines() if line.strip().startswith(("http://", "https://"))]
        return [FeedItem(url, None, None, feed) for url in dict.fromkeys(urls)]
    parsed = feedparser.parse(response.content)
    if parsed.bozo and not parsed.entries:
        raise UpdateError(f"feed {feed.url}: not an RSS or Atom feed ({parsed.get('bozo_exception')})")
    return [FeedItem(e.link, e.get("title"), _entry_day(e), feed) for e in parsed.entries if e.get("link")]


def _fetch_page(http: httpx.Client, item: FeedItem, cache: Path) -> tuple[Path | None, str | None]:
    path = cache / (hashlib.sha256(item.url.encode()).hexdigest()[:24] + ".html")
    try:
        response = http.get(item.url)
    except httpx.HTTPError as exc:
        return None, f"cannot fetch the page ({type(exc).__name__}: {exc})"
    if response.status_code != 200:
        return None, f"HTTP {response.status_code} {response.reason_phrase}"
    from weaklink.fileio import atomic_write_bytes

    atomic_write_bytes(path, response.content)
    return path, None


def _ingest(wl, item: FeedItem, path: Path | None, reason: str | None) -> UpdatedFile:
    from weaklink.ingest.docs import ingest_document

    done = UpdatedFile(item.title or item.url, item.url, "failed", reason)
    if path is None:
        return done
    given = {"date": item.day, "issuers": [item.feed.issuer], "title": item.title, "kind": item.feed.kind,
             "language": item.feed.language, "source_url": item.url}
    result = ingest_document(wl.store, path, given)
    if result.status == "error":
        done.reason = result.message
        return done
    done.status, done.rows_stored, done.reason = "stored", result.stored, result.message
    return done


def update_docs(wl, workers: int = 4, timeout: float = 30.0, cache_dir: Path | None = None) -> DocsSummary:
    """Fetch and ingest every feed item not yet stored (module docstring)."""
    clock, summary = time.perf_counter(), DocsSummary(feeds=len(wl.watch.feeds))
    cache = Path(cache_dir) if cache_dir else _default_cache(wl)
    cache.mkdir(parents=True, exist_ok=True)
    stored = {r[0] for r in wl.store.con.execute(
        "SELECT url FROM fetches WHERE source = ? AND status = 'stored'", [SOURCE]).fetchall()}
    with dl.client(timeout, workers) as http:
        items: list[FeedItem] = []
        for feed in wl.watch.feeds:
            try:
                items += read_feed(http, feed)
            except UpdateError as exc:
                summary.feed_errors.append(str(exc))
        items = list({i.url: i for i in reversed(items)}.values())[::-1]  # a URL in two feeds: the first one's
        summary.listed = len(items)
        todo = [i for i in items if i.url not in stored]
        summary.already_stored = len(items) - len(todo)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="weaklink-feed") as pool:
            for item, (path, reason) in zip(todo, pool.map(lambda i: _fetch_page(http, i, cache), todo)):
                done = _ingest(wl, item, path, reason)
                record_fetch(wl.store.con, SOURCE, done, None, None)
                summary.files.append(done)
                summary.fetched += path is not None
                summary.stored += done.rows_stored
                summary.duplicate += done.status == "stored" and done.rows_stored == 0
    summary.seconds = round(time.perf_counter() - clock, 3)
    return summary


def _default_cache(wl) -> Path:
    if wl.store.path and wl.store.path != ":memory:":
        return Path(wl.store.path).resolve().parent / "downloads" / "feeds"
    import tempfile

    return Path(tempfile.gettempdir()) / "weaklink-downloads" / "feeds"
